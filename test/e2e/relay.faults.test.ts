// Issue 3, "Two-way relay", when things go wrong: Slack throttling and failing, Bandwidth failing,
// callbacks racing the app's own bookkeeping, and the app restarting with work outstanding.
import pg from "pg";
import { statusCallback } from "../support/bandwidthSpec";
import type { RecordedMessage } from "../support/fakeBandwidth";
import { groupModalMetadata } from "../support/flows";
import { eventually, FRONT_DESK_LINE, SALES_LINE, useHarness } from "../support/harness";
import { eventCallbackBody, messageEvent, viewSubmissionBody } from "../support/slackRequests";
import {
  freshNumbers,
  pause,
  postsIn,
  sendText,
  type ThreadRef,
  threadOf,
  waitForPost,
  waitForPosts,
} from "./relayHelpers";

const h = useHarness();

function rootsIn(channel: string): number {
  return h.slack.callsTo("chat.postMessage").filter((c) => c.args.channel === channel && !c.args.thread_ts)
    .length;
}

/** Sends `perGroup` texts to each group, interleaved (g1#0, g2#0, g1#1, ...), each acknowledged. */
async function interleave(groups: string[][], perGroup: number, between?: (i: number) => void) {
  const sent = groups.map(() => [] as string[]);
  for (let i = 0; i < perGroup; i++) {
    between?.(i);
    for (const [g, group] of groups.entries()) {
      const text = `group ${g} message ${i}`;
      await sendText(h, group[i % group.length] ?? "", group, text);
      sent[g]?.push(text);
    }
  }
  return sent;
}

test("Slack answering 429 (Retry-After: 1) and 500s: every message arrives once, in order per thread", async () => {
  const g1 = freshNumbers(2);
  const g2 = freshNumbers(3);
  const faults = () => {
    h.slack.failNext("chat.postMessage", 1, { status: 429, retryAfterSeconds: 1 });
    h.slack.failNext("chat.postMessage", 3, { status: 500 });
  };
  // Faults at the start (they hit the thread roots) and again midway (they hit thread entries).
  const sent = await interleave([g1, g2], 10, (i) => {
    if (i === 0 || i === 5) faults();
  });
  const t1 = await threadOf(h, g1, SALES_LINE);
  const t2 = await threadOf(h, g2, SALES_LINE);
  await waitForPosts(h, t1, 10, 45_000);
  await waitForPosts(h, t2, 10, 45_000);
  // Anything a duplicate would have caused is posted by now: the last message of each is in.
  await pause(300);
  expect(postsIn(h.slack.calls, t1).map((p) => p.text)).toEqual(sent[0]);
  expect(postsIn(h.slack.calls, t2).map((p) => p.text)).toEqual(sent[1]);
  expect(rootsIn("CSALES")).toBe(2);
  // The faults were really met.
  const rejected = h.slack.rejected.filter((r) => r.method === "chat.postMessage");
  expect(rejected.filter((r) => r.status === 429)).toHaveLength(2);
  expect(rejected.filter((r) => r.status === 500)).toHaveLength(6);
}, 90_000);

// Slack allows about one post per second per channel. A busy thread waits out its own channel's
// limit (its job is deferred, its worker freed); a thread in another channel is not held up by it.
test("Slack's per-channel rate limit: a busy channel waits its turn, another channel goes on", async () => {
  const busy = freshNumbers(2);
  const quiet = freshNumbers(2);
  h.slack.rateLimitPerChannel(1);
  try {
    const sent: string[] = [];
    for (let i = 0; i < 6; i++) {
      sent.push(`busy ${i}`);
      await sendText(h, busy[i % 2] ?? "", busy, `busy ${i}`);
    }
    await sendText(h, quiet[0] ?? "", quiet, "quiet", { line: FRONT_DESK_LINE });
    const busyThread = await threadOf(h, busy);
    const quietThread = await threadOf(h, quiet, FRONT_DESK_LINE);
    await waitForPost(h, quietThread, (p) => p.text === "quiet");
    // The busy channel needs at least six more seconds for its entries; the quiet one only one.
    expect(postsIn(h.slack.calls, busyThread).length).toBeLessThan(4);
    await waitForPosts(h, busyThread, 6, 30_000);
    await pause(1_500);
    expect(postsIn(h.slack.calls, busyThread).map((p) => p.text)).toEqual(sent);
    expect(postsIn(h.slack.calls, quietThread).map((p) => p.text)).toEqual(["quiet"]);
    expect(h.slack.rejected.some((r) => r.reason === "rate_limited")).toBe(true);
  } finally {
    h.slack.rateLimitPerChannel(null);
  }
}, 60_000);

