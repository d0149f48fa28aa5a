// Issue 3, "Two-way relay": teammates' thread replies are texted to the group, once; delivery
// status comes back into the thread.
import { statusCallback } from "../support/bandwidthSpec";
import type { RecordedMessage } from "../support/fakeBandwidth";
import { BOT_ID, BOT_USER_ID } from "../support/fakeSlack";
import { startGroup } from "../support/flows";
import { eventually, SALES_LINE, useHarness } from "../support/harness";
import { eventCallbackBody, messageEvent } from "../support/slackRequests";
import {
  freshNumbers,
  nameContact,
  openGroup,
  PNG_BYTES,
  pause,
  type ThreadRef,
  waitForPost,
} from "./relayHelpers";

const h = useHarness();

async function reply(thread: ThreadRef, text: string, extra: Record<string, unknown> = {}) {
  const event = {
    ...messageEvent({ channel: thread.channel, user: "UDANA", text, threadTs: thread.ts }),
    ...extra,
  };
  const response = await h.slackRequest(eventCallbackBody({ event }));
  expect(response.status).toBe(200);
  return event as { ts: string } & Record<string, unknown>;
}

/** Texts Bandwidth accepted for this group (other tests' stragglers are left out). */
function textsTo(group: string[]): RecordedMessage[] {
  return h.bandwidth.messages.filter((m) => m.body.to.some((n) => group.includes(n)));
}

async function waitForTexts(group: string[], n: number): Promise<RecordedMessage[]> {
  return eventually(() => {
    const texts = textsTo(group);
    return texts.length >= n ? texts : undefined;
  });
}

describe("a teammate's reply in the thread", () => {
  test("reaches Bandwidth as one spec-valid request to every participant, from the line, tagged", async () => {
    const { group, thread } = await openGroup(h, 3);
    await reply(thread, "Meet at <https://example.com/map|the park> &amp; bring <!here> snacks");
    const [sent] = await waitForTexts(group, 1);
    expect(h.bandwidth.violations).toEqual([]);
    expect(h.bandwidth.requests.filter((r) => r.method === "POST")).toHaveLength(1);
    expect(sent?.body.from).toBe(SALES_LINE);
    expect([...(sent?.body.to ?? [])].sort()).toEqual([...group].sort());
    // Slack markup becomes what a phone should show.
    expect(sent?.body.text).toBe("Meet at the park (https://example.com/map) & bring @here snacks");
    // The message and the attempt: a status callback confirms only the attempt it belongs to.
    expect(sent?.body.tag).toMatch(/^m:[0-9a-f-]{36}:1$/);
    expect(sent?.body.applicationId).toBeDefined();
    expect(sent?.body.media).toBeUndefined();
    // The thread says what it cost.
    await waitForPost(h, thread, (p) => /Texted to 3 participants/.test(p.text ?? ""));
  });

  test("bot messages, edits, deletions, top-level messages and other threads are not texted", async () => {
    const { group, thread } = await openGroup(h, 2);
    const top = messageEvent({ channel: thread.channel, user: "UDANA", text: "top level, not a reply" });
    const bot = {
      ...messageEvent({
        channel: thread.channel,
        user: BOT_USER_ID,
        text: "the app's own post",
        threadTs: thread.ts,
      }),
      bot_id: BOT_ID,
      subtype: "bot_message",
    };
    const otherBot = {
      ...messageEvent({
        channel: thread.channel,
        user: "UOTHERBOT",
        text: "another bot",
        threadTs: thread.ts,
      }),
      bot_id: "BOTHER",
    };
    const original = messageEvent({
      channel: thread.channel,
      user: "UDANA",
      text: "orig",
      threadTs: thread.ts,
    });
    const edit = {
      type: "message",
      subtype: "message_changed",
      hidden: true,
      channel: thread.channel,
      ts: `${original.ts as string}1`,
      event_ts: `${original.ts as string}1`,
      channel_type: "channel",
      message: { ...original, text: "edited text", edited: { user: "UDANA", ts: "1700000000.000001" } },
      previous_message: original,
    };
    const deletion = {
      type: "message",
      subtype: "message_deleted",
      hidden: true,
      channel: thread.channel,
      ts: `${original.ts as string}2`,
      deleted_ts: original.ts,
      previous_message: original,
    };
    const rootItself = messageEvent({
      channel: thread.channel,
      user: "UDANA",
      text: "a message with thread_ts = its own ts",
      ts: thread.ts,
      threadTs: thread.ts,
    });
    const otherThread = messageEvent({
      channel: thread.channel,
      user: "UDANA",
      text: "a reply in some other thread",
      threadTs: "1600000000.000100",
    });
    for (const event of [top, bot, otherBot, edit, deletion, rootItself, otherThread]) {
      const response = await h.slackRequest(eventCallbackBody({ event }));
      expect(response.status).toBe(200);
    }
    // A real reply after them: once it is texted, anything the others had queued would have been.
    await reply(thread, "the only text");
    await waitForTexts(group, 1);
    await pause(300);
    expect(textsTo(group).map((m) => m.body.text)).toEqual(["the only text"]);
  });

  test("the same event delivered twice (Slack retry, same ts) is texted once", async () => {
    const { group, thread } = await openGroup(h, 2);
    const event = messageEvent({
      channel: thread.channel,
      user: "UDANA",
      text: "just once",
      threadTs: thread.ts,
    });
    const body = eventCallbackBody({ event, eventId: "Ev0RETRY0001" });
    expect((await h.slackRequest(body)).status).toBe(200);
    const retry = await h.slackRequest({
      ...body,
      headers: { "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout" },
    } as typeof body);
    expect(retry.status).toBe(200);
    // And two more retries at the same moment.
    const racing = await Promise.all(
      [2, 3].map((n) =>
        h.slackRequest({
          ...body,
          headers: { "X-Slack-Retry-Num": String(n), "X-Slack-Retry-Reason": "http_error" },
        } as typeof body),
      ),
    );
    expect(racing.map((r) => r.status)).toEqual([200, 200]);
    await reply(thread, "sentinel");
    await waitForTexts(group, 2);
    await pause(300);
    expect(textsTo(group).map((m) => m.body.text)).toEqual(["just once", "sentinel"]);
    expect(h.bandwidth.violations).toEqual([]);
  });

  test("a Slack file in the reply is uploaded to Bandwidth media and sent with the text", async () => {
    const { group, thread } = await openGroup(h, 2);
    const file = h.slack.registerFile({
      id: "F0PHOTO001",
      name: "flyer.png",
      mimetype: "image/png",
      bytes: PNG_BYTES,
    });
    await reply(thread, "here's the flyer", {
      ...messageEvent({
        channel: thread.channel,
        user: "UDANA",
        text: "here's the flyer",
        threadTs: thread.ts,
        files: [file],
      }),
    });
    const [sent] = await waitForTexts(group, 1);
    expect(h.bandwidth.violations).toEqual([]);
    const puts = h.bandwidth.requests.filter((r) => r.method === "PUT");
    expect(puts).toHaveLength(1);
    expect(puts[0]?.status).toBe(204);
    const mediaId = decodeURIComponent(puts[0]?.path.split("/media/")[1] ?? "");
    expect(h.bandwidth.getMedia(mediaId)?.bytes.equals(PNG_BYTES)).toBe(true);
    expect(h.bandwidth.getMedia(mediaId)?.contentType).toMatch(/^image\/png/);
    expect(sent?.body.media).toEqual([h.bandwidth.mediaUrl(mediaId)]);
    expect(sent?.body.text).toBe("here's the flyer");
    // The app fetched the file from Slack with its bot token.
    expect(h.slack.downloads.some((d) => d.fileId === "F0PHOTO001" && d.status === 200)).toBe(true);
  });
});

