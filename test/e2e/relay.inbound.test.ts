// Issue 3, "Two-way relay": contacts' texts reach the right Slack thread, once, labelled and escaped.
import { senderIcons } from "../../src/domain/labels";
import { UPLOAD_CALL } from "../support/fakeSlack";
import { groupModalMetadata } from "../support/flows";
import { basicAuth, eventually, FRONT_DESK_LINE, SALES_LINE, SECRETS, useHarness } from "../support/harness";
import { viewSubmissionBody } from "../support/slackRequests";
import {
  contactTexts,
  freshNumbers,
  groupText,
  nameContact,
  PNG_BYTES,
  postArgs,
  postsIn,
  sendText,
  threadOf,
  waitForPost,
  waitForPosts,
} from "./relayHelpers";

const h = useHarness();

function rootMessage(channel: string, ts: string) {
  return h.slack.messagesIn(channel).find((m) => m.ts === ts);
}

describe("a group the contacts start themselves", () => {
  test("opens a thread in the line's channel listing everyone, then each reply lands in it, labelled", async () => {
    const [ana, ben, cho] = freshNumbers(3) as [string, string, string];
    const group = [ana, ben, cho];
    await nameContact(h, ana, "Ana Ruiz");

    await sendText(h, ben, group, "who's bringing chairs?");
    const thread = await threadOf(h, group);
    expect(thread.channel).toBe("CSALES");

    // The root: top level in CSALES, listing every participant, started by the contacts.
    const root = rootMessage("CSALES", thread.ts);
    expect(root).toBeDefined();
    expect(root?.thread_ts).toBeUndefined();
    const rootBlocks = JSON.stringify(root?.blocks);
    expect(rootBlocks).toContain("Ana Ruiz");
    expect(rootBlocks).toContain("(919) 555-0100");
    for (const n of group) expect(rootBlocks).toContain(formatUs(n));
    expect(rootBlocks).toContain("Started by the contacts");
    const rootCall = h.slack
      .callsTo("chat.postMessage")
      .map(postArgs)
      .find((a) => a.channel === "CSALES" && a.thread_ts === undefined);
    expect(rootCall).toBeDefined();

    await sendText(h, ana, group, "I can");
    await sendText(h, cho, group, "me too");
    const posts = await waitForPosts(h, thread, 3);
    expect(posts.map((p) => p.text)).toEqual(["who's bringing chairs?", "I can", "me too"]);
    // Unknown contacts are shown by their number, known ones by name.
    expect(posts.map((p) => p.username)).toEqual([formatUs(ben), "Ana Ruiz", formatUs(cho)]);
    // Every contact has their own icon, the one the group's palette gives them.
    const icons = senderIcons(group);
    expect(posts.map((p) => p.icon_emoji)).toEqual([icons.get(ben), icons.get(ana), icons.get(cho)]);
    expect(new Set(posts.map((p) => p.icon_emoji)).size).toBe(3);
    // The root was posted once.
    expect(
      h.slack.callsTo("chat.postMessage").filter((c) => c.args.channel === "CSALES" && !c.args.thread_ts),
    ).toHaveLength(1);
  });

  test("a 1:1 text on a line without a channel opens its thread in SLACK_DEFAULT_CHANNEL", async () => {
    const [dee] = freshNumbers(1) as [string];
    await sendText(h, dee, [dee], "is the office open saturday?", { line: FRONT_DESK_LINE });
    const thread = await threadOf(h, [dee], FRONT_DESK_LINE);
    expect(thread.channel).toBe("CDEFAULT");
    const root = rootMessage("CDEFAULT", thread.ts);
    expect(root?.thread_ts).toBeUndefined();
    expect(JSON.stringify(root?.blocks)).toContain(formatUs(dee));
    expect(JSON.stringify(root?.blocks)).toContain("Front desk");

    const [post] = await waitForPosts(h, thread, 1);
    expect(post?.text).toBe("is the office open saturday?");
    expect(post?.username).toBe(formatUs(dee));
    expect(post?.icon_emoji).toMatch(/^:[a-z_]+:$/);
  });

  test("a contact's text is escaped: <!channel> and links do not ping or render", async () => {
    const [eve, fay] = freshNumbers(2) as [string, string];
    await sendText(h, eve, [eve, fay], "<!channel> <@U123> & <https://evil.example|click me>");
    const thread = await threadOf(h, [eve, fay]);
    const [post] = await waitForPosts(h, thread, 1);
    expect(post?.text).toBe("&lt;!channel&gt; &lt;@U123&gt; &amp; &lt;https://evil.example|click me&gt;");
    expect(post?.text).not.toContain("<!channel>");
    expect(JSON.stringify(post?.blocks ?? "")).not.toContain("<!channel>");
  });

  test("two first texts of a new group arriving at once open one thread", async () => {
    const group = freshNumbers(3);
    const [a, b] = group as [string, string];
    const [r1, r2] = await Promise.all([
      h.webhook("inbound", [groupText(a, group, "first from a")]),
      h.webhook("inbound", [groupText(b, group, "first from b")]),
    ]);
    expect([r1.status, r2.status]).toEqual([200, 200]);
    const thread = await threadOf(h, group);
    const posts = await waitForPosts(h, thread, 2);
    expect(posts.map((p) => p.text).sort()).toEqual(["first from a", "first from b"]);
    expect(
      await h.app.db.groupConversation.count({ where: { keys: { some: { key: group.sort().join(",") } } } }),
    ).toBe(1);
    expect(
      h.slack.callsTo("chat.postMessage").filter((c) => c.args.channel === "CSALES" && !c.args.thread_ts),
    ).toHaveLength(1);
  });
});

