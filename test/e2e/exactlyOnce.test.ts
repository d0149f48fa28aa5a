// Issue 15, "Exactly once across crashes": each way an outcome in doubt is resolved, through the real
// app, the real WebClient and bandwidth-sdk, between the fakes. A send or a post is in doubt when its
// request may have been taken but its answer was lost (the connection dropped, a timeout, a crash).
import { statusCallback } from "../support/bandwidthSpec";
import { contactTexts, startGroup, teammateReplies } from "../support/flows";
import { eventually, type Harness, SALES_LINE, startHarness } from "../support/harness";
import { blockActionsBody } from "../support/slackRequests";
import { PNG_BYTES, postsIn } from "./relayHelpers";

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ env: { SEND_CONFIRM_WAIT_MS: "3000", BANDWIDTH_TIMEOUT_MS: "1000" } });
});
afterAll(async () => {
  await h.stop();
});
afterEach(() => {
  h.bandwidth.reset();
});

/** Waits until the group start of this text is settled (its thread may open before it is sent). */
async function startSettled(text: string) {
  return eventually(async () => {
    const start = await h.app.db.groupStart.findFirst({ where: { text }, orderBy: { createdAt: "desc" } });
    return start && start.state !== "PENDING" && start.state !== "SENDING" ? start : undefined;
  }, 20_000);
}

async function groupWith(numbers: string[]) {
  const message = `Hello ${numbers.join(" ")}`;
  const conversation = await startGroup(h, { numbers, message });
  await startSettled(message);
  h.bandwidth.reset();
  return { conversation, thread: { channel: conversation.channelId ?? "", ts: conversation.threadTs ?? "" } };
}

async function messageTexted(text: string) {
  return eventually(
    async () => (await h.app.db.message.findFirst({ where: { text, kind: "OUTBOUND" } })) ?? undefined,
  );
}

function noticesIn(thread: { channel: string; ts: string }, fragment: string) {
  return postsIn(h.slack.calls, thread).filter((p) => String(p.text ?? "").includes(fragment));
}