test("Bandwidth answering 429 and 500 to a teammate's reply: texted once, no failure notice", async () => {
  const group = freshNumbers(2);
  await sendText(h, group[0] ?? "", group, "hi");
  const thread = await threadOf(h, group);
  await waitForPost(h, thread, (p) => p.text === "hi");
  h.bandwidth.failNext(1, { status: 429, retryAfterSeconds: 1 });
  h.bandwidth.failNext(1, { status: 500 });
  await reply(thread, "through the storm");
  const texts = await waitForTexts(group, 1, 30_000);
  expect(texts.map((m) => m.body.text)).toEqual(["through the storm"]);
  expect(h.bandwidth.violations).toEqual([]);
  expect(h.bandwidth.requests.filter((r) => r.injected)).toHaveLength(2);
  await waitForPost(h, thread, (p) => /Texted to 2 participants/.test(p.text ?? ""));
  expect(postsIn(h.slack.calls, thread).some((p) => /not texted/.test(p.text ?? ""))).toBe(false);
}, 60_000);

/**
 * Holds the app between Bandwidth's 202 and its own commit (the delivery rows cannot be written),
 * runs `send`, and delivers a message-failed callback for `recipient` in that gap, as a fast
 * carrier rejection would arrive. The app must either take it in or refuse it (non-2xx) so that
 * Bandwidth delivers it again; acknowledging and forgetting it would lose it. Like Bandwidth,
 * this redelivers until acknowledged.
 */
async function failureBeforeCommit(group: string[], recipient: string, send: () => Promise<void>) {
  const blocker = new pg.Client({ connectionString: h.databaseUrl });
  await blocker.connect();
  try {
    await blocker.query("BEGIN");
    await blocker.query('LOCK TABLE "Delivery" IN EXCLUSIVE MODE');
    await send();
    const [sent] = await waitForTexts(group, 1);
    const failed = statusCallback({
      type: "message-failed",
      messageId: sent?.id ?? "",
      line: SALES_LINE,
      recipient,
      allRecipients: group,
      tag: sent?.body.tag,
      errorCode: 4406,
      description: "Destination unreachable",
    });
    const first = await h.webhook("status", [failed]);
    await blocker.query("COMMIT");
    if (first.status !== 200) {
      expect(first.status).toBeGreaterThanOrEqual(500);
      await eventually(async () => (await h.webhook("status", [failed])).status === 200);
    }
    return { sent, firstStatus: first.status };
  } finally {
    await blocker.query("ROLLBACK").catch(() => undefined);
    await blocker.end();
  }
}

describe("a status callback that arrives before the app has recorded the send is not lost", () => {
  test("for a teammate's thread reply", async () => {
    const group = freshNumbers(2);
    const [, bea] = group as [string, string];
    await sendText(h, group[0] ?? "", group, "hi");
    const thread = await threadOf(h, group);
    await waitForPost(h, thread, (p) => p.text === "hi");

    const { sent } = await failureBeforeCommit(group, bea, async () => {
      await reply(thread, "quick, before the callback");
    });
    const notice = await waitForPost(h, thread, (p) => /Not delivered/.test(p.text ?? ""));
    expect(notice.text).toContain("Destination unreachable");
    const delivery = await h.app.db.delivery.findFirst({
      where: { number: bea, message: { bandwidthMessageId: sent?.id ?? "" } },
    });
    expect(delivery?.status).toBe("FAILED");
  }, 60_000);

  test("for the first text of a group started from the modal", async () => {
    const group = freshNumbers(2);
    const [, bo] = group as [string, string];
    const line = await h.app.db.line.findUniqueOrThrow({ where: { number: SALES_LINE } });
    await failureBeforeCommit(group, bo, async () => {
      const response = await h.slackRequest(
        viewSubmissionBody({
          userId: "UDANA",
          view: {
            callback_id: "group_start",
            private_metadata: groupModalMetadata(),
            blocks: ["line", "numbers", "name", "message"].map((block_id) => ({ block_id })),
            state: {
              values: {
                line: { line_value: { type: "static_select", selected_option: { value: line.id } } },
                numbers: { numbers_value: { type: "plain_text_input", value: group.join("\n") } },
                name: { name_value: { type: "plain_text_input", value: null } },
                message: { message_value: { type: "plain_text_input", value: "first and fast" } },
              },
            },
          },
        }),
      );
      expect(response.status).toBe(200);
      expect(response.text).toBe("");
    });
    const thread = await threadOf(h, group);
    expect(thread.channel).toBe("CGENERAL");
    const notice = await waitForPost(h, thread, (p) => /Not delivered/.test(p.text ?? ""), 20_000);
    expect(notice.text).toContain("Destination unreachable");
  }, 60_000);
});