describe("a group started from Slack", () => {
  test("a contact's reply reaches the thread the modal opened", async () => {
    const group = freshNumbers(3);
    const [, gus] = group as [string, string];
    await nameContact(h, gus, "Gus");
    const line = await h.app.db.line.findUniqueOrThrow({ where: { number: SALES_LINE } });
    const response = await h.slackRequest(
      viewSubmissionBody({
        userId: "UDANA",
        view: {
          callback_id: "group_start",
          private_metadata: groupModalMetadata(),
          blocks: [
            { block_id: "line" },
            { block_id: "numbers" },
            { block_id: "name" },
            { block_id: "message" },
          ],
          state: {
            values: {
              line: { line_value: { type: "static_select", selected_option: { value: line.id } } },
              // Typed in a different order and format than Bandwidth will report them.
              numbers: {
                numbers_value: {
                  type: "plain_text_input",
                  value: [...group].reverse().map(formatUs).join("\n"),
                },
              },
              name: { name_value: { type: "plain_text_input", value: "Book club" } },
              message: { message_value: { type: "plain_text_input", value: "Thursday works?" } },
            },
          },
        },
      }),
    );
    expect(response.status).toBe(200);
    await h.bandwidth.waitForMessages(1);
    const thread = await threadOf(h, group);
    expect(thread.channel).toBe("CGENERAL");
    await waitForPosts(h, thread, 1);

    await sendText(h, gus, group, "Thursday is great");
    const reply = await waitForPost(h, thread, (p) => p.text === "Thursday is great");
    expect(reply.thread_ts).toBe(thread.ts);
    expect(reply.channel).toBe("CGENERAL");
    expect(reply.username).toBe("Gus");
    expect(reply.icon_emoji).toBe(senderIcons(group).get(gus));
    // No second thread was opened anywhere.
    expect(h.slack.callsTo("chat.postMessage").filter((c) => !c.args.thread_ts)).toHaveLength(1);
  });
});

describe("at-least-once in, exactly-once out", () => {
  test("a callback delivered twice, and twice within one array, posts once", async () => {
    const group = freshNumbers(2);
    const [a, b] = group as [string, string];
    const first = groupText(a, group, "only once please");
    expect((await h.webhook("inbound", [first])).status).toBe(200);
    const again = await h.webhook("inbound", [first]);
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ duplicate: 1, stored: 0 });

    const second = groupText(b, group, "me neither");
    const batch = await h.webhook("inbound", [second, second]);
    expect(batch.status).toBe(200);
    expect(batch.json).toMatchObject({ stored: 1, duplicate: 1 });

    // Both copies again, concurrently, as a retrying Bandwidth might.
    const racing = await Promise.all([h.webhook("inbound", [second]), h.webhook("inbound", [first])]);
    expect(racing.map((r) => r.status)).toEqual([200, 200]);

    const thread = await threadOf(h, group);
    // A sentinel after the duplicates: once it is posted, anything the duplicates caused would be too.
    await sendText(h, a, group, "sentinel");
    const posts = await waitForPosts(h, thread, 3);
    expect(contactTexts(posts, ["only once please", "me neither", "sentinel"])).toEqual([
      "only once please",
      "me neither",
      "sentinel",
    ]);
    expect(posts).toHaveLength(3);
    expect(await h.app.db.message.count({ where: { conversationId: thread.conversationId } })).toBe(3);
  });
});

