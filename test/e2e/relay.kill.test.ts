// Issue 3, "Two-way relay", across a real crash: the compiled app (tsc → node dist/main.js, built
// into a temporary directory by this test) is killed with SIGKILL while work it acknowledged is
// outstanding in both directions; a fresh process on the same database finishes it exactly once.
// (test/e2e/processes.test.ts covers the inbound-only case at scale.)
import { createDb } from "../../src/db/client";
import type { AppProcess } from "../support/appProcess";
import type { FakeBandwidth } from "../support/fakeBandwidth";
import type { FakeSlack } from "../support/fakeSlack";
import { basicAuth, eventually, SALES_LINE, SECRETS } from "../support/harness";
import { processRig } from "../support/processRig";
import { blockActionsBody, eventCallbackBody, messageEvent, postSlack } from "../support/slackRequests";
import { createTestDatabase } from "../support/testDatabase";
import { groupText, postsIn } from "./relayHelpers";

const rig = processRig({ SEND_CONFIRM_WAIT_MS: "3000" });
const { start } = rig;
let slack: FakeSlack;
let bandwidth: FakeBandwidth;
beforeAll(() => {
  ({ slack, bandwidth } = rig);
});

async function kill(app: AppProcess): Promise<void> {
  const { signal } = await rig.kill(app);
  expect(signal).toBe("SIGKILL");
}

async function inbound(app: AppProcess, from: string, group: string[], text: string): Promise<void> {
  const response = await fetch(`${app.url}/webhooks/bandwidth/inbound`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: basicAuth(SECRETS.callbackUser, SECRETS.callbackPassword),
    },
    body: JSON.stringify([groupText(from, group, text)]),
  });
  expect(response.status).toBe(200);
}

test("kill -9 with a contact's texts and a teammate's reply acknowledged but not yet relayed: a new process relays each once, in order", async () => {
  const databaseUrl = await createTestDatabase({ migrated: false });
  const group = ["+14155550171", "+14155550172", "+14155550173"];
  const [a, b, c] = group as [string, string, string];

  // The group's thread exists.
  let app = await start(databaseUrl);
  await inbound(app, a, group, "opening text");
  await slack.waitFor((calls) => calls.some((call) => call.args.text === "opening text"), 15_000);
  const root = slack.messagesIn("CSALES").find((m) => m.thread_ts === undefined);
  const thread = { channel: "CSALES", ts: root?.ts ?? "" };
  expect(thread.ts).not.toBe("");

  // Both providers go down; the app acknowledges more work in both directions, then dies.
  slack.failNext("chat.postMessage", 100_000, { status: 500 });
  bandwidth.setFailure(() => ({ status: 503 }));
  const texts = ["one", "two", "three", "four"];
  for (const [i, text] of texts.entries()) await inbound(app, [b, c, a][i % 3] ?? a, group, text);
  const event = messageEvent({
    channel: thread.channel,
    user: "UDANA",
    text: "teammate reply",
    threadTs: thread.ts,
  });
  const ack = await postSlack(app.url, SECRETS.signingSecret, eventCallbackBody({ event }));
  expect(ack.status).toBe(200);
  // It has tried both, and failed.
  await eventually(() => bandwidth.requests.some((r) => r.injected));
  await slack.waitFor(() => slack.rejected.length > 0);
  await kill(app);

  // The outage ends; a fresh process starts on the same database.
  slack.reset();
  bandwidth.setFailure(null);
  app = await start(databaseUrl);

  await slack.waitFor((calls) => postsIn(calls, thread).some((p) => p.text === "four"), 30_000);
  // Killed while a request to Bandwidth was under way (it had just answered 503, say), the reply is
  // in doubt: with no evidence that Bandwidth took it, it is shown as not confirmed, and a teammate
  // sends it again. Otherwise it is texted by itself. Either way it reaches the group once.
  const db = createDb(databaseUrl);
  try {
    const reply = await eventually(async () => {
      const m = await db.message.findFirst({ where: { text: "teammate reply" } });
      return m && (m.sendState === "SENT" || m.sendState === "UNCONFIRMED") ? m : undefined;
    }, 30_000);
    if (reply.sendState === "UNCONFIRMED") {
      await slack.waitFor((calls) => postsIn(calls, thread).some((p) => p.text?.includes("Not confirmed")));
      const click = blockActionsBody({
        userId: "UDANA",
        channelId: thread.channel,
        actions: [{ action_id: "send_again", value: reply.id }],
      });
      expect((await postSlack(app.url, SECRETS.signingSecret, click)).status).toBe(200);
    }
  } finally {
    await db.$disconnect();
  }
  const sent = await bandwidth.waitForMessages(1, 30_000);
  // Every straggler would be in by now.
  await new Promise((r) => setTimeout(r, 1_500));
  expect(
    postsIn(slack.calls, thread)
      .map((p) => p.text)
      .filter((t) => texts.includes(t ?? "")),
  ).toEqual(texts);
  expect(bandwidth.messages).toHaveLength(1);
  expect(sent[0]?.body.text).toBe("teammate reply");
  expect(sent[0]?.body.from).toBe(SALES_LINE);
  expect([...(sent[0]?.body.to ?? [])].sort()).toEqual(group);
  expect(bandwidth.violations).toEqual([]);
}, 120_000);
