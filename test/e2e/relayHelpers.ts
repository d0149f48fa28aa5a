// Shared helpers for the two-way relay end-to-end tests (relay.*.test.ts).
import { participantKey } from "../../src/domain/participants";
import { inboundMessageCallback, statusCallback } from "../support/bandwidthSpec";
import type { RecordedCall } from "../support/fakeSlack";
import { eventually, type Harness, SALES_LINE } from "../support/harness";
import { eventCallbackBody, messageEvent } from "../support/slackRequests";

// NANP 555-0100..0199 is fictional in every US area code; one area code per allocation block keeps
// every test on numbers no other test in its file has touched.
const AREA_CODES = ["212", "646", "718", "917", "347", "929", "332", "516", "914", "631", "201", "973"];
let allocated = 0;

/** `count` fresh E.164 numbers, never handed out before in this test file. */
export function freshNumbers(count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = allocated++;
    const area = AREA_CODES[Math.floor(n / 100) % AREA_CODES.length];
    out.push(`+1${area}55501${String(n % 100).padStart(2, "0")}`);
  }
  return out;
}

export interface SendInbound {
  line?: string;
  media?: string[];
  id?: string;
}

/**
 * What Bandwidth posts when `from` texts the group `group` (every contact, sender included) on `line`:
 * `message.to` is every other member plus the line.
 */
export function groupText(from: string, group: string[], text: string, opts: SendInbound = {}) {
  const line = opts.line ?? SALES_LINE;
  return inboundMessageCallback({
    line,
    from,
    to: [line, ...group.filter((n) => n !== from)],
    text,
    ...(opts.media ? { media: opts.media } : {}),
    ...(opts.id ? { id: opts.id } : {}),
  });
}

/** Delivers one inbound callback (as the one-element array Bandwidth sends) and expects the 200 ack. */
export async function sendText(
  h: Harness,
  from: string,
  group: string[],
  text: string,
  opts: SendInbound = {},
) {
  const callback = groupText(from, group, text, opts);
  const response = await h.webhook("inbound", [callback]);
  expect(response.status).toBe(200);
  return callback;
}

export interface ThreadRef {
  conversationId: string;
  channel: string;
  ts: string;
}

/** The conversation of (line, contacts), once its thread root has been posted. */
export async function threadOf(h: Harness, contacts: string[], line = SALES_LINE): Promise<ThreadRef> {
  return eventually(async () => {
    const key = await h.app.db.conversationKey.findFirst({
      where: { key: participantKey(contacts), line: { number: line } },
      include: { conversation: true },
    });
    const c = key?.conversation;
    return c?.threadTs && c.channelId
      ? { conversationId: c.id, channel: c.channelId, ts: c.threadTs }
      : undefined;
  });
}

export type PostArgs = {
  channel?: string;
  thread_ts?: string;
  text?: string;
  username?: string;
  icon_emoji?: string;
  blocks?: unknown;
};

export function postArgs(call: RecordedCall): PostArgs {
  return call.args as PostArgs;
}

/** Successful chat.postMessage calls into one thread, in the order Slack received them. */
export function postsIn(calls: readonly RecordedCall[], thread: { channel: string; ts: string }): PostArgs[] {
  return calls
    .filter((c) => c.method === "chat.postMessage" && !c.error)
    .map(postArgs)
    .filter((a) => a.channel === thread.channel && a.thread_ts === thread.ts);
}

/** Waits until the thread holds at least `n` posts; returns them all. */
export async function waitForPosts(
  h: Harness,
  thread: { channel: string; ts: string },
  n: number,
  timeoutMs = 15_000,
): Promise<PostArgs[]> {
  const calls = await h.slack.waitFor((all) => postsIn(all, thread).length >= n, timeoutMs);
  return postsIn(calls, thread);
}

/** Waits until some thread post satisfies `match`; returns it. */
export async function waitForPost(
  h: Harness,
  thread: { channel: string; ts: string },
  match: (post: PostArgs) => boolean,
  timeoutMs = 15_000,
): Promise<PostArgs> {
  const calls = await h.slack.waitFor((all) => postsIn(all, thread).some(match), timeoutMs);
  const found = postsIn(calls, thread).find(match);
  if (!found) throw new Error("unreachable: waitFor resolved without a match");
  return found;
}

/** Posts whose text is one of the given contact texts (the app's own notices are left out). */
export function contactTexts(posts: PostArgs[], texts: readonly string[]): string[] {
  return posts.map((p) => p.text ?? "").filter((t) => texts.includes(t));
}

export async function nameContact(h: Harness, number: string, name: string): Promise<void> {
  await h.app.db.contact.upsert({ where: { number }, create: { number, name }, update: { name } });
}

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A tiny but real PNG (1×1, red), so byte-for-byte comparisons mean something. */
export const PNG_BYTES = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==",
  "base64",
);

/** A group the contacts opened by texting the Sales line; resolves once its thread exists. */
export async function openGroup(h: Harness, size: number): Promise<{ group: string[]; thread: ThreadRef }> {
  const group = freshNumbers(size);
  await sendText(h, group[0] ?? "", group, "hello from the group");
  const thread = await threadOf(h, group);
  await waitForPost(h, thread, (p) => p.text === "hello from the group");
  return { group, thread };
}

/**
 * A teammate replies "are we on?" in the group's thread and Bandwidth reports the text to
 * `recipient` failed with `description` (error 4720); resolves to the teammate's Slack message.
 */
export async function replyFailsFor(
  h: Harness,
  group: string[],
  thread: ThreadRef,
  recipient: string,
  description: string,
): Promise<{ ts: string }> {
  const event = messageEvent({
    channel: thread.channel,
    user: "UDANA",
    text: "are we on?",
    threadTs: thread.ts,
  }) as { ts: string } & Record<string, unknown>;
  expect((await h.slackRequest(eventCallbackBody({ event }))).status).toBe(200);
  const sent = await eventually(() => h.bandwidth.messages.find((m) => m.body.to.includes(recipient)));
  const failed = await h.webhook("status", [
    statusCallback({
      type: "message-failed",
      messageId: sent.id,
      line: SALES_LINE,
      recipient,
      allRecipients: group,
      tag: sent.body.tag,
      errorCode: 4720,
      description,
    }),
  ]);
  expect(failed.status).toBe(200);
  return event;
}
