import http from "node:http";
import type { AddressInfo } from "node:net";
import { createWebhookHandler, WEBHOOK_PATHS } from "../../src/bandwidth/webhooks";
import { createLogger } from "../../src/logger";
import type { EventIntake } from "../../src/services/eventIntake";
import { inboundMessageCallback } from "../support/bandwidthSpec";
import { basicAuth, SALES_LINE } from "../support/harness";

/*
 * Issue 9, finding 5: a deeply nested JSON body (with valid credentials) sent to a Bandwidth
 * webhook was never answered: the recursion overflowed outside the handler's try. Every body
 * that cannot be taken in must be answered 400 at once.
 */

const USER = "cb-user";
const PASSWORD = "cb-password-nesting";
let server: http.Server;
let base: string;
const stored: unknown[] = [];

beforeAll(async () => {
  const intake = {
    async store(events: unknown[]) {
      stored.push(...events);
      return { stored: events.length, duplicate: 0, invalid: 0 };
    },
  } as unknown as EventIntake;
  const handle = createWebhookHandler({
    username: USER,
    password: PASSWORD,
    intake,
    logger: createLogger("silent"),
  });
  // Wired the way the app wired it before it had a front: nothing catches a rejection.
  server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    void handle(req, res, path);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function post(path: string, body: string): Promise<number> {
  const response = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: basicAuth(USER, PASSWORD) },
    body,
    signal: AbortSignal.timeout(5_000),
  });
  return response.status;
}

test.each(Object.values(WEBHOOK_PATHS))(
  "%s answers 400 to nesting far deeper than any callback",
  async (path) => {
    for (const depth of [5_000, 100_000]) {
      const nested = `${"[".repeat(depth)}${"]".repeat(depth)}`;
      expect({ depth, status: await post(path, nested) }).toEqual({ depth, status: 400 });
      const objects = `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
      expect({ depth, status: await post(path, objects) }).toEqual({ depth, status: 400 });
    }
    // A real callback inside a deep wrapper is refused whole, and a plain one still goes through.
    const callback = inboundMessageCallback({ line: SALES_LINE, from: "+14155550101", to: [SALES_LINE] });
    expect(await post(path, `${"[".repeat(3000)}${JSON.stringify(callback)}${"]".repeat(3000)}`)).toBe(400);
    expect(await post(path, "[[[[")).toBe(400);
    expect(await post(path, JSON.stringify([callback]))).toBe(200);
  },
);