describe("restart with work outstanding", () => {
  test("callbacks acknowledged while Slack refuses every post are all posted, once, in order, after a restart", async () => {
    const g1 = freshNumbers(2);
    const g2 = freshNumbers(2);
    // An outage: Slack answers ok:false to every post (WebClient does not retry those; jobs do).
    h.slack.failNext("chat.postMessage", 100_000, { error: "internal_error" });
    const sent = await interleave([g1, g2], 4);
    // The app has tried, and failed.
    await h.slack.waitFor(() => h.slack.rejected.filter((r) => r.method === "chat.postMessage").length >= 2);
    expect(h.slack.callsTo("chat.postMessage")).toHaveLength(0);

    await h.restart();
    h.slack.reset(); // the outage is over

    const t1 = await threadOf(h, g1);
    const t2 = await threadOf(h, g2);
    await waitForPosts(h, t1, 4, 30_000);
    await waitForPosts(h, t2, 4, 30_000);
    await pause(300);
    expect(postsIn(h.slack.calls, t1).map((p) => p.text)).toEqual(sent[0]);
    expect(postsIn(h.slack.calls, t2).map((p) => p.text)).toEqual(sent[1]);
    expect(rootsIn("CSALES")).toBe(2);
  }, 90_000);

  test("restarted while WebClient is retrying 500s inside jobs, Slack recovering during the shutdown: once, in order", async () => {
    const g1 = freshNumbers(2);
    const g2 = freshNumbers(2);
    h.slack.failNext("chat.postMessage", 100_000, { status: 500 });
    const sent = await interleave([g1, g2], 3);
    await h.slack.waitFor(() => h.slack.rejected.filter((r) => r.method === "chat.postMessage").length >= 2);

    // A rolling restart: the old instance stops with posts in flight, and Slack comes back meanwhile.
    // Whatever the stopping instance still posts, the new one must not post again.
    const restarting = h.restart();
    await pause(100);
    h.slack.reset();
    await restarting;

    const t1 = await threadOf(h, g1);
    const t2 = await threadOf(h, g2);
    await waitForPosts(h, t1, 3, 30_000);
    await waitForPosts(h, t2, 3, 30_000);
    await pause(500);
    expect(postsIn(h.slack.calls, t1).map((p) => p.text)).toEqual(sent[0]);
    expect(postsIn(h.slack.calls, t2).map((p) => p.text)).toEqual(sent[1]);
    expect(rootsIn("CSALES")).toBe(2);
  }, 90_000);

  // While Slack answers 500, job handlers keep retrying inside WebClient; stop() gives them a grace
  // period, then cuts their calls short (their rows stay pending and are redone after start).
  // Nothing of the stopped app may run on: it would use a closed database, or post twice.
  test("app.stop() finishes within 20 s while Slack keeps answering HTTP 500, and nothing of it runs on", async () => {
    const group = freshNumbers(2);
    h.slack.failNext("chat.postMessage", 100_000, { status: 500 });
    await interleave([group], 2);
    await h.slack.waitFor(() => h.slack.rejected.filter((r) => r.method === "chat.postMessage").length >= 2);
    const started = Date.now();
    await h.app.stop();
    const took = Date.now() - started;
    const callsAtStop = h.slack.rejected.length + h.slack.calls.length;
    await pause(2_500);
    expect(h.slack.rejected.length + h.slack.calls.length).toBe(callsAtStop);
    expect(h.logs.join("\n")).not.toMatch(/jobs still running after stop/);
    h.slack.reset();
    await h.restart();
    await waitForPosts(h, await threadOf(h, group), 2, 30_000);
    expect(took).toBeLessThan(20_000);
  }, 120_000);

  test("a teammate's reply acknowledged while Bandwidth is down is texted once after a restart", async () => {
    const group = freshNumbers(2);
    await sendText(h, group[0] ?? "", group, "hi");
    const thread = await threadOf(h, group);
    await waitForPost(h, thread, (p) => p.text === "hi");
    h.bandwidth.setFailure(() => ({ status: 503 }));
    await reply(thread, "after the restart");
    await eventually(() => h.bandwidth.requests.some((r) => r.injected));
    await h.restart();
    h.bandwidth.setFailure(null);
    const texts = await waitForTexts(group, 1, 30_000);
    await pause(1_000);
    expect(textsTo(group).map((m) => m.body.text)).toEqual(["after the restart"]);
    expect(texts[0]?.body.tag).toMatch(/^m:/);
  }, 90_000);
});

async function reply(thread: ThreadRef, text: string) {
  const event = messageEvent({ channel: thread.channel, user: "UDANA", text, threadTs: thread.ts });
  const response = await h.slackRequest(eventCallbackBody({ event }));
  expect(response.status).toBe(200);
  return event;
}

function textsTo(group: string[]): RecordedMessage[] {
  return h.bandwidth.messages.filter((m) => m.body.to.some((n) => group.includes(n)));
}

function waitForTexts(group: string[], n: number, timeoutMs = 15_000): Promise<RecordedMessage[]> {
  return eventually(() => {
    const texts = textsTo(group);
    return texts.length >= n ? texts : undefined;
  }, timeoutMs);
}
