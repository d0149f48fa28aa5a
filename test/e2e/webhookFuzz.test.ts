import fc from "fast-check";
import { inboundMessageCallback } from "../support/bandwidthSpec";
import { basicAuth, eventually, type Harness, SALES_LINE, SECRETS, startHarness } from "../support/harness";

/*
 * Hostile and malformed webhook bodies (wrong types, huge strings, unicode, missing fields, wrong
 * auth) never produce a 5xx, never crash the app, and never disturb valid traffic sent alongside.
 */

const BODIES = Number(process.env.WEBHOOK_FUZZ_BODIES ?? 10_000);

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ env: { LOG_LEVEL: "error" } });
});
afterAll(async () => {
  await h.stop();
});

const valid = inboundMessageCallback({
  line: SALES_LINE,
  from: "+16175550100",
  to: [SALES_LINE],
  text: "valid",
});

// Mutations of a valid callback: each field replaced by anything, removed, or the whole thing
// replaced by arbitrary JSON.
const hostileElement = fc.oneof(
  fc.anything({ maxDepth: 3 }),
  fc
    .record({
      field: fc.constantFrom("time", "type", "to", "description", "message"),
      value: fc.oneof(
        fc.anything({ maxDepth: 2 }),
        fc.string({ unit: "binary", maxLength: 20_000 }),
        fc.constant(undefined),
      ),
    })
    .map(({ field, value }) => ({ ...valid, [field]: value })),
  fc
    .record({
      field: fc.constantFrom(
        "id",
        "owner",
        "from",
        "to",
        "text",
        "media",
        "segmentCount",
        "direction",
        "applicationId",
      ),
      value: fc.oneof(
        fc.anything({ maxDepth: 2 }),
        fc.string({ unit: "grapheme", maxLength: 5_000 }),
        fc.constant(undefined),
      ),
    })
    .map(({ field, value }) => ({ ...valid, message: { ...valid.message, [field]: value } })),
);

const hostileRequest = fc.record({
  path: fc.constantFrom("inbound", "status"),
  body: fc.oneof(
    fc.array(hostileElement, { maxLength: 5 }).map((elements) => JSON.stringify(elements)),
    hostileElement.map((element) => JSON.stringify(element) ?? "null"),
    fc.string({ unit: "binary", maxLength: 2_000 }),
  ),
  auth: fc.oneof(
    { weight: 4, arbitrary: fc.constant(basicAuth(SECRETS.callbackUser, SECRETS.callbackPassword)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.constant(basicAuth(SECRETS.callbackUser, "wrong")) },
  ),
});

test(`${BODIES} hostile webhook bodies: no 5xx, no crash, valid traffic unaffected`, async () => {
  const statuses = new Map<number, number>();
  const samples = fc.sample(hostileRequest, { numRuns: BODIES, seed: 20261127 });
  let validSent = 0;
  const CONCURRENCY = 16;
  for (let i = 0; i < samples.length; i += CONCURRENCY) {
    const chunk = samples.slice(i, i + CONCURRENCY);
    const results = await Promise.all(
      chunk.map(async ({ path, body, auth }) => {
        const response = await fetch(`${h.app.url}/webhooks/bandwidth/${path}`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: auth },
          body,
        });
        await response.arrayBuffer();
        return response.status;
      }),
    );
    for (const status of results) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    // A valid message every so often, in the middle of the noise.
    if ((i / CONCURRENCY) % 25 === 0) {
      const n = validSent++;
      const callback = inboundMessageCallback({
        line: SALES_LINE,
        from: "+16175550100",
        to: [SALES_LINE],
        text: `valid ${n}`,
      });
      expect((await h.webhook("inbound", [callback])).status).toBe(200);
    }
  }
  const serverErrors = [...statuses.entries()].filter(([status]) => status >= 500);
  expect(serverErrors).toEqual([]);
  expect((await fetch(`${h.app.url}/healthz`)).status).toBe(200);

  // Every valid message arrived in Slack, once, in order.
  await eventually(() => {
    const posted = h.slack.callsTo("chat.postMessage").filter((c) => /^valid \d+$/.test(String(c.args.text)));
    return posted.length >= validSent ? posted : undefined;
  }, 30_000);
  const posted = h.slack
    .callsTo("chat.postMessage")
    .map((c) => String(c.args.text))
    .filter((t) => /^valid \d+$/.test(t));
  expect(posted).toEqual(Array.from({ length: validSent }, (_, n) => `valid ${n}`));
}, 300_000);
