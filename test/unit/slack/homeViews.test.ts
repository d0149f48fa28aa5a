import {
  complianceAdvice,
  complianceModalView,
  describeLength,
} from "../../../src/slack/views/complianceModal";
import { homeView } from "../../../src/slack/views/home";
import { DEFAULT_HOME_STATE, parseHomeState } from "../../../src/slack/views/homeState";
import { importResultView } from "../../../src/slack/views/importModal";
import { blockKitProblems } from "../../support/blockKitLimits";

const usageData = {
  tab: "usage" as const,
  report: {
    month: "2026-11",
    previous: "2026-10",
    lines: Array.from({ length: 70 }, (_, i) => ({
      lineId: `l${i}`,
      name: `Line ${i} <b>`,
      number: "+19195550100",
      active: i % 2 === 0,
      thisMonth: { sent: 1234, mms: 1234, sms: 0, received: 5 },
      lastMonth: { sent: 10, mms: 10, sms: 0, received: 0 },
    })),
    totals: {
      thisMonth: { sent: 1, mms: 1, sms: 0, received: 2 },
      lastMonth: { sent: 3, mms: 3, sms: 0, received: 4 },
    },
  },
};

describe("Home tab builders", () => {
  test("usage without PUBLIC_URL: figures in text only, within limits, 60 lines listed", () => {
    const view = homeView({
      kind: "admin",
      command: "/grouptext",
      via: "app",
      state: DEFAULT_HOME_STATE,
      data: usageData,
      chartUrl: null,
    });
    const text = JSON.stringify(view.blocks);
    expect(view.blocks.some((b) => b.type === "image")).toBe(false);
    expect(text).toContain("Set PUBLIC_URL");
    expect(text).toContain("60. *Line 59 &lt;b&gt;*");
    expect(text).toContain("…and 10 more lines.");
    expect(text).toContain("this month 1,234 sent (1,234 MMS, 0 SMS)");
    expect(blockKitProblems(view as never)).toEqual([]);
  });

  test("a teammate's Home says how many more lines there are", () => {
    const view = homeView({
      kind: "member",
      command: "/grouptext",
      data: {
        lines: Array.from({ length: 20 }, (_, i) => ({
          name: `L${i}`,
          number: "+19195550100",
          groupEnabled: true,
        })),
        linesTotal: 25,
        conversations: [],
      },
    });
    expect(JSON.stringify(view.blocks)).toContain("…and 5 more.");
    expect(blockKitProblems(view as never)).toEqual([]);
  });

  test("the compliance modal previews counts and gives carrier advice", () => {
    expect(describeLength("a".repeat(161))).toBe(
      "161 characters · GSM-7 · 2 segments (each reply is billed as 2 texts)",
    );
    expect(complianceAdvice("optOut", "You are out.")).toEqual([expect.stringContaining("START")]);
    expect(complianceAdvice("help", "Reply STOP to unsubscribe.")).toEqual([]);
    const view = complianceModalView({
      home: DEFAULT_HOME_STATE,
      line: {
        id: "6c1e5e1e-8c2b-4d6e-9a61-1f2d3c4b5a69",
        name: "Sales",
        number: "+19195550100",
        updatedAt: new Date(),
      },
      messages: { optOut: "x".repeat(2048), optIn: "ok 🙂", help: "" },
      defaults: { optOut: "d1", optIn: "d2", help: "d3" },
    });
    expect(blockKitProblems(view as never)).toEqual([]);
    expect(JSON.stringify(view.blocks)).toContain("UCS-2");
  });

  test("an import summary with thousands of rejections stays within limits", () => {
    const view = importResultView(DEFAULT_HOME_STATE, {
      added: 1,
      updated: 0,
      unchanged: 0,
      rejected: Array.from({ length: 5000 }, (_, i) => ({ row: i + 2, reason: "x".repeat(200) })),
      error: null,
    });
    expect(blockKitProblems(view as never)).toEqual([]);
    expect(JSON.stringify(view.blocks)).toContain("more rejected rows");
  });

  test("a Home state from anywhere is parsed defensively", () => {
    expect(parseHomeState('{"tab":"contacts","page":3,"query":"dana","lineId":null}')).toEqual({
      tab: "contacts",
      page: 3,
      query: "dana",
      lineId: null,
    });
    expect(parseHomeState('{"tab":"admin","page":-1,"lineId":"x"}')).toEqual(DEFAULT_HOME_STATE);
    expect(parseHomeState("not json")).toEqual(DEFAULT_HOME_STATE);
  });
});