describe("texts in doubt are resolved from Bandwidth's evidence, never re-sent blindly", () => {
  test("Bandwidth took it, the answer was lost: List Messages finds it and it is recorded as sent, once", async () => {
    const { thread } = await groupWith(["+16175550101", "+16175550102"]);
    h.bandwidth.failNext(1, { acceptThenDrop: true });
    await teammateReplies(h, { channel: thread.channel, threadTs: thread.ts, text: "Answer lost" });
    const message = await eventually(async () => {
      const m = await messageTexted("Answer lost");
      return m?.sendState === "SENT" ? m : undefined;
    }, 20_000);
    const [taken] = h.bandwidth.messages;
    expect(h.bandwidth.messages).toHaveLength(1);
    expect(message.bandwidthMessageId).toBe(taken?.id);
    expect(h.bandwidth.requests.some((r) => r.method === "GET" && r.path.endsWith("/messages"))).toBe(true);
    await eventually(() => noticesIn(thread, "Texted to 2 participants").length === 1);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(h.bandwidth.messages).toHaveLength(1);
    expect(noticesIn(thread, "Not confirmed")).toHaveLength(0);
    expect(h.bandwidth.violations).toEqual([]);
  });

  test("a status callback carrying the text's tag confirms it before List Messages can", async () => {
    const { thread } = await groupWith(["+16175550201", "+16175550202"]);
    // The request hangs until the app's timeout: the outcome is unknown, and Bandwidth lists nothing.
    h.bandwidth.failNext(1, { hang: true });
    await teammateReplies(h, { channel: thread.channel, threadTs: thread.ts, text: "Timed out" });
    const inDoubt = await eventually(async () => {
      const m = await messageTexted("Timed out");
      return m?.sendState === "IN_DOUBT" ? m : undefined;
    }, 10_000);
    const tag = `m:${inDoubt.id}:${inDoubt.sendAttempts}`;
    const response = await h.webhook("status", [
      statusCallback({
        type: "message-delivered",
        messageId: "1589228074636lm4k2je7j7jklbn2",
        line: SALES_LINE,
        recipient: "+16175550201",
        allRecipients: ["+16175550201", "+16175550202"],
        tag,
      }),
    ]);
    expect(response.status).toBe(200);
    const sent = await eventually(async () => {
      const m = await h.app.db.message.findUnique({
        where: { id: inDoubt.id },
        include: { deliveries: true },
      });
      return m?.sendState === "SENT" ? m : undefined;
    });
    expect(sent.bandwidthMessageId).toBe("1589228074636lm4k2je7j7jklbn2");
    expect(sent.deliveries.find((d) => d.number === "+16175550201")?.status).toBe("DELIVERED");
    await eventually(() => noticesIn(thread, "Texted to 2 participants").length === 1);
    // Past the bounded wait: still confirmed, never re-sent, no "not confirmed" notice.
    await new Promise((r) => setTimeout(r, 3_500));
    expect(h.bandwidth.messages).toHaveLength(0);
    expect(h.bandwidth.requests.filter((r) => r.method === "POST")).toHaveLength(1);
    expect(noticesIn(thread, "Not confirmed")).toHaveLength(0);
  });

  test("no evidence within the bounded wait: shown as not confirmed; Send again texts it once, however often clicked", async () => {
    const { thread } = await groupWith(["+16175550301", "+16175550302"]);
    h.bandwidth.failNext(1, { dropWithoutAccepting: true });
    await teammateReplies(h, { channel: thread.channel, threadTs: thread.ts, text: "Never arrived" });
    const notice = await eventually(() => noticesIn(thread, "Not confirmed")[0], 20_000);
    const message = await messageTexted("Never arrived");
    expect(message.sendState).toBe("UNCONFIRMED");
    expect(h.bandwidth.messages).toHaveLength(0);
    const button = JSON.stringify(notice.blocks ?? []);
    expect(button).toContain("send_again");
    expect(button).toContain(message.id);
    await new Promise((r) => setTimeout(r, 1_000));
    // The app never sends it again by itself.
    expect(h.bandwidth.messages).toHaveLength(0);

    const posted = h.slack.messagesIn(thread.channel).find((m) => String(m.text).includes("Not confirmed"));
    const click = () =>
      h.slackRequest(
        blockActionsBody({
          userId: "UDANA",
          channelId: thread.channel,
          messageTs: posted?.ts,
          message: { type: "message", ts: posted?.ts, text: posted?.text, blocks: posted?.blocks },
          actions: [{ action_id: "send_again", value: message.id }],
        }),
      );
    const [first, second] = await Promise.all([click(), click()]);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    const [sent] = await h.bandwidth.waitForMessages(1, 15_000);
    expect(sent?.body.text).toBe("Never arrived");
    expect(sent?.body.tag).toBe(`m:${message.id}:2`);
    await eventually(async () => (await messageTexted("Never arrived")).sendState === "SENT");
    // The notice now says who decided, and offers the button no more.
    const updated = h.slack.messagesIn(thread.channel).find((m) => m.ts === posted?.ts);
    expect(JSON.stringify(updated?.blocks)).not.toContain("send_again");
    expect(JSON.stringify(updated?.blocks)).toContain("chose *Send again*");
    await click();
    await new Promise((r) => setTimeout(r, 1_500));
    expect(h.bandwidth.messages).toHaveLength(1);
    expect(h.slack.callsTo("chat.postEphemeral").some((c) => String(c.args.text).includes("nothing"))).toBe(
      true,
    );
  });

  test("Bandwidth's evidence unavailable (List Messages failing): shown as not confirmed, never re-sent", async () => {
    const { thread } = await groupWith(["+16175550901", "+16175550902"]);
    h.bandwidth.failNext(1, { acceptThenDrop: true });
    h.bandwidth.setListFailure({ status: 503 });
    await teammateReplies(h, { channel: thread.channel, threadTs: thread.ts, text: "Evidence down" });
    await eventually(() => noticesIn(thread, "Not confirmed")[0], 20_000);
    expect((await messageTexted("Evidence down")).sendState).toBe("UNCONFIRMED");
    await new Promise((r) => setTimeout(r, 1_000));
    expect(h.bandwidth.messages).toHaveLength(1);
    expect(h.bandwidth.requests.filter((r) => r.method === "GET").length).toBeGreaterThan(0);
  });

  test("a send Bandwidth answered with 503 is retried as before: it took nothing", async () => {
    const { thread } = await groupWith(["+16175550401", "+16175550402"]);
    h.bandwidth.failNext(1, { status: 503 });
    await teammateReplies(h, { channel: thread.channel, threadTs: thread.ts, text: "Retried" });
    await h.bandwidth.waitForMessages(1, 15_000);
    await eventually(async () => (await messageTexted("Retried")).sendState === "SENT");
    expect(h.bandwidth.requests.filter((r) => r.method === "GET")).toHaveLength(0);
  });

  test("a group start whose answer was lost is confirmed from List Messages: one text, one thread", async () => {
    const numbers = ["+16175550501", "+16175550502"];
    h.bandwidth.failNext(1, { acceptThenDrop: true });
    const conversation = await startGroup(h, { numbers, message: "Group answer lost" });
    await startSettled("Group answer lost");
    const messages = await h.app.db.message.findMany({ where: { conversationId: conversation.id } });
    const first = messages.find((m) => m.text === "Group answer lost");
    expect(first?.sendState).toBe("SENT");
    expect(first?.bandwidthMessageId).toBe(h.bandwidth.messages[0]?.id);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(h.bandwidth.messages).toHaveLength(1);
  });
});

