// Issue 13 (part A): a multi-recipient send across a real crash. The compiled app is killed with
// SIGKILL while the send's texts are going out (one of them taken by Bandwidth, its answer not yet
// back); a fresh process on the same database texts every remaining recipient once, texts nobody
// twice, and shows the summary.
import { createDb } from "../../src/db/client";
import type { FakeBandwidth } from "../support/fakeBandwidth";
import type { FakeSlack } from "../support/fakeSlack";
import { groupModalMetadata } from "../support/flows";
import { eventually, SALES_LINE, SECRETS } from "../support/harness";
import { processRig } from "../support/processRig";
import { postSlack, viewSubmissionBody } from "../support/slackRequests";
import { createTestDatabase } from "../support/testDatabase";

const rig = processRig({ SEND_CONFIRM_WAIT_MS: "3000" });
const { start } = rig;
let slack: FakeSlack;
let bandwidth: FakeBandwidth;
beforeAll(() => {
  ({ slack, bandwidth } = rig);
});

test("kill -9 in the middle of a multi-recipient send: every recipient is texted once, and the summary comes", async () => {
  const databaseUrl = await createTestDatabase({ migrated: false });
  const numbers = Array.from({ length: 12 }, (_, i) => `+1415555${String(3000 + i)}`);
  let app = await start(databaseUrl);
  const db = createDb(databaseUrl);
  try {
    const line = await db.line.findUniqueOrThrow({ where: { number: SALES_LINE } });
    // Bandwidth takes each text, then answers slowly: the kill lands while one is in flight.
    bandwidth.setAnswerDelay(1_500);
    const response = await postSlack(
      app.url,
      SECRETS.signingSecret,
      viewSubmissionBody({
        userId: "UDANA",
        view: {
          callback_id: "group_start",
          private_metadata: groupModalMetadata("CGENERAL"),
          state: {
            values: {
              kind: { kind_value: { type: "radio_buttons", selected_option: { value: "many" } } },
              channel: {
                channel_value: { type: "conversations_select", selected_conversation: "CGENERAL" },
              },
              line: { line_value: { type: "static_select", selected_option: { value: line.id } } },
              numbers: { numbers_value: { type: "plain_text_input", value: numbers.join(", ") } },
              message: {
                message_value: { type: "plain_text_input", value: "Storm warning: we open at noon." },
              },
            },
          },
          blocks: ["kind", "channel", "line", "numbers", "message"].map((block_id) => ({ block_id })),
        },
      }),
    );
    expect(response.status).toBe(200);
    expect(response.text).toBe("");
    await eventually(() => bandwidth.messages.length >= 3, 30_000);
    expect((await rig.kill(app)).signal).toBe("SIGKILL");
    // Some not begun, and one taken by Bandwidth whose answer never came: in doubt, not re-sent.
    expect(await db.groupStart.count({ where: { state: "PENDING" } })).toBeGreaterThan(0);
    expect(await db.groupStart.count({ where: { state: "SENDING" } })).toBeGreaterThan(0);

    bandwidth.setAnswerDelay(0);
    app = await start(databaseUrl);
    const send = await eventually(async () => {
      const row = await db.multiSend.findFirst({ where: { finishedAt: { not: null } } });
      return row ?? undefined;
    }, 60_000);
    // Every straggler would be in by now.
    await new Promise((r) => setTimeout(r, 1_500));
    const texted = bandwidth.messages.map((m) => m.body.to.join(",")).sort();
    // Nobody is texted twice.
    expect(new Set(texted).size).toBe(texted.length);
    expect(bandwidth.violations).toEqual([]);
    const starts = await db.groupStart.findMany({ where: { multiSendId: send.id } });
    expect(starts).toHaveLength(12);
    // Everyone is texted once, except a start the kill caught marked as begun before its request
    // reached Bandwidth: in doubt, with no evidence of a send, it is never sent blindly again but
    // shown as not confirmed (its thread offers Send again). Where the kill lands decides whether
    // there is one.
    const unconfirmed = starts.filter((s) => s.state === "UNCONFIRMED");
    expect(unconfirmed.length).toBeLessThanOrEqual(1);
    expect(starts.filter((s) => s.state === "SENT")).toHaveLength(12 - unconfirmed.length);
    const notTexted = numbers.filter((n) => !texted.includes(n));
    expect(notTexted).toHaveLength(unconfirmed.length);
    expect(unconfirmed.flatMap((s) => s.recipients)).toEqual(notTexted);
    const summary = slack.messagesIn("CGENERAL").find((m) => m.ts === send.reportTs);
    const sent = 12 - unconfirmed.length;
    expect(String(summary?.text)).toContain(`${sent} sent (${sent} new threads, 0 continued)`);
    if (unconfirmed.length > 0) expect(String(summary?.text)).toContain("1 not confirmed");
  } finally {
    await db.$disconnect();
  }
}, 180_000);
