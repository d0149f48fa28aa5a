import { startGroup, teammateReplies } from "../support/flows";
import { eventually, type Harness, startHarness } from "../support/harness";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});
afterEach(() => {
  h.bandwidth.reset();
});

describe("outbound texts when Bandwidth fails", () => {
  test("a 429 with Retry-After is waited out and the text goes once", async () => {
    const conversation = await startGroup(h, { numbers: ["+17735550101", "+17735550102"] });
    h.bandwidth.reset();
    h.bandwidth.failNext(1, { status: 429, retryAfterSeconds: 1 });
    const before = Date.now();
    await teammateReplies(h, {
      channel: conversation.channelId ?? "",
      threadTs: conversation.threadTs ?? "",
      text: "After the wait",
    });
    const [sent] = await h.bandwidth.waitForMessages(1, 20_000);
    expect(sent?.body.text).toBe("After the wait");
    expect(sent?.receivedAt.getTime() ?? 0).toBeGreaterThanOrEqual(before + 1000);
    await new Promise((r) => setTimeout(r, 500));
    expect(h.bandwidth.messages).toHaveLength(1);
  });

  test("500s then recovery: delivered once after the retries", async () => {
    const conversation = await startGroup(h, { numbers: ["+17735550201", "+17735550202"] });
    h.bandwidth.reset();
    h.bandwidth.failNext(2, { status: 500 });
    await teammateReplies(h, {
      channel: conversation.channelId ?? "",
      threadTs: conversation.threadTs ?? "",
      text: "Eventually",
    });
    const [sent] = await h.bandwidth.waitForMessages(1, 30_000);
    expect(sent?.body.text).toBe("Eventually");
    await new Promise((r) => setTimeout(r, 1000));
    expect(h.bandwidth.messages).toHaveLength(1);
  });

  test("a text that still fails after its retry budget is reported in the thread, not dropped", async () => {
    const conversation = await startGroup(h, { numbers: ["+17735550301", "+17735550302"] });
    h.bandwidth.reset();
    h.slack.reset();
    h.bandwidth.failNext(50, { status: 503 });
    await teammateReplies(h, {
      channel: conversation.channelId ?? "",
      threadTs: conversation.threadTs ?? "",
      text: "Doomed",
    });
    const notice = await eventually(
      () => h.slack.callsTo("chat.postMessage").find((c) => String(c.args.text).includes("was not texted")),
      60_000,
    );
    expect(notice.args.thread_ts).toBe(conversation.threadTs);
    expect(String(notice.args.text)).toContain("Bandwidth had a problem on its side");
    const message = await h.app.db.message.findFirstOrThrow({ where: { text: "Doomed" } });
    expect(message.sendState).toBe("FAILED");
    expect(h.bandwidth.messages).toHaveLength(0);
  }, 90_000);

  test("a Bandwidth 400 is reported at once, without retries", async () => {
    const conversation = await startGroup(h, { numbers: ["+17735550401", "+17735550402"] });
    h.bandwidth.reset();
    h.slack.reset();
    h.bandwidth.failNext(1, { status: 400, description: "Something is wrong with 'to'" });
    await teammateReplies(h, {
      channel: conversation.channelId ?? "",
      threadTs: conversation.threadTs ?? "",
      text: "Refused",
    });
    const notice = await eventually(
      () => h.slack.callsTo("chat.postMessage").find((c) => String(c.args.text).includes("was not texted")),
      15_000,
    );
    expect(String(notice.args.text)).toContain("Bandwidth refused it as invalid");
    expect(String(notice.args.text)).not.toContain("Something is wrong");
    expect(h.bandwidth.requests.filter((r) => r.status === 400)).toHaveLength(1);
  });
});