describe("a group start in doubt", () => {
  test("not confirmed: its thread is made all the same with Send again; a late callback with its tag confirms it", async () => {
    const numbers = ["+16175550801", "+16175550802"];
    h.bandwidth.failNext(1, { dropWithoutAccepting: true });
    const conversation = await startGroup(h, { numbers, message: "Group never confirmed" });
    await startSettled("Group never confirmed");
    const thread = { channel: conversation.channelId ?? "", ts: conversation.threadTs ?? "" };
    const first = await h.app.db.message.findFirstOrThrow({ where: { text: "Group never confirmed" } });
    expect(first.sendState).toBe("UNCONFIRMED");
    const notice = await eventually(() => noticesIn(thread, "Not confirmed")[0]);
    expect(JSON.stringify(notice.blocks ?? [])).toContain(first.id);
    expect(h.bandwidth.messages).toHaveLength(0);

    const start = await h.app.db.groupStart.findFirstOrThrow({ where: { text: "Group never confirmed" } });
    const response = await h.webhook("status", [
      statusCallback({
        type: "message-sent",
        messageId: "1589228074636lm4k2je7j7jklbn3",
        line: SALES_LINE,
        recipient: "+16175550801",
        allRecipients: numbers,
        tag: `gs:${start.id}`,
      }),
    ]);
    expect(response.status).toBe(200);
    await eventually(async () => {
      const m = await h.app.db.message.findUnique({ where: { id: first.id } });
      return m?.sendState === "SENT" && m.bandwidthMessageId === "1589228074636lm4k2je7j7jklbn3";
    });
    await eventually(() => noticesIn(thread, "Texted to 2 participants").length === 1);
    expect(h.bandwidth.messages).toHaveLength(0);
  });
});

