import {
  aggregateUsage,
  billableTexts,
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
  test("each recipient × segment, a media-only MMS counting one; only accepted texts", () => {
    expect(billableTexts(msg({ recipients: 3, segments: 2 }))).toBe(6);
    expect(billableTexts(msg({ recipients: 3, segments: 0 }))).toBe(3);
    expect(billableTexts(msg({ kind: "COMPLIANCE", recipients: 1, segments: 1 }))).toBe(1);
    for (const sendState of ["NONE", "QUEUED", "FAILED", "BLOCKED"] as const) {
      expect(billableTexts(msg({ sendState, recipients: 3 }))).toBe(0);
    }
    expect(billableTexts(msg({ kind: "INBOUND", sendState: "NONE" }))).toBe(0);
    expect(billableTexts(msg({ kind: "NOTICE" }))).toBe(0);
  });
});

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
      { lineId: "a", thisMonth: { sent: 18, received: 1 }, lastMonth: { sent: 0, received: 0 } },
      { lineId: "b", thisMonth: { sent: 0, received: 0 }, lastMonth: { sent: 2, received: 1 } },
      { lineId: "c", thisMonth: { sent: 0, received: 0 }, lastMonth: { sent: 0, received: 0 } },
    ]);
  });

  test("a line not listed still gets its figures", () => {
    expect(aggregateUsage([msg({ lineId: "z" })], "2026-11", [])).toEqual([
      { lineId: "z", thisMonth: { sent: 1, received: 0 }, lastMonth: { sent: 0, received: 0 } },
    ]);
  });
});
