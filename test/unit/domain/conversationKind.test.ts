import {
  commandKind,
  KIND_RULES,
  kindCost,
  MAX_MULTI_RECIPIENTS,
  parseKind,
} from "../../../src/domain/conversationKind";
import { countRecipients, modalEstimate } from "../../../src/domain/modalEstimate";
import { tallyStates } from "../../../src/domain/multiSend";
import { describeSeparateCost } from "../../../src/domain/segments";
import { multiSendReport } from "../../../src/slack/views/multiSendReport";

describe("the kind of conversation a form starts", () => {
  test("a group needs a group-enabled line and holds 9; one contact or up to 100 go from any active line", () => {
    expect(KIND_RULES.group).toMatchObject({ maxContacts: 9, groupLinesOnly: true, optedOut: "refuse" });
    expect(KIND_RULES.one).toMatchObject({ maxContacts: 1, groupLinesOnly: false, optedOut: "refuse" });
    expect(KIND_RULES.many).toMatchObject({
      maxContacts: MAX_MULTI_RECIPIENTS,
      groupLinesOnly: false,
      optedOut: "skip",
    });
    expect(MAX_MULTI_RECIPIENTS).toBe(100);
  });

  test.each([
    ["one", "one"],
    ["many", "many"],
    ["group", "group"],
    [undefined, "group"],
    ["ONE", "group"],
    ["everyone", "group"],
    [42, "group"],
  ])("parseKind(%p) is %p", (value, kind) => {
    expect(parseKind(value)).toBe(kind);
  });

  test.each([
    ["one", { kind: "one", text: "" }],
    ["One Your order is ready", { kind: "one", text: "Your order is ready" }],
    ["  many  We are closed\nMonday", { kind: "many", text: "We are closed\nMonday" }],
    ["group Pizza at 7?", { kind: "group", text: "Pizza at 7?" }],
    ["Pizza at 7?", { kind: null, text: "Pizza at 7?" }],
    ["one-on-one later?", { kind: null, text: "one-on-one later?" }],
    ["someone called", { kind: null, text: "someone called" }],
    ["", { kind: null, text: "" }],
  ])("`/grouptext %s` reads as %p", (text, expected) => {
    expect(commandKind(text)).toEqual(expected);
  });
});

describe("cost as each kind is billed", () => {
  const long = "x".repeat(200); // 2 GSM-7 segments

  test("a group is one MMS per contact whatever its length", () => {
    expect(kindCost("group", 9, long)).toBe("9 MMS (group text: 1 per contact, any length)");
  });

  test("one contact is SMS segments, or one MMS with media", () => {
    expect(kindCost("one", 1, long)).toBe("2 SMS (1 contact × 2 segments)");
    expect(kindCost("one", 1, "hi", 1)).toBe("1 MMS (1 contact, with media)");
  });

  test("many contacts are SMS segments per contact, each sent separately, never group MMS", () => {
    expect(kindCost("many", 23, long)).toBe("46 SMS (23 contacts × 2 segments), each sent separately");
    expect(kindCost("many", 23, "Closed — Monday")).toBe(
      "23 SMS (23 contacts × 1 segment), each sent separately",
    );
    expect(kindCost("many", 3, `${"x".repeat(71)}—`)).toBe(
      "6 SMS (3 contacts × 2 segments, UCS-2), each sent separately",
    );
    expect(describeSeparateCost(4, "see picture", 1)).toBe(
      "4 MMS (1 per contact, sent separately, with media)",
    );
  });

  test("the modal's estimate follows the kind", () => {
    expect(modalEstimate(2, "hi", "many").cost).toBe("2 SMS (2 contacts × 1 segment), each sent separately");
    expect(modalEstimate(2, "hi").cost).toBe("2 MMS (group text: 1 per contact, any length)");
    expect(modalEstimate(0, "hi", "one").cost).toBeNull();
  });

  test("a multi-recipient form counts up to its own longer list of typed numbers", () => {
    const typed = Array.from({ length: 40 }, (_, i) => `(718) 555-${String(1000 + i)}`).join("\n");
    expect(typed.length).toBeGreaterThan(500);
    expect(countRecipients([], typed, "many")).toBe(40);
    expect(countRecipients([], typed, "group")).toBeLessThan(40);
  });
});

describe("a multi-recipient send's channel message", () => {
  const line = { name: "Sales", number: "+19195550100" };

  test("while texts go out it shows how many are done", () => {
    const tally = tallyStates(["SENT", "SENDING", "PENDING", "FAILED"], 2, 0);
    expect(tally).toEqual({
      recipients: 4,
      sent: 1,
      unconfirmed: 0,
      failed: 1,
      pending: 2,
      skipped: 2,
      continued: 0,
    });
    expect(multiSendReport({ requestedBy: "UDANA", line, tally }).markup).toBe(
      ":outbox_tray: <@UDANA> is texting 6 contacts from Sales · (919) 555-0100, each in their own thread: 2 of 4 done so far · 2 skipped (opted out) · 1 failed.",
    );
  });

  test("at the end it says what was sent, skipped as opted out, or failed", () => {
    const tally = tallyStates([...Array(23).fill("SENT")], 2, 3);
    expect(multiSendReport({ requestedBy: "UDANA", line, tally }).markup).toBe(
      ":white_check_mark: <@UDANA> texted 23 of 25 contacts from Sales · (919) 555-0100: 23 sent (20 new threads, 3 continued) · 2 skipped (opted out).",
    );
    const mixed = tallyStates(["SENT", "FAILED", "UNCONFIRMED"], 0, 0);
    expect(multiSendReport({ requestedBy: "UDANA", line, tally: mixed }).markup).toBe(
      ":warning: <@UDANA> texted 1 of 3 contacts from Sales · (919) 555-0100: 1 sent (1 new thread, 0 continued) · 1 failed · 1 not confirmed (see their threads).",
    );
  });
});