describe("delivery status in the thread", () => {
  test("message-failed for one recipient posts a notice naming them and Bandwidth's reason", async () => {
    const { group, thread } = await openGroup(h, 3);
    const [ana, ben, cho] = group as [string, string, string];
    await nameContact(h, ben, "Ben Ortiz");
    const teammate = await reply(thread, "are we still on?");
    const [sent] = await waitForTexts(group, 1);
    const id = sent?.id ?? "";
    const send = (type: "message-delivered" | "message-failed", recipient: string, description?: string) =>
      h.webhook("status", [
        statusCallback({
          type,
          messageId: id,
          line: SALES_LINE,
          recipient,
          allRecipients: group,
          tag: sent?.body.tag,
          ...(type === "message-failed" ? { errorCode: 4720, description } : {}),
        }),
      ]);
    expect((await send("message-delivered", ana)).status).toBe(200);
    expect((await send("message-failed", ben, "Carrier rejected as invalid destination")).status).toBe(200);
    expect((await send("message-delivered", cho)).status).toBe(200);

    const notice = await waitForPost(h, thread, (p) => /Not delivered/.test(p.text ?? ""));
    expect(notice.thread_ts).toBe(thread.ts);
    expect(notice.text).toContain("Ben Ortiz");
    expect(notice.text).toContain(formatUs(ben));
    expect(notice.text).toContain("Carrier rejected as invalid destination");
    expect(notice.text).toContain("4720");
    expect(notice.text).not.toContain(formatUs(ana));
    expect(notice.text).toContain(teammate.ts.replace(".", ""));
    // Not everyone got it: no check mark. (A later, fully delivered message proves the check ran.)
    const second = await reply(thread, "second message");
    const [, sent2] = await waitForTexts(group, 2);
    for (const n of group) {
      const r = await h.webhook("status", [
        statusCallback({
          type: "message-delivered",
          messageId: sent2?.id ?? "",
          line: SALES_LINE,
          recipient: n,
          allRecipients: group,
        }),
      ]);
      expect(r.status).toBe(200);
    }
    await h.slack.waitFor((calls) =>
      calls.some((c) => c.method === "reactions.add" && c.args.timestamp === second.ts),
    );
    const reactions = h.slack.callsTo("reactions.add");
    expect(reactions.map((r) => r.args.timestamp)).toEqual([second.ts]);
    // The failure notice was posted once, even though the delivered callbacks woke the thread again.
    expect(
      h.slack.callsTo("chat.postMessage").filter((c) => /Not delivered/.test(String(c.args.text))),
    ).toHaveLength(1);
  });

  test("message-delivered for every recipient adds a check mark to the teammate's message, once", async () => {
    const { group, thread } = await openGroup(h, 2);
    const teammate = await reply(thread, "see you there");
    const [sent] = await waitForTexts(group, 1);
    const delivered = (n: string) =>
      statusCallback({
        type: "message-delivered",
        messageId: sent?.id ?? "",
        line: SALES_LINE,
        recipient: n,
        allRecipients: group,
        tag: sent?.body.tag,
      });
    // Out-of-order and duplicated callbacks, as Bandwidth may send them.
    const sending = statusCallback({
      type: "message-sending",
      messageId: sent?.id ?? "",
      line: SALES_LINE,
      recipient: group[0] ?? "",
      allRecipients: group,
    });
    expect((await h.webhook("status", [delivered(group[0] ?? "")])).status).toBe(200);
    expect((await h.webhook("status", [sending, delivered(group[0] ?? "")])).status).toBe(200);
    await pause(200);
    expect(h.slack.callsTo("reactions.add")).toHaveLength(0);
    expect((await h.webhook("status", [delivered(group[1] ?? ""), delivered(group[1] ?? "")])).status).toBe(
      200,
    );
    const [reaction] = await h.slack.waitForCalls("reactions.add", 1);
    expect(reaction?.args).toMatchObject({
      channel: thread.channel,
      timestamp: teammate.ts,
      name: "white_check_mark",
    });
    // Redelivery of the same callbacks does not react again.
    expect((await h.webhook("status", [delivered(group[0] ?? ""), delivered(group[1] ?? "")])).status).toBe(
      200,
    );
    await pause(300);
    expect(h.slack.callsTo("reactions.add")).toHaveLength(1);
    const deliveries = await h.app.db.delivery.findMany({
      where: { message: { bandwidthMessageId: sent?.id ?? "" } },
    });
    expect(deliveries.map((d) => d.status)).toEqual(["DELIVERED", "DELIVERED"]);
  });
});