describe("the inbound webhook refuses bad input without losing good input", () => {
  // Callbacks are taken in after they are acknowledged: count once the app has caught up.
  const counts = async () => {
    await eventually(async () => (await h.app.db.inboundEvent.count({ where: { state: "RECEIVED" } })) === 0);
    return { events: await h.app.db.inboundEvent.count(), messages: await h.app.db.message.count() };
  };

  test("bad basic auth → 401 and nothing stored; missing auth → 401", async () => {
    const [a] = freshNumbers(1) as [string];
    const before = await counts();
    const callback = groupText(a, [a], "let me in");
    const wrong = await h.webhook("inbound", [callback], basicAuth(SECRETS.callbackUser, "wrong-password"));
    expect(wrong.status).toBe(401);
    const wrongUser = await h.webhook("inbound", [callback], basicAuth("someone", SECRETS.callbackPassword));
    expect(wrongUser.status).toBe(401);
    const garbage = await h.webhook("inbound", [callback], "Basic !!!not-base64");
    expect(garbage.status).toBe(401);
    const bearer = await h.webhook("inbound", [callback], `Bearer ${SECRETS.callbackPassword}`);
    expect(bearer.status).toBe(401);
    const missing = await h.webhook("inbound", [callback], null);
    expect(missing.status).toBe(401);
    const status = await h.webhook("status", [callback], null);
    expect(status.status).toBe(401);
    expect(await counts()).toEqual(before);
    expect(await h.app.db.contact.count({ where: { number: a } })).toBe(0);
  });

  test("an invalid element beside a valid one: the valid one is stored and posted, 200", async () => {
    const group = freshNumbers(2);
    const [a] = group as [string];
    const valid = groupText(a, group, "the good one");
    const invalid = { ...groupText(a, group, "the bad one"), message: { id: "x" } };
    const response = await h.webhook("inbound", [invalid, valid, "not even an object", null]);
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ stored: 1, invalid: 3 });
    const thread = await threadOf(h, group);
    const [post] = await waitForPosts(h, thread, 1);
    expect(post?.text).toBe("the good one");
    expect(await h.app.db.message.count({ where: { conversationId: thread.conversationId } })).toBe(1);
  });

  test("a callback for a number that is not one of our lines is acknowledged and ignored", async () => {
    const [a] = freshNumbers(1) as [string];
    const stranger = "+19195550199";
    const callback = groupText(a, [a], "wrong number", { line: stranger });
    const response = await h.webhook("inbound", [callback]);
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ stored: 1 });
    const event = await eventually(
      async () =>
        (await h.app.db.inboundEvent.findFirst({
          where: { dedupeKey: { contains: callback.message.id }, outcome: "ignored" },
        })) ?? undefined,
    );
    expect(event?.state).toBe("PROCESSED");
    expect(await h.app.db.contact.count({ where: { number: a } })).toBe(0);
  });

  test("elements PostgreSQL cannot store as-is (a NUL, half a surrogate pair) do not cost their neighbours", async () => {
    const group = freshNumbers(2);
    const [a, b] = group as [string, string];
    const before = groupText(a, group, "before the odd one");
    const odd = groupText(b, group, "odd\u0000one");
    const halfPair = groupText(b, group, "half \uD83D pair");
    const after = groupText(a, group, "after the odd one");
    const response = await h.webhook("inbound", [before, odd, halfPair, after]);
    expect(response.status).toBe(200);
    const thread = await threadOf(h, group);
    const posts = await waitForPosts(h, thread, 4);
    expect(posts.map((p) => p.text)).toEqual([
      "before the odd one",
      "odd\uFFFDone",
      "half \uFFFD pair",
      "after the odd one",
    ]);
  });

  test("an element whose values the database refuses (segmentCount beyond int4) is skipped, not retried forever", async () => {
    const group = freshNumbers(2);
    const [a, b] = group as [string, string];
    const absurd = groupText(b, group, "absurd");
    absurd.message.segmentCount = 3_000_000_000;
    const response = await h.webhook("inbound", [absurd, groupText(a, group, "sane")]);
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ stored: 2, invalid: 0 });
    const thread = await threadOf(h, group);
    const [post] = await waitForPosts(h, thread, 1);
    expect(post?.text).toBe("sane");
    // Kept for inspection, set aside at the first attempt rather than retried.
    const event = await h.app.db.inboundEvent.findFirstOrThrow({
      where: { dedupeKey: { contains: absurd.message.id } },
    });
    expect(event).toMatchObject({ state: "SKIPPED", outcome: "invalid" });
  });

  /** POST to the inbound webhook with a deadline, so a stuck connection fails the test instead of hanging it. */
  async function post(body: string | ReadableStream<Uint8Array>): Promise<number> {
    const response = await fetch(`${h.app.url}/webhooks/bandwidth/inbound`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: basicAuth(SECRETS.callbackUser, SECRETS.callbackPassword),
      },
      body,
      signal: AbortSignal.timeout(5_000),
      ...(typeof body === "string" ? {} : { duplex: "half" }),
    } as RequestInit);
    await response.text();
    return response.status;
  }

  /** A body of `chunks` × 64 KiB sent chunked, i.e. without a Content-Length. */
  function chunkedBody(chunks: number): ReadableStream<Uint8Array> {
    const chunk = new TextEncoder().encode(`[${" ".repeat(64 * 1024 - 1)}`);
    return new ReadableStream({
      start(controller) {
        for (let i = 0; i < chunks; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
  }

  test("non-JSON → 400; over 1 MB → 413 (with or without Content-Length); nothing stored", async () => {
    const before = await counts();
    expect(await post("this is not json")).toBe(400);
    expect(await post('[{"type":"message-received",')).toBe(400);

    const [a] = freshNumbers(1) as [string];
    const big = JSON.stringify([groupText(a, [a], "x".repeat(1024 * 1024))]);
    // Several rounds, each followed by ordinary requests: a 413 must not leave a half-read body on
    // a keep-alive connection for the next request to trip over (ECONNRESET) or hang on.
    for (let round = 0; round < 5; round++) {
      expect(await post(big)).toBe(413);
      expect(await post(chunkedBody(20))).toBe(413);
      expect(await post("[]")).toBe(200);
      expect(await post("[]")).toBe(200);
    }
    // Just under the limit is fine (and empty: the array holds only whitespace).
    expect(await post(`[${" ".repeat(1024 * 1024 - 2)}]`)).toBe(200);
    expect(await counts()).toEqual(before);
  });
});

describe("MMS", () => {
  test("a picture appears in the contact's own post, under their name and icon, with alt text saying who sent it", async () => {
    const group = freshNumbers(2);
    const [a] = group as [string];
    await nameContact(h, a, "Ana Ruiz");
    const id = "1700000000001mmsphoto0000001";
    h.bandwidth.putMedia(`${id}/0/photo.png`, PNG_BYTES, "image/png");
    await sendText(h, a, group, "look at this", { id, media: [h.bandwidth.mediaUrl(`${id}/0/photo.png`)] });
    const thread = await threadOf(h, group);

    const [post] = await waitForPosts(h, thread, 1);
    const altText = `Picture from Ana Ruiz ${formatUs(a)}`;
    // The contact's post holds the text and the picture; the app posts nothing under its own name.
    expect(post?.username).toBe("Ana Ruiz");
    expect(post?.icon_emoji).toMatch(/^:.+:$/);
    expect(post?.text).toBe("look at this");
    const [urlCall] = h.slack.callsTo("files.getUploadURLExternal");
    expect(urlCall?.args.filename).toBe("photo.png");
    expect(urlCall?.args.alt_text).toBe(altText);
    expect(Number(urlCall?.args.length)).toBe(PNG_BYTES.length);
    const uploads = h.slack.callsTo(UPLOAD_CALL);
    expect(uploads).toHaveLength(1);
    const fileId = String(uploads[0]?.args.file_id);
    expect(h.slack.uploadedFiles.get(fileId)?.equals(PNG_BYTES)).toBe(true);
    expect(post?.blocks).toEqual([
      { type: "section", text: { type: "mrkdwn", text: "look at this" } },
      { type: "image", slack_file: { id: fileId }, alt_text: altText },
    ]);
    // Uploaded without a channel: shared nowhere but in that post, and before it.
    const [complete] = h.slack.callsTo("files.completeUploadExternal");
    expect(complete?.args.channel_id).toBeUndefined();
    expect(complete?.args.thread_ts).toBeUndefined();
    expect(complete?.args.initial_comment).toBeUndefined();
    expect(((complete?.args.files ?? []) as { id: string }[]).map((f) => f.id)).toEqual([fileId]);
    const uploaded = h.slack.calls.findIndex((c) => c.method === "files.completeUploadExternal");
    const posted = h.slack.calls.findIndex(
      (c) => c.method === "chat.postMessage" && c.args.thread_ts === thread.ts,
    );
    expect(uploaded).toBeGreaterThanOrEqual(0);
    expect(uploaded).toBeLessThan(posted);
  });

  test("a picture Slack is still processing is not named in a post until it is ready: posted once, not refused", async () => {
    const group = freshNumbers(2);
    const [a] = group as [string];
    const id = "1700000000006mmsslow00000001";
    h.bandwidth.putMedia(`${id}/0/slow.jpg`, PNG_BYTES, "image/jpeg");
    h.slack.setFileProcessing(700);
    await sendText(h, a, group, "still processing", {
      id,
      media: [h.bandwidth.mediaUrl(`${id}/0/slow.jpg`)],
    });
    const thread = await threadOf(h, group);
    const [post] = await waitForPosts(h, thread, 1);
    const [complete] = h.slack.callsTo("files.completeUploadExternal");
    const fileId = ((complete?.args.files ?? []) as { id: string }[])[0]?.id;
    expect(JSON.stringify(post?.blocks)).toContain(`"slack_file":{"id":"${fileId}"}`);
    // Asked until Slack gave the file its type; no post was refused on the way.
    expect(h.slack.callsTo("files.info").length).toBeGreaterThan(1);
    expect(h.slack.calls.filter((c) => c.method === "chat.postMessage" && c.error)).toHaveLength(0);
    expect(h.slack.callsTo("files.completeUploadExternal")).toHaveLength(1);
  });

  test("a group MMS with a SMIL layout part and two images: both pictures in the one post, no SMIL", async () => {
    const group = freshNumbers(3);
    const [a] = group as [string];
    const id = "1700000000004mmstwo00000001";
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from("not really a jpeg")]);
    h.bandwidth.putMedia(`${id}/0/smil.smil`, "<smil><body/></smil>", "application/smil");
    h.bandwidth.putMedia(`${id}/1/first.png`, PNG_BYTES, "image/png");
    // No extension in the URL: the name comes from the content type.
    h.bandwidth.putMedia(`${id}/2/part2`, jpeg, "image/jpeg");
    const media = ["0/smil.smil", "1/first.png", "2/part2"].map((p) => h.bandwidth.mediaUrl(`${id}/${p}`));
    await sendText(h, a, group, "", { id, media });
    const thread = await threadOf(h, group);
    const [post] = await waitForPosts(h, thread, 1);
    expect(post?.username).toBe(formatUs(a));
    const [complete] = h.slack.callsTo("files.completeUploadExternal");
    expect(complete?.args.thread_ts).toBeUndefined();
    expect(complete?.args.files).toHaveLength(2);
    const names = h.slack.callsTo("files.getUploadURLExternal").map((c) => c.args.filename);
    expect(names.sort()).toEqual(["attachment-3.jpg", "first.png"]);
    const bytes = [...h.slack.uploadedFiles.values()];
    expect(bytes.some((b) => b.equals(PNG_BYTES))).toBe(true);
    expect(bytes.some((b) => b.equals(jpeg))).toBe(true);
    const ids = ((complete?.args.files ?? []) as { id: string }[]).map((f) => f.id);
    expect(post?.blocks).toEqual(
      ids.map((fileId, i) => ({
        type: "image",
        slack_file: { id: fileId },
        alt_text: `Picture ${i + 1} of 2 from ${formatUs(a)}`,
      })),
    );
    expect(post?.text).toBe("_(2 pictures)_");
  });

  test("a vCard is shared in the thread as a file, its comment naming the sender, escaped; the picture stays in the post", async () => {
    const group = freshNumbers(2);
    const [a] = group as [string];
    await nameContact(h, a, "Ana <Ruiz> & Co");
    const id = "1700000000005mmsvcard0000001";
    h.bandwidth.putMedia(`${id}/0/photo.gif`, "GIF89a", "image/gif");
    h.bandwidth.putMedia(`${id}/1/ana.vcf`, "BEGIN:VCARD\nEND:VCARD", "text/vcard");
    const media = ["0/photo.gif", "1/ana.vcf"].map((p) => h.bandwidth.mediaUrl(`${id}/${p}`));
    await sendText(h, a, group, "my card", { id, media });
    const thread = await threadOf(h, group);
    const [post] = await waitForPosts(h, thread, 1);
    const completes = await h.slack.waitForCalls("files.completeUploadExternal", 2);
    const [picture, card] = completes;
    expect(picture?.args.channel_id).toBeUndefined();
    const pictureId = ((picture?.args.files ?? []) as { id: string }[])[0]?.id;
    expect(post?.blocks).toContainEqual({
      type: "image",
      slack_file: { id: pictureId },
      alt_text: `Picture from Ana <Ruiz> & Co ${formatUs(a)}`,
    });
    expect(card?.args.channel_id).toBe(thread.channel);
    expect(card?.args.thread_ts).toBe(thread.ts);
    expect(card?.args.initial_comment).toBe("Sent by Ana &lt;Ruiz&gt; &amp; Co");
    expect(h.slack.callsTo("files.getUploadURLExternal").map((c) => c.args.filename)).toEqual([
      "photo.gif",
      "ana.vcf",
    ]);
  });

  test("an attachment Bandwidth cannot serve (404) is reported in the thread, and the text still arrives", async () => {
    const group = freshNumbers(2);
    const [a] = group as [string];
    const id = "1700000000002mmsgone00000001";
    await sendText(h, a, group, "did you get the pic?", {
      id,
      media: [h.bandwidth.mediaUrl(`${id}/0/gone.jpg`)],
    });
    const thread = await threadOf(h, group);
    const [post] = await waitForPosts(h, thread, 1);
    expect(post?.text).toContain("did you get the pic?");
    expect(post?.text).toMatch(/1 attachment could not be fetched/);
    expect(h.slack.callsTo("files.getUploadURLExternal")).toHaveLength(0);
  });

  test("a failed Slack upload is retried without posting the text twice", async () => {
    const group = freshNumbers(2);
    const [a] = group as [string];
    const id = "1700000000003mmsretry0000001";
    // A PDF is shared in the thread after the text's post; a failed share must not repost the text.
    h.bandwidth.putMedia(`${id}/0/retry.pdf`, "%PDF-1.4", "application/pdf");
    // Slack refuses the completion once (ok:false is not retried by WebClient): the job fails and retries.
    h.slack.failNext("files.completeUploadExternal", 1, { error: "internal_error" });
    await sendText(h, a, group, "second try", { id, media: [h.bandwidth.mediaUrl(`${id}/0/retry.pdf`)] });
    const thread = await threadOf(h, group);
    await h.slack.waitFor((calls) => calls.some((c) => c.method === "files.completeUploadExternal"), 20_000);
    await sendText(h, a, group, "sentinel");
    const posts = await waitForPost(h, thread, (p) => p.text === "sentinel").then(() =>
      postsIn(h.slack.calls, thread),
    );
    expect(posts.map((p) => p.text)).toEqual(["second try", "sentinel"]);
    const completed = h.slack.callsTo("files.completeUploadExternal");
    expect(completed).toHaveLength(1);
    expect(completed[0]?.args.thread_ts).toBe(thread.ts);
  });
});

function formatUs(e164: string): string {
  const d = e164.slice(2);
  return `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`;
}
