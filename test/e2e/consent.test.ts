import { defaultComplianceMessages } from "../../src/domain/compliance";
import { contactTexts, startGroup, teammateReplies } from "../support/flows";
import { eventually, FRONT_DESK_LINE, type Harness, SALES_LINE, startHarness } from "../support/harness";

const GROUP = Array.from({ length: 9 }, (_, i) => `+1312555${String(200 + i).padStart(4, "0")}`);
const [first, ...others] = GROUP as [string, ...string[]];

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

describe("opt-out and opt-in by keyword", () => {
  test("STOP in a 9-person group: 1:1 confirmation, thread notice, root updated, later replies skip them; START reverses it", async () => {
    await h.app.db.contact.upsert({
      where: { number: first },
      create: { number: first, name: "Sam Stone" },
      update: { name: "Sam Stone" },
    });
    const conversation = await startGroup(h, { numbers: GROUP, name: "Block party" });
    const channel = conversation.channelId ?? "";
    const threadTs = conversation.threadTs ?? "";
    h.bandwidth.reset();
    h.slack.reset();

    const response = await contactTexts(h, { from: first, others, text: "  stop " });
    expect(response.status).toBe(200);

    const [confirmation] = await h.bandwidth.waitForMessages(1);
    expect(confirmation?.body.to).toEqual([first]);
    expect(confirmation?.body.from).toBe(SALES_LINE);
    expect(confirmation?.body.text).toBe(defaultComplianceMessages("Sales").optOut);
    expect(h.bandwidth.violations).toEqual([]);

    const notice = await h.slack.waitFor((calls) =>
      calls.some((c) => c.method === "chat.postMessage" && String(c.args.text).includes("opted out")),
    );
    const noticeCall = notice.find(
      (c) => c.method === "chat.postMessage" && String(c.args.text).includes("opted out"),
    );
    expect(noticeCall?.args.thread_ts).toBe(threadTs);
    expect(String(noticeCall?.args.text)).toContain("Sam Stone");
    expect(String(noticeCall?.args.text)).toContain("remaining 8 participants");
    const update = await h.slack.waitForCalls("chat.update", 1);
    expect(update[0]?.args.ts).toBe(threadTs);
    expect(JSON.stringify(update[0]?.args.blocks)).toContain("opted out");
    // The opt-out confirmation Sam received is shown in the thread as a small line too.
    const autoReply = await h.slack.waitFor((calls) =>
      calls.some(
        (c) => c.method === "chat.postMessage" && String(c.args.text).startsWith("Auto-reply texted to"),
      ),
    );
    const autoReplyCall = autoReply.find(
      (c) => c.method === "chat.postMessage" && String(c.args.text).startsWith("Auto-reply texted to"),
    );
    expect(autoReplyCall?.args.thread_ts).toBe(threadTs);
    expect(String(autoReplyCall?.args.text)).toBe(
      `Auto-reply texted to Sam Stone: “${defaultComplianceMessages("Sales").optOut}”`,
    );
    // The keyword itself is shown as the notice, not relayed as a chat message.
    expect(h.slack.callsTo("chat.postMessage").some((c) => String(c.args.text).trim() === "stop")).toBe(
      false,
    );

    h.bandwidth.reset();
    await teammateReplies(h, { channel, threadTs, text: "Sorry to see you go. Everyone else: 6pm!" });
    const [reply] = await h.bandwidth.waitForMessages(1);
    expect([...(reply?.body.to ?? [])].sort()).toEqual([...others].sort());

    // The remaining eight are a new group on the phones; their replies land in the same thread.
    h.slack.reset();
    await contactTexts(h, { from: others[0] ?? "", others: others.slice(1), text: "See you at 6" });
    const relayed = await h.slack.waitFor((calls) => calls.some((c) => c.args.text === "See you at 6"));
    expect(relayed.find((c) => c.args.text === "See you at 6")?.args.thread_ts).toBe(threadTs);

    h.bandwidth.reset();
    await contactTexts(h, { from: first, others: [], text: "START" });
    const [optIn] = await h.bandwidth.waitForMessages(1);
    expect(optIn?.body.to).toEqual([first]);
    expect(optIn?.body.text).toBe(defaultComplianceMessages("Sales").optIn);

    h.bandwidth.reset();
    await teammateReplies(h, { channel, threadTs, text: "Welcome back Sam" });
    const [all] = await h.bandwidth.waitForMessages(1);
    expect([...(all?.body.to ?? [])].sort()).toEqual([...GROUP].sort());

    const events = await h.app.db.consentEvent.findMany({
      where: { number: first },
      orderBy: { createdAt: "asc" },
    });
    expect(events.map((e) => [e.status, e.source])).toEqual([
      ["OPTED_OUT", "KEYWORD"],
      ["OPTED_IN", "KEYWORD"],
    ]);
  });

  test("'please STOP the music' is a normal message", async () => {
    const numbers = ["+13125550301", "+13125550302"];
    const conversation = await startGroup(h, { numbers });
    h.bandwidth.reset();
    h.slack.reset();
    await contactTexts(h, { from: "+13125550301", others: ["+13125550302"], text: "please STOP the music" });
    const calls = await h.slack.waitFor((c) => c.some((x) => x.args.text === "please STOP the music"));
    expect(calls.find((x) => x.args.text === "please STOP the music")?.args.thread_ts).toBe(
      conversation.threadTs,
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(h.bandwidth.messages).toHaveLength(0);
    expect(await h.app.db.consent.count({ where: { number: "+13125550301" } })).toBe(0);
  });

  test("HELP gets the line's help message, 1:1", async () => {
    h.bandwidth.reset();
    await contactTexts(h, { from: "+13125550401", others: [], text: "help" });
    const [help] = await h.bandwidth.waitForMessages(1);
    expect(help?.body.to).toEqual(["+13125550401"]);
    expect(help?.body.text).toBe(defaultComplianceMessages("Sales").help);
  });

  test("consent is per line: opted out of Sales, still reachable from Front desk", async () => {
    const number = "+13125550501";
    await contactTexts(h, { from: number, others: [], text: "STOP" });
    await eventually(() =>
      h.app.db.consent.findFirst({ where: { number, status: "OPTED_OUT" } }).then((c) => c ?? undefined),
    );

    // A 1:1 conversation on the Front desk line, started by the contact.
    h.slack.reset();
    await contactTexts(h, { line: FRONT_DESK_LINE, from: number, others: [], text: "Is the desk open?" });
    const conversation = await eventually(() =>
      h.app.db.groupConversation
        .findFirst({ where: { line: { number: FRONT_DESK_LINE }, threadTs: { not: null } } })
        .then((c) => c ?? undefined),
    );
    expect(conversation.channelId).toBe("CDEFAULT");
    h.bandwidth.reset();
    await teammateReplies(h, {
      channel: "CDEFAULT",
      threadTs: conversation.threadTs ?? "",
      text: "Yes, until 5",
    });
    const [reply] = await h.bandwidth.waitForMessages(1);
    expect(reply?.body.from).toBe(FRONT_DESK_LINE);
    expect(reply?.body.to).toEqual([number]);
  });

  test("a group whose every participant opted out refuses to send, with an ephemeral message", async () => {
    const numbers = ["+13125550601", "+13125550602"];
    const conversation = await startGroup(h, { numbers });
    await contactTexts(h, { from: numbers[0] ?? "", others: [numbers[1] ?? ""], text: "STOP" });
    await contactTexts(h, { from: numbers[1] ?? "", others: [], text: "unsubscribe" });
    await eventually(
      async () =>
        (await h.app.db.consent.count({ where: { number: { in: numbers }, status: "OPTED_OUT" } })) === 2,
    );
    // Both opt-out confirmations (one per conversation: the second STOP came one-to-one) have
    // left before the count below starts.
    await eventually(
      async () =>
        (await h.app.db.message.count({
          where: { sendState: { in: ["QUEUED", "SENDING", "IN_DOUBT"] } },
        })) === 0,
    );
    h.bandwidth.reset();
    h.slack.reset();
    await teammateReplies(h, {
      channel: conversation.channelId ?? "",
      threadTs: conversation.threadTs ?? "",
      text: "Anyone?",
      user: "ULEE",
    });
    const ephemeral = await h.slack.waitForCalls("chat.postEphemeral", 1);
    expect(ephemeral[0]?.args.user).toBe("ULEE");
    expect(String(ephemeral[0]?.args.text)).toContain("opted out");
    await new Promise((r) => setTimeout(r, 300));
    expect(h.bandwidth.messages).toHaveLength(0);
  });

  test("a reply queued before the opt-out and sent after it skips the number", async () => {
    const numbers = ["+13125550701", "+13125550702", "+13125550703"];
    const conversation = await startGroup(h, { numbers });
    h.bandwidth.reset();
    // Bandwidth is down when the reply is written, so the text waits in a retrying job.
    h.bandwidth.failNext(1, { status: 503 });
    await teammateReplies(h, {
      channel: conversation.channelId ?? "",
      threadTs: conversation.threadTs ?? "",
      text: "Queued before STOP",
    });
    await eventually(() => h.bandwidth.requests.some((r) => r.status === 503));
    await contactTexts(h, { from: "+13125550701", others: ["+13125550702", "+13125550703"], text: "Stop." });
    const messages = await h.bandwidth.waitForMessages(2, 20_000);
    const reply = messages.find((m) => m.body.text === "Queued before STOP");
    expect([...(reply?.body.to ?? [])].sort()).toEqual(["+13125550702", "+13125550703"]);
  });
});
