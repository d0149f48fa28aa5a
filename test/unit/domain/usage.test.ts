import {
  aggregateUsage,
  billableTexts,
  billed,
  isMonthKey,
  monthKey,
  monthLabel,
  monthRange,
  previousMonth,
  type UsageMessage,
} from "../../../src/domain/usage";

const msg = (over: Partial<UsageMessage>): UsageMessage => ({
  lineId: "a",
  kind: "OUTBOUND",
  sendState: "SENT",
  recipients: 1,
  segments: 1,
  mediaCount: 0,
  createdAt: new Date("2026-11-10T12:00:00Z"),
  ...over,
});

describe("months", () => {
  test("keys, ranges and labels are UTC calendar months", () => {
    expect(monthKey(new Date("2026-11-30T23:59:59Z"))).toBe("2026-11");
    expect(monthKey(new Date("2026-12-01T00:00:00Z"))).toBe("2026-12");
    expect(previousMonth("2026-01")).toBe("2025-12");
    expect(monthRange("2026-02")).toEqual({
      start: new Date("2026-02-01T00:00:00Z"),
      end: new Date("2026-03-01T00:00:00Z"),
    });
    expect(monthLabel("2026-11")).toBe("November 2026");
    expect(["2026-11", "2026-13", "2026-1", "x"].map(isMonthKey)).toEqual([true, false, false, false]);
  });
});

describe("billable texts", () => {
  test("a group text is one MMS per recipient, a text to one number one SMS per segment; only accepted texts", () => {
    expect(billed(msg({ recipients: 3, segments: 2 }))).toEqual({ mms: 3, sms: 0 });
    expect(billed(msg({ recipients: 3, segments: 0 }))).toEqual({ mms: 3, sms: 0 });
    expect(billed(msg({ recipients: 1, segments: 3 }))).toEqual({ mms: 0, sms: 3 });
    expect(billed(msg({ recipients: 1, segments: 3, mediaCount: 1 }))).toEqual({ mms: 1, sms: 0 });
    expect(billed(msg({ kind: "COMPLIANCE", recipients: 1, segments: 1 }))).toEqual({ mms: 0, sms: 1 });
    expect(billableTexts(msg({ recipients: 3, segments: 2 }))).toBe(3);
    for (const sendState of ["NONE", "QUEUED", "FAILED", "BLOCKED"] as const) {
      expect(billableTexts(msg({ sendState, recipients: 3 }))).toBe(0);
    }
    expect(billableTexts(msg({ kind: "INBOUND", sendState: "NONE" }))).toBe(0);
    expect(billableTexts(msg({ kind: "NOTICE" }))).toBe(0);
  });
});

const none = { sent: 0, mms: 0, sms: 0, received: 0 };

describe("aggregateUsage", () => {
  test("sums per line into this month and last month, ignoring older and newer messages", () => {
    const usage = aggregateUsage(
      [
        msg({ recipients: 9, segments: 2 }),
        msg({ lineId: "b", recipients: 2, segments: 1, createdAt: new Date("2026-10-31T23:59:59.999Z") }),
        msg({ lineId: "b", kind: "INBOUND", sendState: "NONE", createdAt: new Date("2026-10-01T00:00:00Z") }),
        msg({ kind: "INBOUND", sendState: "NONE", segments: 4 }),
        msg({ recipients: 100, createdAt: new Date("2026-09-30T23:59:59Z") }),
        msg({ recipients: 100, createdAt: new Date("2026-12-01T00:00:00Z") }),
      ],
      "2026-11",
      ["a", "b", "c"],
    );
    expect(usage).toEqual([
      { lineId: "a", thisMonth: { sent: 9, mms: 9, sms: 0, received: 1 }, lastMonth: none },
      { lineId: "b", thisMonth: none, lastMonth: { sent: 2, mms: 2, sms: 0, received: 1 } },
      { lineId: "c", thisMonth: none, lastMonth: none },
    ]);
  });

  test("a line not listed still gets its figures", () => {
    expect(aggregateUsage([msg({ lineId: "z" })], "2026-11", [])).toEqual([
      { lineId: "z", thisMonth: { sent: 1, mms: 0, sms: 1, received: 0 }, lastMonth: none },
    ]);
  });
});