describe("Slack posts carry their entry's id and are adopted, not repeated", () => {
  test("a post Slack made whose answer was lost is found in the thread by its metadata", async () => {
    const contacts = ["+16175550601", "+16175550602"];
    const { thread } = await groupWith(contacts);
    h.slack.failNext("chat.postMessage", 1, { dropAfterHandling: true });
    await contactTexts(h, { from: contacts[0] ?? "", others: contacts.slice(1), text: "Posted once" });
    await eventually(async () => {
      const m = await h.app.db.message.findFirst({ where: { text: "Posted once" } });
      return m?.postState === "POSTED" ? m : undefined;
    }, 20_000);
    const stored = h.slack.messagesIn(thread.channel).filter((m) => m.text === "Posted once");
    expect(stored).toHaveLength(1);
    const entry = await h.app.db.message.findFirstOrThrow({ where: { text: "Posted once" } });
    expect(entry.slackTs).toBe(stored[0]?.ts);
    expect(stored[0]?.metadata).toEqual({
      event_type: "reply_all_entry",
      event_payload: { entry_id: entry.id },
    });
    expect(h.slack.callsTo("conversations.replies").some((c) => c.args.include_all_metadata)).toBe(true);
  });

  test("a contact's picture post whose answer was lost is adopted: one post, the picture in it, uploaded once", async () => {
    const contacts = ["+16175550611", "+16175550612"];
    const { thread } = await groupWith(contacts);
    h.bandwidth.putMedia("adopt/0/pic.png", PNG_BYTES, "image/png");
    const uploadsBefore = h.slack.callsTo("files.completeUploadExternal").length;
    h.slack.failNext("chat.postMessage", 1, { dropAfterHandling: true });
    await contactTexts(h, {
      from: contacts[0] ?? "",
      others: contacts.slice(1),
      text: "Picture once",
      media: [h.bandwidth.mediaUrl("adopt/0/pic.png")],
    });
    const entry = await eventually(async () => {
      const m = await h.app.db.message.findFirst({ where: { text: "Picture once" } });
      return m?.postState === "POSTED" ? m : undefined;
    }, 20_000);
    const stored = h.slack.messagesIn(thread.channel).filter((m) => m.text === "Picture once");
    expect(stored).toHaveLength(1);
    expect(entry.slackTs).toBe(stored[0]?.ts);
    // Uploaded before the post, and not again once the post was found: the adopted post shows it.
    const uploads = h.slack.callsTo("files.completeUploadExternal").slice(uploadsBefore);
    expect(uploads).toHaveLength(1);
    const fileId = ((uploads[0]?.args.files ?? []) as { id: string }[])[0]?.id;
    expect(JSON.stringify(stored[0]?.blocks)).toContain(`"slack_file":{"id":"${fileId}"}`);
  });

  test("a picture upload whose answer was lost leaves an unshared file at most: the post is made once", async () => {
    const contacts = ["+16175550621", "+16175550622"];
    const { thread } = await groupWith(contacts);
    h.bandwidth.putMedia("doubt/0/pic.png", PNG_BYTES, "image/png");
    const uploadsBefore = h.slack.callsTo("files.completeUploadExternal").length;
    h.slack.failNext("files.completeUploadExternal", 1, { dropAfterHandling: true });
    await contactTexts(h, {
      from: contacts[0] ?? "",
      others: contacts.slice(1),
      text: "Upload in doubt",
      media: [h.bandwidth.mediaUrl("doubt/0/pic.png")],
    });
    await eventually(async () => {
      const m = await h.app.db.message.findFirst({ where: { text: "Upload in doubt" } });
      return m?.postState === "POSTED" ? m : undefined;
    }, 20_000);
    const stored = h.slack.messagesIn(thread.channel).filter((m) => m.text === "Upload in doubt");
    expect(stored).toHaveLength(1);
    // The first upload was made but its answer lost: uploaded again, and never shared in a channel.
    const uploads = h.slack.callsTo("files.completeUploadExternal").slice(uploadsBefore);
    expect(uploads).toHaveLength(2);
    for (const upload of uploads) expect(upload.args.channel_id).toBeUndefined();
    const [lost, shown] = uploads.map((u) => ((u.args.files ?? []) as { id: string }[])[0]?.id);
    expect(lost).not.toBe(shown);
    expect(JSON.stringify(stored[0]?.blocks)).toContain(`"slack_file":{"id":"${shown}"}`);
  });

  test("a thread root Slack made whose answer was lost is adopted: one root", async () => {
    const contacts = ["+16175550701", "+16175550702"];
    h.slack.failNext("chat.postMessage", 1, { dropAfterHandling: true });
    await contactTexts(h, { from: contacts[0] ?? "", others: contacts.slice(1), text: "First contact" });
    const conversation = await eventually(async () => {
      const c = await h.app.db.groupConversation.findFirst({
        where: { keys: { some: { key: [...contacts].sort().join(",") } } },
      });
      return c?.threadTs ? c : undefined;
    }, 20_000);
    await eventually(() =>
      h.slack.messagesIn(conversation.channelId ?? "").some((m) => m.text === "First contact"),
    );
    const roots = h.slack
      .messagesIn(conversation.channelId ?? "")
      .filter((m) => m.thread_ts === undefined && JSON.stringify(m.metadata ?? {}).includes(conversation.id));
    expect(roots).toHaveLength(1);
    expect(roots[0]?.ts).toBe(conversation.threadTs);
  });
});