describe("usage counts Bandwidth's own segment count", () => {
  test("the send's answer and then a status callback replace the app's estimate", async () => {
    const { group, thread } = await openGroup(h, 1);
    const [ana] = group as [string];
    // One short GSM-7 text: the app estimates 1 segment; Bandwidth says otherwise, and bills by its count.
    h.bandwidth.setSegmentCount((body) => (body.text === "short and plain" ? 3 : null));
    await reply(thread, "short and plain");
    const [sent] = await waitForTexts(group, 1);
    expect(sent?.response.segmentCount).toBe(3);
    const stored = () => h.app.db.message.findFirstOrThrow({ where: { bandwidthMessageId: sent?.id ?? "" } });
    expect(await eventually(async () => ((await stored()).segments === 3 ? true : undefined))).toBe(true);

    // A later status callback (built from the spec's example) carries Bandwidth's count too: it wins.
    const delivered = statusCallback({
      type: "message-delivered",
      messageId: sent?.id ?? "",
      line: SALES_LINE,
      recipient: ana,
      tag: sent?.body.tag,
      segmentCount: 2,
    });
    expect((await h.webhook("status", [delivered])).status).toBe(200);
    expect(await eventually(async () => ((await stored()).segments === 2 ? true : undefined))).toBe(true);
    expect((await stored()).kind).toBe("OUTBOUND");
  });

  test("a group start's first text records the count from Bandwidth's answer", async () => {
    const numbers = freshNumbers(2);
    h.bandwidth.setSegmentCount((body) => (body.text === "first words, counted" ? 5 : null));
    await startGroup(h, { numbers, message: "first words, counted" });
    const first = await eventually(async () => {
      const m = await h.app.db.message.findFirst({
        where: { text: "first words, counted", kind: "OUTBOUND" },
      });
      return m?.sendState === "SENT" ? m : undefined;
    }, 20_000);
    expect(first.sourceKey).toMatch(/^groupstart:/);
    expect(first.segments).toBe(5);
  });
});

function formatUs(e164: string): string {
  const d = e164.slice(2);
  return `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`;
}
