import { Configuration, MessagesApi } from "bandwidth-sdk";
import {
  inboundMessageCallback,
  specExample,
  statusCallback,
  validateSchema,
} from "../support/bandwidthSpec";
import { type FakeBandwidth, startFakeBandwidth } from "../support/fakeBandwidth";

const ACCOUNT_ID = "9900000";
const USERNAME = "api-user";
const PASSWORD = "api-pass";
const APPLICATION_ID = "93de2206-9669-4e07-948d-329f4b722ee2";
const LINE = "+15553332222";

function authHeader(username = USERNAME, password = PASSWORD): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

describe("fake Bandwidth Messaging API", () => {
  let fake: FakeBandwidth;

  beforeAll(async () => {
    fake = await startFakeBandwidth({
      accountId: ACCOUNT_ID,
      username: USERNAME,
      password: PASSWORD,
      applicationId: APPLICATION_ID,
    });
  });

  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  function postMessage(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${fake.url}/users/${ACCOUNT_ID}/messages`, {
      method: "POST",
      headers: { Authorization: authHeader(), "Content-Type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
  }

  const validBody = { applicationId: APPLICATION_ID, to: ["+15554443333"], from: LINE, text: "hi" };

  it("accepts a createMessage call from the real bandwidth-sdk client", async () => {
    const api = new MessagesApi(
      new Configuration({ username: USERNAME, password: PASSWORD, basePath: fake.url }),
    );
    const to = ["+15554443333", "+15552223333"];

    const response = await api.createMessage(ACCOUNT_ID, {
      applicationId: APPLICATION_ID,
      to: new Set(to),
      from: LINE,
      text: "hello group",
      tag: "conv-1",
    });

    expect(response.status).toBe(202);
    expect(response.data.id).toMatch(/^\d{13}[0-9a-z]{16}$/);
    expect(validateSchema("message", response.data)).toEqual([]);
    expect(response.data).toMatchObject({ owner: LINE, direction: "out", segmentCount: 1, to });
    expect(fake.violations).toEqual([]);
    expect(fake.messages).toHaveLength(1);
    expect(fake.messages[0]).toMatchObject({
      id: response.data.id,
      accountId: ACCOUNT_ID,
      body: { applicationId: APPLICATION_ID, to, from: LINE, text: "hello group", tag: "conv-1" },
    });
  });

  it("reports a segment count of its own when told to, in the send's answer and in List Messages", async () => {
    const api = new MessagesApi(
      new Configuration({ username: USERNAME, password: PASSWORD, basePath: fake.url }),
    );
    fake.setSegmentCount((body) => (body.text === "counted by Bandwidth" ? 4 : null));
    const counted = await api.createMessage(ACCOUNT_ID, {
      applicationId: APPLICATION_ID,
      to: new Set(["+15554443333"]),
      from: LINE,
      text: "counted by Bandwidth",
    });
    const estimated = await api.createMessage(ACCOUNT_ID, {
      applicationId: APPLICATION_ID,
      to: new Set(["+15554443333"]),
      from: LINE,
      text: "estimated",
    });
    expect(validateSchema("message", counted.data)).toEqual([]);
    expect(counted.data.segmentCount).toBe(4);
    expect(estimated.data.segmentCount).toBe(1);
    const listed = await api.listMessages(ACCOUNT_ID, counted.data.id);
    expect(listed.data.messages?.[0]?.segmentCount).toBe(4);
  });

  it("rejects a request missing applicationId with a spec-shaped 400 and records the violation", async () => {
    const { applicationId: _omitted, ...withoutApplicationId } = validBody;

    const response = await postMessage(withoutApplicationId);

    expect(response.status).toBe(400);
    const body: unknown = await response.json();
    expect(validateSchema("createMessageRequestError", body)).toEqual([]);
    expect(body).toMatchObject({ type: "request-validation", fieldErrors: [{ fieldName: "applicationId" }] });
    expect(fake.messages).toEqual([]);
    expect(fake.violations).toHaveLength(1);
    expect(fake.violations[0]).toMatchObject({
      method: "POST",
      path: `/api/v2/users/${ACCOUNT_ID}/messages`,
      body: withoutApplicationId,
    });
    expect(fake.violations[0]?.errors.join("\n")).toMatch(/applicationId/);
  });

  it("enforces constraints the spec states in prose, such as E.164 recipients", async () => {
    const response = await postMessage({ ...validBody, to: ["5554443333"] });

    expect(response.status).toBe(400);
    expect(fake.violations[0]?.errors.join("\n")).toMatch(/E164/);
  });

  it("answers 415 for a non-JSON content type", async () => {
    const response = await postMessage(validBody, { "Content-Type": "text/plain" });

    expect(response.status).toBe(415);
    expect(validateSchema("messagingRequestError", await response.json())).toEqual([]);
    expect(fake.violations).toHaveLength(1);
  });

  it("rejects bad credentials with 401 and another account with 403", async () => {
    const badAuth = await postMessage(validBody, { Authorization: authHeader(USERNAME, "wrong") });
    expect(badAuth.status).toBe(401);
    expect(validateSchema("messagingRequestError", await badAuth.json())).toEqual([]);

    const api = new MessagesApi(
      new Configuration({ username: USERNAME, password: "nope", basePath: fake.url }),
    );
    await expect(
      api.createMessage(ACCOUNT_ID, {
        applicationId: APPLICATION_ID,
        to: new Set(["+15554443333"]),
        from: LINE,
      }),
    ).rejects.toMatchObject({ response: { status: 401 } });

    const otherAccount = await fetch(`${fake.url}/users/1234567/messages`, {
      method: "POST",
      headers: { Authorization: authHeader(), "Content-Type": "application/json" },
      body: JSON.stringify(validBody),
    });
    expect(otherAccount.status).toBe(403);
    expect(fake.messages).toEqual([]);
  });

  it("records unknown routes as 404 violations", async () => {
    const response = await fetch(`${fake.url}/users/${ACCOUNT_ID}/mesages`, {
      method: "POST",
      headers: { Authorization: authHeader() },
    });

    expect(response.status).toBe(404);
    expect(fake.violations).toMatchObject([{ method: "POST", path: `/api/v2/users/${ACCOUNT_ID}/mesages` }]);
  });

  describe("fault injection", () => {
    it("failNext(429) sets Retry-After, then requests succeed again", async () => {
      fake.failNext(2, { status: 429, retryAfterSeconds: 7 });

      const first = await postMessage(validBody);
      const second = await postMessage(validBody);
      const third = await postMessage(validBody);

      expect(first.status).toBe(429);
      expect(first.headers.get("retry-after")).toBe("7");
      expect(validateSchema("messagingRequestError", await first.json())).toEqual([]);
      expect(second.status).toBe(429);
      expect(third.status).toBe(202);
      expect(fake.messages).toHaveLength(1);
      expect(fake.violations).toEqual([]);
      expect(fake.requests.map((r) => [r.status, r.injected])).toEqual([
        [429, true],
        [429, true],
        [202, false],
      ]);
    });

    it("failNext(500) answers 500 with a spec-shaped body", async () => {
      fake.failNext(1, { status: 500, description: "boom" });

      const response = await postMessage(validBody);

      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ type: "internal-server-error", description: "boom" });
      expect(fake.messages).toEqual([]);
    });

    it("setFailure fails only the requests the rule selects", async () => {
      fake.setFailure((body) =>
        body.to.includes("+15550000000") ? { status: 400, description: "blocked" } : null,
      );

      const blocked = await postMessage({ ...validBody, to: ["+15550000000"] });
      const allowed = await postMessage(validBody);

      expect(blocked.status).toBe(400);
      expect(validateSchema("createMessageRequestError", await blocked.json())).toEqual([]);
      expect(allowed.status).toBe(202);
      expect(fake.violations).toEqual([]);
    });

    it("a hung request never answers but does not keep the server from closing", async () => {
      const hungFake = await startFakeBandwidth({
        accountId: ACCOUNT_ID,
        username: USERNAME,
        password: PASSWORD,
      });
      hungFake.failNext(1, { hang: true });

      const pending = fetch(`${hungFake.url}/users/${ACCOUNT_ID}/messages`, {
        method: "POST",
        headers: { Authorization: authHeader(), "Content-Type": "application/json" },
        body: JSON.stringify(validBody),
      });
      const outcome = pending.then(
        () => "answered",
        () => "connection closed",
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(hungFake.requests).toMatchObject([{ status: null, injected: true }]);

      await hungFake.close();
      expect(await outcome).toBe("connection closed");
    });
  });

  describe("waitForMessages", () => {
    it("resolves once enough messages have arrived", async () => {
      const waiting = fake.waitForMessages(2, 2000);
      await postMessage(validBody);
      await postMessage({ ...validBody, text: "second" });

      const messages = await waiting;
      expect(messages.map((m) => m.body.text)).toEqual(["hi", "second"]);
    });

    it("rejects with a clear error on timeout", async () => {
      await expect(fake.waitForMessages(1, 50)).rejects.toThrow(
        /expected at least 1 accepted message.*got 0/,
      );
    });
  });

  describe("media", () => {
    it("stores uploads, serves them with basic auth, and deletes them", async () => {
      const mediaId = "14762070468292kw2fuqty55yp2b2/0/bw.png";
      const url = fake.mediaUrl(mediaId);
      expect(url).toBe(`${fake.url}/users/${ACCOUNT_ID}/media/${mediaId}`);

      const put = await fetch(url, {
        method: "PUT",
        headers: { Authorization: authHeader(), "Content-Type": "image/png" },
        body: Buffer.from([1, 2, 3]),
      });
      expect(put.status).toBe(204);

      expect((await fetch(url)).status).toBe(401);
      const get = await fetch(url, { headers: { Authorization: authHeader() } });
      expect(get.status).toBe(200);
      expect(get.headers.get("content-type")).toBe("image/png");
      expect([...new Uint8Array(await get.arrayBuffer())]).toEqual([1, 2, 3]);

      // The SDK percent-encodes the slashes inside mediaId.
      const encoded = `${fake.url}/users/${ACCOUNT_ID}/media/${encodeURIComponent(mediaId)}`;
      expect(
        (await fetch(encoded, { method: "DELETE", headers: { Authorization: authHeader() } })).status,
      ).toBe(204);
      const missing = await fetch(url, { headers: { Authorization: authHeader() } });
      expect(missing.status).toBe(404);
      expect(validateSchema("messagingRequestError", await missing.json())).toEqual([]);
    });

    it("serves preloaded media for inbound MMS", async () => {
      fake.putMedia("abc/0/photo.jpg", Buffer.from("jpeg-bytes"), "image/jpeg");

      const response = await fetch(fake.mediaUrl("abc/0/photo.jpg"), {
        headers: { Authorization: authHeader() },
      });

      expect(response.status).toBe(200);
      expect(await response.text()).toBe("jpeg-bytes");
    });
  });
});

describe("bandwidth spec helpers", () => {
  it("builds spec-valid inbound group MMS callbacks", () => {
    const callback = inboundMessageCallback({
      line: LINE,
      from: "+15554443333",
      to: [LINE, "+15552223333"],
      text: "hey all",
      media: ["https://messaging.bandwidth.com/api/v2/users/9900000/media/abc/0/photo.jpg"],
    });

    expect(validateSchema("inboundCallback", callback)).toEqual([]);
    expect(callback).toMatchObject({
      type: "message-received",
      to: LINE,
      message: {
        owner: LINE,
        direction: "in",
        from: "+15554443333",
        to: [LINE, "+15552223333"],
        text: "hey all",
      },
    });
    const again = inboundMessageCallback({ line: LINE, from: "+15554443333", to: [LINE] });
    expect(again.message.id).not.toBe(callback.message.id);
    expect(again.message.media).toBeUndefined();
  });

  it.each(["message-sending", "message-sent", "message-delivered", "message-failed"] as const)(
    "builds a spec-valid %s status callback",
    (type) => {
      const callback = statusCallback({
        type,
        messageId: "1589228074636lm4k2je7j7jklbn2",
        line: LINE,
        recipient: "+15554443333",
        allRecipients: ["+15554443333", "+15552223333"],
        tag: "conv-1",
        errorCode: 4432,
      });

      expect(validateSchema("statusCallback", callback)).toEqual([]);
      expect(callback).toMatchObject({
        type,
        to: "+15554443333",
        message: {
          id: "1589228074636lm4k2je7j7jklbn2",
          owner: LINE,
          from: LINE,
          direction: "out",
          tag: "conv-1",
        },
      });
      expect(callback.errorCode).toBe(type === "message-failed" ? 4432 : undefined);
    },
  );

  it("a status callback carries the segment count asked for, still spec-valid", () => {
    const callback = statusCallback({
      type: "message-delivered",
      messageId: "1589228074636lm4k2je7j7jklbn2",
      line: LINE,
      recipient: "+15554443333",
      segmentCount: 3,
    });
    expect(validateSchema("statusCallback", callback)).toEqual([]);
    expect(callback.message.segmentCount).toBe(3);
  });

  it("rejects values of the wrong type", () => {
    const callback = specExample("smsMessageReceivedCallbackExample");
    expect(validateSchema("inboundCallback", callback)).toEqual([]);

    const broken = { ...(callback as Record<string, unknown>), to: 15552223333 };
    expect(validateSchema("inboundCallback", broken)).toEqual(["/to must be string"]);
    expect(validateSchema("messageRequest", { applicationId: "x", to: "+15554443333", from: LINE })).toEqual([
      "/to must be array",
    ]);
    expect(() => validateSchema("noSuchSchema", {})).toThrow(/noSuchSchema/);
  });

  it("returns independent copies of spec examples", () => {
    const first = specExample("messageFailedCallbackExample") as { errorCode: number };
    first.errorCode = 1;
    expect(specExample("messageFailedCallbackExample")).toMatchObject({ errorCode: 4432 });
  });
});
