import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { App, LogLevel, verifySlackRequest } from "@slack/bolt";
import { type Logger, retryPolicies, type WebAPIPlatformError, WebClient } from "@slack/web-api";
import { type FakeSlack, startFakeSlack, UPLOAD_CALL } from "../support/fakeSlack";
import {
  appHomeOpenedEvent,
  messageEvent,
  postSlack,
  sendBlockActions,
  sendEvent,
  sendSlash,
  sendViewSubmission,
  signSlackBody,
  slashCommandBody,
  sslCheckBody,
  urlVerificationBody,
} from "../support/slackRequests";

const TOKEN = "xoxb-test-token";

// WebClient logs Slack's `response_metadata.messages` "[ERROR] ..." lines at error level; tests that expect
// validation failures would otherwise print them.
const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

function platformError(err: unknown): string | undefined {
  const e = err as Partial<WebAPIPlatformError>;
  return e.data?.error;
}

describe("fakeSlack with the real WebClient", () => {
  let fake: FakeSlack;
  let client: WebClient;

  beforeAll(async () => {
    fake = await startFakeSlack({
      users: { U1: { name: "ada", real_name: "Ada Lovelace", is_admin: true } },
    });
    client = new WebClient(TOKEN, { slackApiUrl: fake.apiUrl, logger: silentLogger });
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  it("answers auth.test with the bot identity", async () => {
    const res = await client.auth.test();
    expect(res).toMatchObject({ ok: true, user_id: "UBOT", bot_id: "BBOT", team_id: "T1" });
    expect(fake.calls[0]).toMatchObject({ method: "auth.test", token: TOKEN });
  });

  it("chat.postMessage returns increasing ts and records decoded blocks", async () => {
    const blocks = [{ type: "section", text: { type: "mrkdwn", text: "*hi*" } }];
    const first = await client.chat.postMessage({
      channel: "C1",
      text: "hi",
      blocks,
      thread_ts: "1699999999.000001",
    });
    const second = await client.chat.postMessage({ channel: "C1", text: "again" });

    expect(first.ok).toBe(true);
    expect(first.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(first.channel).toBe("C1");
    expect(first.message).toMatchObject({
      text: "hi",
      blocks,
      thread_ts: "1699999999.000001",
      bot_id: "BBOT",
    });
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));

    const [call] = fake.callsTo("chat.postMessage");
    expect(call?.args).toEqual({ channel: "C1", text: "hi", blocks, thread_ts: "1699999999.000001" });
    expect(call?.token).toBe(TOKEN);
    expect(fake.messagesIn("C1").map((m) => m.ts)).toEqual([first.ts, second.ts]);
  });

  it("validates like Slack: no_text, unknown user, unknown method, chat.update of a missing message", async () => {
    await expect(client.chat.postMessage({ channel: "C1", text: "" })).rejects.toMatchObject({
      data: { error: "no_text" },
    });
    expect((await client.users.info({ user: "U1" })).user).toMatchObject({
      id: "U1",
      name: "ada",
      real_name: "Ada Lovelace",
      is_admin: true,
      is_owner: false,
    });
    await expect(client.users.info({ user: "UNOPE" })).rejects.toMatchObject({
      data: { error: "user_not_found" },
    });
    await expect(client.apiCall("nope.nothing")).rejects.toMatchObject({ data: { error: "unknown_method" } });
    await expect(client.chat.update({ channel: "C1", ts: "1.000001", text: "x" })).rejects.toMatchObject({
      data: { error: "message_not_found" },
    });
    expect(fake.callsTo("users.info").map((c) => c.error)).toEqual([undefined, "user_not_found"]);
  });

  it("requires a bearer token", async () => {
    const anonymous = new WebClient(undefined, { slackApiUrl: fake.apiUrl, logLevel: LogLevel.ERROR });
    const err = await anonymous.auth.test().catch((e: unknown) => e);
    expect(platformError(err)).toBe("not_authed");
    expect(fake.calls).toHaveLength(0);
    expect(fake.rejected).toEqual([expect.objectContaining({ method: "auth.test", reason: "not_authed" })]);
  });

  it("views.open / views.update return views with ids and hashes, and detect hash conflicts", async () => {
    const view = {
      type: "modal" as const,
      callback_id: "new_text",
      title: { type: "plain_text" as const, text: "New text" },
      blocks: [],
    };
    const opened = await client.views.open({ trigger_id: "123.456.abc", view });
    const id = opened.view?.id ?? "";
    expect(id).toMatch(/^V/);
    const updated = await client.views.update({ view_id: id, hash: opened.view?.hash, view });
    expect(updated.view?.hash).not.toBe(opened.view?.hash);
    await expect(client.views.update({ view_id: id, hash: opened.view?.hash, view })).rejects.toMatchObject({
      data: { error: "hash_conflict" },
    });
    await expect(
      client.views.open({
        trigger_id: "t",
        view: { ...view, title: { type: "plain_text", text: "x".repeat(25) } },
      }),
    ).rejects.toMatchObject({ data: { error: "invalid_arguments" } });
    const home = await client.views.publish({ user_id: "U1", view: { type: "home", blocks: [] } });
    expect(home.view).toMatchObject({ type: "home", id: expect.stringMatching(/^V/) });
  });

  it("a 429 with Retry-After is retried by WebClient and ends in one recorded success", async () => {
    fake.failNext("chat.postMessage", 1, { status: 429, retryAfterSeconds: 1 });
    const started = Date.now();
    const res = await client.chat.postMessage({ channel: "C1", text: "after rate limit" });
    expect(res.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(fake.callsTo("chat.postMessage")).toHaveLength(1);
    expect(fake.rejected).toEqual([
      expect.objectContaining({ method: "chat.postMessage", status: 429, reason: "injected" }),
    ]);
  });

  it("a rateLimited call surfaces as WebAPIRateLimitedError when the client rejects rate-limited calls", async () => {
    const strict = new WebClient(TOKEN, {
      slackApiUrl: fake.apiUrl,
      rejectRateLimitedCalls: true,
      logLevel: LogLevel.ERROR,
    });
    fake.failNext("*", 1, { status: 429, retryAfterSeconds: 7 });
    await expect(strict.chat.postMessage({ channel: "C1", text: "x" })).rejects.toMatchObject({
      code: "slack_webapi_rate_limited_error",
      retryAfter: 7,
    });
  });

  it("injects Slack errors and HTTP 5xx (the latter retried by WebClient)", async () => {
    const quick = new WebClient(TOKEN, {
      slackApiUrl: fake.apiUrl,
      retryConfig: retryPolicies.rapidRetryPolicy,
      logLevel: LogLevel.ERROR,
    });
    fake.failNext("reactions.add", 1, { error: "channel_not_found" });
    await expect(
      quick.reactions.add({ channel: "C1", timestamp: "1.1", name: "white_check_mark" }),
    ).rejects.toMatchObject({ data: { error: "channel_not_found" } });
    fake.failNext("reactions.add", 2, { status: 503 });
    await quick.reactions.add({ channel: "C1", timestamp: "1.1", name: "white_check_mark" });
    expect(fake.rejected.map((r) => r.status)).toEqual([200, 503, 503]);
    expect(fake.callsTo("reactions.add")).toHaveLength(1);
    await expect(
      quick.reactions.add({ channel: "C1", timestamp: "1.1", name: "white_check_mark" }),
    ).rejects.toMatchObject({ data: { error: "already_reacted" } });
  });

  it("rateLimitPerChannel answers 429 beyond N posts/sec per channel", async () => {
    const strict = new WebClient(TOKEN, {
      slackApiUrl: fake.apiUrl,
      rejectRateLimitedCalls: true,
      logLevel: LogLevel.ERROR,
    });
    fake.rateLimitPerChannel(2);
    const results = await Promise.allSettled([
      strict.chat.postMessage({ channel: "C1", text: "1" }),
      strict.chat.postMessage({ channel: "C1", text: "2" }),
      strict.chat.postMessage({ channel: "C1", text: "3" }),
      strict.chat.postMessage({ channel: "C2", text: "other channel" }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    expect(fake.rejected).toEqual([expect.objectContaining({ reason: "rate_limited", status: 429 })]);
  });

  it("chat.getPermalink and chat.postEphemeral answer with Slack's shapes", async () => {
    const link = await client.chat.getPermalink({ channel: "C1", message_ts: "1700000000.000100" });
    expect(link.permalink).toBe("https://example.slack.com/archives/C1/p1700000000000100");
    const eph = await client.chat.postEphemeral({ channel: "C1", user: "U1", text: "only you" });
    expect(eph.message_ts).toMatch(/^\d+\.\d{6}$/);
  });

  it("filesUploadV2 completes the three-step upload and records the bytes", async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
    const res = await client.filesUploadV2({
      channel_id: "C1",
      thread_ts: "1700000000.000100",
      file: bytes,
      filename: "photo.png",
    });
    const fileId = fake.callsTo("files.completeUploadExternal")[0]?.args.files;
    expect(fileId).toEqual([{ id: expect.stringMatching(/^F/), title: "photo.png" }]);

    const [getUrl] = fake.callsTo("files.getUploadURLExternal");
    expect(getUrl?.args).toMatchObject({ filename: "photo.png", length: String(bytes.length) });
    const [upload] = fake.callsTo(UPLOAD_CALL);
    const id = String(upload?.args.file_id);
    expect(fake.uploadedFiles.get(id)).toEqual(bytes);
    expect(fake.callsTo("files.completeUploadExternal")[0]?.args).toMatchObject({
      channel_id: "C1",
      thread_ts: "1700000000.000100",
    });
    expect(JSON.stringify(res)).toContain(id);

    const info = await client.files.info({ file: id });
    expect(info.file).toMatchObject({ id, name: "photo.png", size: bytes.length });
  });

  it("an upload without a channel is shared nowhere; an image block may show it by id, an unknown id is refused", async () => {
    const res = await client.filesUploadV2({
      file_uploads: [{ file: Buffer.from("png"), filename: "pic.png", alt_text: "Picture from Ana" }],
    });
    const [complete] = fake.callsTo("files.completeUploadExternal");
    expect(complete?.args.channel_id).toBeUndefined();
    expect(fake.callsTo("files.getUploadURLExternal")[0]?.args.alt_text).toBe("Picture from Ana");
    const id = String(((complete?.args.files ?? []) as { id: string }[])[0]?.id);
    expect(JSON.stringify(res)).toContain(id);
    const image = (fileId: string) => ({
      type: "image",
      slack_file: { id: fileId },
      alt_text: "Picture from Ana",
    });
    const posted = await client.chat.postMessage({ channel: "C1", text: "pic", blocks: [image(id)] });
    expect(posted.ok).toBe(true);
    await expect(
      client.chat.postMessage({ channel: "C1", text: "pic", blocks: [image("F0NOSUCHFILE")] }),
    ).rejects.toMatchObject({ data: { error: "invalid_blocks" } });
    // Not a picture Slack can show in an image block.
    await client.filesUploadV2({ file_uploads: [{ file: Buffer.from("%PDF"), filename: "doc.pdf" }] });
    const pdf = String(
      ((fake.callsTo("files.completeUploadExternal")[1]?.args.files ?? []) as { id: string }[])[0]?.id,
    );
    await expect(
      client.chat.postMessage({ channel: "C1", text: "pdf", blocks: [image(pdf)] }),
    ).rejects.toMatchObject({ data: { error: "invalid_blocks" } });
    // Alt text is required, and one source only.
    await expect(
      client.chat.postMessage({
        channel: "C1",
        text: "pic",
        blocks: [{ type: "image", slack_file: { id }, alt_text: "" }],
      }),
    ).rejects.toMatchObject({ data: { error: "invalid_blocks" } });
    await expect(
      client.chat.postMessage({
        channel: "C1",
        text: "pic",
        blocks: [
          { type: "image", slack_file: { id }, image_url: "https://example.com/a.png", alt_text: "a" },
        ],
      }),
    ).rejects.toMatchObject({ data: { error: "invalid_blocks" } });
  });

  it("a file still being processed has no type yet and cannot be shown in an image block", async () => {
    fake.setFileProcessing(300);
    await client.filesUploadV2({ file_uploads: [{ file: Buffer.from("png"), filename: "late.png" }] });
    const id = String(
      ((fake.callsTo("files.completeUploadExternal")[0]?.args.files ?? []) as { id: string }[])[0]?.id,
    );
    const blocks = [{ type: "image", slack_file: { id }, alt_text: "Picture" }];
    expect((await client.files.info({ file: id })).file?.mimetype).toBe("");
    await expect(client.chat.postMessage({ channel: "C1", text: "late", blocks })).rejects.toMatchObject({
      data: { error: "invalid_blocks" },
    });
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect((await client.files.info({ file: id })).file?.mimetype).not.toBe("");
    expect((await client.chat.postMessage({ channel: "C1", text: "late", blocks })).ok).toBe(true);
  });

  it("serves registered files to bearer-authenticated GETs only", async () => {
    const file = fake.registerFile({
      id: "F9",
      name: "cat.jpg",
      mimetype: "image/jpeg",
      bytes: Buffer.from("jpegbytes"),
    });
    expect(file).toMatchObject({ id: "F9", name: "cat.jpg", mimetype: "image/jpeg", size: 9 });
    const ok = await fetch(file.url_private_download, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toBe("image/jpeg");
    expect(Buffer.from(await ok.arrayBuffer()).toString()).toBe("jpegbytes");
    expect((await fetch(file.url_private)).status).toBe(401);
    expect(fake.downloads.map((d) => d.status)).toEqual([200, 401]);
  });

  it("seeded messages can be updated only when the bot owns them; response URLs record posts", async () => {
    fake.seedMessage({ channel: "C1", ts: "1600000000.000100", text: "old" });
    fake.seedMessage({ channel: "C1", ts: "1600000000.000200", text: "theirs", user: "U1" });
    const updated = await client.chat.update({ channel: "C1", ts: "1600000000.000100", text: "new" });
    expect(updated.message).toMatchObject({ text: "new", edited: { user: "UBOT" } });
    await expect(
      client.chat.update({ channel: "C1", ts: "1600000000.000200", text: "x" }),
    ).rejects.toMatchObject({
      data: { error: "cant_update_message" },
    });
    const url = fake.responseUrl("cmd1");
    const res = await fetch(url, { method: "POST", body: JSON.stringify({ text: "ephemeral" }) });
    expect(res.status).toBe(200);
    expect(fake.responses).toEqual([expect.objectContaining({ id: "cmd1", body: { text: "ephemeral" } })]);
  });

  it("waitFor resolves on later calls and times out with a useful message", async () => {
    const waiting = fake.waitForCalls("chat.postMessage", 2, 5000);
    await client.chat.postMessage({ channel: "C1", text: "a" });
    await client.chat.postMessage({ channel: "C1", text: "b" });
    expect((await waiting).map((c) => c.args.text)).toEqual(["a", "b"]);
    await expect(fake.waitFor((calls) => calls.length > 10, 50)).rejects.toThrow(
      /timed out.*chat\.postMessage/,
    );
  });
});

describe("signSlackBody", () => {
  const secret = "8f742231b10e8888abcd99yyyzzz85a5";
  const body = "token=x&team_id=T1&command=%2Fgrouptext&text=hello";

  function headersFor(h: ReturnType<typeof signSlackBody>) {
    return {
      "x-slack-signature": h["X-Slack-Signature"],
      "x-slack-request-timestamp": Number(h["X-Slack-Request-Timestamp"]),
    };
  }

  it("verifies with Bolt's verifySlackRequest", () => {
    const headers = headersFor(signSlackBody(secret, body));
    expect(() => verifySlackRequest({ signingSecret: secret, body, headers })).not.toThrow();
  });

  it("fails with the wrong secret, a changed body, or a stale timestamp", () => {
    const headers = headersFor(signSlackBody(secret, body));
    expect(() => verifySlackRequest({ signingSecret: "wrong", body, headers })).toThrow(/signature mismatch/);
    expect(() => verifySlackRequest({ signingSecret: secret, body: `${body}x`, headers })).toThrow(
      /signature mismatch/,
    );
    const stale = headersFor(signSlackBody(secret, body, Math.floor(Date.now() / 1000) - 10 * 60));
    expect(() => verifySlackRequest({ signingSecret: secret, body, headers: stale })).toThrow(/stale/);
  });

  it("matches Slack's documented example signature", () => {
    // From Slack's "Verifying requests from Slack" guide.
    const docBody =
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const h = signSlackBody(secret, docBody, 1531420618);
    expect(h["X-Slack-Signature"]).toBe(
      "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    );
  });
});

describe("slackRequests against a real Bolt App", () => {
  const signingSecret = "test-signing-secret";
  let fake: FakeSlack;
  let app: App;
  let server: Server;
  let baseUrl: string;
  const seen: string[] = [];

  beforeAll(async () => {
    fake = await startFakeSlack();
    app = new App({
      token: TOKEN,
      signingSecret,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: fake.apiUrl },
    });
    app.command("/grouptext", async ({ ack, command, client }) => {
      seen.push(`command:${command.text}`);
      await ack();
      await client.views.open({
        trigger_id: command.trigger_id,
        view: {
          type: "modal",
          callback_id: "new_text",
          title: { type: "plain_text", text: "Group text" },
          blocks: [],
        },
      });
    });
    app.view("new_text", async ({ ack, view }) => {
      seen.push(`view:${view.private_metadata}:${JSON.stringify(view.state.values)}`);
      await ack({ response_action: "errors", errors: { numbers: "bad number" } });
    });
    app.action("add_number", async ({ ack, body }) => {
      seen.push(`action:${body.type}`);
      await ack();
    });
    app.event("app_home_opened", async ({ event }) => {
      seen.push(`home:${event.user}`);
    });
    app.message(async ({ message }) => {
      if ("files" in message && Array.isArray(message.files))
        seen.push(`message-files:${message.files.length}`);
    });
    server = (await app.start({ port: 0, host: "127.0.0.1" })) as Server;
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app.stop();
    await fake.close();
  });

  it("accepts a signed slash command and the listener reaches the fake", async () => {
    const res = await sendSlash(baseUrl, signingSecret, {
      command: "/grouptext",
      text: "hi all",
      userId: "U1",
      channelId: "C1",
    });
    expect(res.status).toBe(200);
    await fake.waitForCalls("views.open", 1);
    expect(seen).toContain("command:hi all");
    // Bolt verified its token through the fake on the first request.
    expect(fake.callsTo("auth.test")).toHaveLength(1);
  });

  it("rejects a request signed with the wrong secret", async () => {
    const res = await postSlack(
      baseUrl,
      "not-the-secret",
      slashCommandBody({ command: "/grouptext", userId: "U1", channelId: "C1" }),
    );
    expect(res.status).toBe(401);
  });

  it("answers url_verification and ssl_check", async () => {
    const verify = await postSlack(baseUrl, signingSecret, urlVerificationBody("challenge-123"));
    expect(verify).toMatchObject({ status: 200, json: { challenge: "challenge-123" } });
    const ssl = await postSlack(baseUrl, signingSecret, { ...sslCheckBody(), sign: false });
    expect(ssl.status).toBe(200);
  });

  it("delivers view submissions and returns the ack body", async () => {
    const res = await sendViewSubmission(baseUrl, signingSecret, {
      userId: "U1",
      view: {
        callback_id: "new_text",
        private_metadata: '{"channel":"C1"}',
        state: { values: { numbers: { numbers_input: { type: "plain_text_input", value: "555" } } } },
      },
    });
    expect(res).toMatchObject({
      status: 200,
      json: { response_action: "errors", errors: { numbers: "bad number" } },
    });
    expect(seen).toContain(
      'view:{"channel":"C1"}:{"numbers":{"numbers_input":{"type":"plain_text_input","value":"555"}}}',
    );
  });

  it("delivers block actions and events", async () => {
    const action = await sendBlockActions(baseUrl, signingSecret, {
      userId: "U1",
      actions: [{ action_id: "add_number", value: "x" }],
      view: { callback_id: "new_text" },
    });
    expect(action.status).toBe(200);
    const file = fake.registerFile({ id: "F1", name: "a.png", mimetype: "image/png", bytes: "png" });
    const events = await Promise.all([
      sendEvent(baseUrl, signingSecret, { event: appHomeOpenedEvent("U7") }),
      sendEvent(baseUrl, signingSecret, {
        event: messageEvent({ channel: "C1", user: "U1", text: "pic", files: [file] }),
      }),
    ]);
    expect(events.map((e) => e.status)).toEqual([200, 200]);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual(expect.arrayContaining(["action:block_actions", "home:U7", "message-files:1"]));
  });
});
