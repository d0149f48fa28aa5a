import http from "node:http";
import net from "node:net";
import { type AppProcess, buildApp, startAppProcess } from "../support/appProcess";
import { inboundMessageCallback } from "../support/bandwidthSpec";
import { type FakeBandwidth, startFakeBandwidth } from "../support/fakeBandwidth";
import { type FakeSlack, startFakeSlack } from "../support/fakeSlack";
import { ACCOUNT_ID, APPLICATION_ID, appEnv, basicAuth, SALES_LINE, SECRETS } from "../support/harness";
import { signSlackBody } from "../support/slackRequests";
import { createTestDatabase } from "../support/testDatabase";

/*
 * Issue 9, finding 1 and the hostile scan: the compiled app, started as `npm start` starts it,
 * answers whatever is thrown at it, keeps serving, and writes no secret to its logs.
 */

let build: ReturnType<typeof buildApp>;
let slack: FakeSlack;
let bandwidth: FakeBandwidth;
let app: AppProcess;

const HOSTILE_REQUEST_ID = `${"r".repeat(5_000)}"},{"level":60,"msg":"forged`;
const GOOD_AUTH = basicAuth(SECRETS.callbackUser, SECRETS.callbackPassword);
/** Authorization values sent during the scan: none of them may reach the logs. */
const sentAuthorizations = new Set<string>([GOOD_AUTH]);

beforeAll(async () => {
  build = buildApp();
  slack = await startFakeSlack();
  bandwidth = await startFakeBandwidth({
    accountId: ACCOUNT_ID,
    username: SECRETS.bandwidthUser,
    password: SECRETS.bandwidthPassword,
    applicationId: APPLICATION_ID,
  });
  const databaseUrl = await createTestDatabase({ migrated: false });
  // debug: the most the app ever logs, so the secrets check covers every log line there is.
  app = await startAppProcess(build.dir, { ...appEnv(slack, bandwidth, databaseUrl), LOG_LEVEL: "debug" });
}, 120_000);

afterAll(async () => {
  if (app) {
    app.kill("SIGKILL");
    await app.exited;
  }
  await slack?.close();
  await bandwidth?.close();
  build?.cleanup();
});

interface Probe {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** The server may answer by closing the connection while the request is still being written. */
  mayClose?: boolean;
}

/** Sends one request as given (no normalising of method or path); null when no answer came. */
function send(probe: Probe, timeoutMs = 10_000): Promise<number | null> {
  const url = new URL(app.url);
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: probe.method,
        path: probe.path,
        headers: probe.headers,
        agent: false,
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        res.once("end", () => resolve(res.statusCode ?? null));
        res.once("error", () => resolve(res.statusCode ?? null));
      },
    );
    req.once("timeout", () => {
      req.destroy();
      resolve(null);
    });
    req.once("error", () => resolve(null));
    req.end(probe.body);
  });
}

/** Writes raw bytes on a socket; resolves with the status line's code, or null when closed without one. */
function sendRaw(bytes: string | Buffer, timeoutMs = 5_000): Promise<number | null> {
  const url = new URL(app.url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(url.port), url.hostname);
    let received = "";
    const done = () => {
      socket.destroy();
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(received);
      resolve(match ? Number(match[1]) : null);
    };
    socket.setTimeout(timeoutMs, done);
    socket.on("data", (chunk) => {
      received += String(chunk);
      if (/^HTTP\/1\.[01] \d{3}/.test(received)) done();
    });
    socket.once("error", done);
    socket.once("close", done);
    socket.write(bytes);
  });
}

async function healthy(): Promise<boolean> {
  return (await send({ method: "GET", path: "/healthz" }, 5_000)) === 200;
}

/** Runs `tasks` with at most `width` in flight. */
async function inParallel<T>(tasks: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) {
        const index = next++;
        results[index] = await (tasks[index] as () => Promise<T>)();
      }
    }),
  );
  return results;
}

function expectNoSecretsLogged() {
  const logs = app.output.join("");
  expect(logs.length).toBeGreaterThan(0);
  const secrets: Record<string, string> = {
    ...SECRETS,
    callbackBasic: GOOD_AUTH.slice("Basic ".length),
    bandwidthBasic: Buffer.from(`${SECRETS.bandwidthUser}:${SECRETS.bandwidthPassword}`).toString("base64"),
  };
  for (const value of sentAuthorizations) secrets[`sent ${value.slice(0, 12)}`] = value;
  for (const [name, secret] of Object.entries(secrets))
    expect({ name, leaked: logs.includes(secret) }).toEqual({ name, leaked: false });
  // A client's X-Request-Id is logged only when it looks like one.
  expect(logs).not.toContain(HOSTILE_REQUEST_ID.slice(0, 200));
}

test("finding 1: paths Bolt does not serve are answered 404/405 and the process keeps serving", async () => {
  const probes: [Probe, number][] = [
    [{ method: "GET", path: "/" }, 404],
    [{ method: "GET", path: "/favicon.ico" }, 404],
    [{ method: "GET", path: "/slack/events" }, 405],
    [{ method: "POST", path: "/slack/events/", body: "{}" }, 404],
    [
      {
        method: "POST",
        path: "/webhooks/bandwidth/inbound/",
        headers: { authorization: GOOD_AUTH, "content-type": "application/json" },
        body: "[]",
      },
      404,
    ],
    [{ method: "GET", path: "/.env" }, 404],
  ];
  for (const [probe, status] of probes) {
    expect({ ...probe, status: await send(probe) }).toEqual({ ...probe, status });
    expect({ after: probe.path, healthy: await healthy() }).toEqual({ after: probe.path, healthy: true });
  }
  expect(app.child.exitCode).toBeNull();
  expectNoSecretsLogged();
});

function hostileProbes(): Probe[] {
  const json = { "content-type": "application/json" };
  const nested = `${"[".repeat(5000)}${"]".repeat(5000)}`;
  const callback = JSON.stringify([
    inboundMessageCallback({ line: SALES_LINE, from: "+14155550199", to: [SALES_LINE], text: "scan" }),
  ]);
  const paths = [
    "/",
    "/favicon.ico",
    "/.env",
    "/.git/config",
    "/slack/events",
    "/slack/events/",
    "/SLACK/EVENTS",
    "/slack//events",
    "/slack/events?ssl_check=1",
    "/slack/./events",
    "/webhooks/bandwidth/inbound",
    "/webhooks/bandwidth/inbound/",
    "/webhooks/bandwidth/status",
    "/webhooks/bandwidth/../bandwidth/inbound",
    "/../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/charts/usage.png",
    "/charts/usage.png?month=2026-11&v=000000000000&exp=1&sig=00",
    "/charts/../.env",
    "/healthz/",
    "/metrics/",
    "/%00",
    "/slack/events%00",
    "/webhooks/bandwidth/inbound%00",
    `/${"a".repeat(8_000)}`,
    `/healthz?${"q=1&".repeat(2_000)}`,
    "/sandbox/../../etc/passwd",
  ];
  const methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "PROPFIND"];
  const probes: Probe[] = [];
  for (const path of paths)
    for (const method of methods)
      probes.push({
        method,
        path,
        ...(method === "POST" || method === "PUT" ? { headers: json, body: "{}" } : {}),
      });

  const authorizations = [
    undefined,
    GOOD_AUTH,
    GOOD_AUTH.replace("Basic", "basic"),
    "Basic",
    "Basic !!!!",
    "Basic =",
    basicAuth(SECRETS.callbackUser, "wrong-password-123"),
    basicAuth("", ""),
    basicAuth(SECRETS.callbackUser, `${SECRETS.callbackPassword}\u0000`),
    `Bearer ${SECRETS.botToken}`,
    `Basic ${"A".repeat(6000)}`,
  ];
  const bodies: [string, Record<string, string>, string | Buffer][] = [
    ["nested", json, nested],
    ["nested objects", json, `${'{"a":'.repeat(5000)}1${"}".repeat(5000)}`],
    ["invalid", json, "{"],
    ["empty", json, ""],
    ["null", json, "null"],
    ["number", json, "12345"],
    ["proto", json, '[{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}]'],
    ["too many", json, JSON.stringify(Array.from({ length: 1001 }, () => ({})))],
    ["too big", json, Buffer.alloc(1024 * 1024 + 10, 0x20)],
    ["text", { "content-type": "text/plain" }, callback],
    ["form", { "content-type": "application/x-www-form-urlencoded" }, "a=1&b=%00"],
    ["utf-16 junk", json, Buffer.from([0xff, 0xfe, 0x00, 0xd8, 0x00, 0x00])],
    ["good", json, callback],
  ];
  for (const path of ["/webhooks/bandwidth/inbound", "/webhooks/bandwidth/status"]) {
    for (const authorization of authorizations) {
      if (authorization) sentAuthorizations.add(authorization);
      for (const [name, headers, body] of bodies)
        probes.push({
          method: "POST",
          path,
          headers: { ...headers, ...(authorization ? { authorization } : {}) },
          body,
          mayClose: name === "too big",
        });
    }
  }

  // Slack: unsigned, wrongly signed, stale, and signed but hostile bodies.
  const signed = (body: string, contentType: string, timestamp?: number): Probe => ({
    method: "POST",
    path: "/slack/events",
    headers: { "content-type": contentType, ...signSlackBody(SECRETS.signingSecret, body, timestamp) },
    body,
  });
  probes.push(
    {
      method: "POST",
      path: "/slack/events",
      headers: json,
      body: '{"type":"url_verification","challenge":"x"}',
    },
    {
      method: "POST",
      path: "/slack/events",
      headers: { ...json, ...signSlackBody("not-the-secret", "{}") },
      body: "{}",
    },
    signed('{"type":"event_callback"}', "application/json", Math.floor(Date.now() / 1000) - 3600),
    signed("{", "application/json"),
    signed(nested, "application/json"),
    signed(`payload=${encodeURIComponent(nested)}`, "application/x-www-form-urlencoded"),
    signed("payload=%7B", "application/x-www-form-urlencoded"),
    signed('{"type":"event_callback","event":{"type":"message"}}', "application/json"),
    signed('{"type":"event_callback","event":null}', "application/json"),
    signed("ssl_check=1", "application/x-www-form-urlencoded"),
    signed("command=%2Fgrouptext&user_id=U1&trigger_id=1", "application/x-www-form-urlencoded"),
    signed('{"type":"block_actions","actions":[{}],"user":{}}', "text/plain"),
    { ...signed(`{"a":"${"x".repeat(1024 * 1024 + 10)}"}`, "application/json"), mayClose: true },
  );

  // Headers: one huge, many, odd values.
  probes.push(
    { method: "GET", path: "/healthz", headers: { "x-big": "x".repeat(20_000) } },
    { method: "GET", path: "/", headers: { "x-big": "x".repeat(100_000) }, mayClose: true },
    {
      method: "GET",
      path: "/readyz",
      headers: Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`x-h${i}`, String(i)])),
    },
    {
      method: "POST",
      path: "/slack/events",
      headers: { "x-request-id": HOSTILE_REQUEST_ID, ...json },
      body: "{}",
    },
    {
      method: "POST",
      path: "/webhooks/bandwidth/status",
      headers: { "x-request-id": HOSTILE_REQUEST_ID, authorization: GOOD_AUTH, ...json },
      body: "[]",
    },
    {
      method: "POST",
      path: "/webhooks/bandwidth/inbound",
      headers: { ...json, authorization: GOOD_AUTH, "content-length": "99999999" },
      body: "[]",
      mayClose: true,
    },
  );
  return probes;
}

const RAW_REQUESTS: (string | Buffer)[] = [
  "GET\r\n\r\n",
  "GET / HTTP/9.9\r\nHost: x\r\n\r\n",
  "GET http://evil.example/healthz HTTP/1.1\r\nHost: x\r\n\r\n",
  "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
  "GET /%00 HTTP/1.1\r\nHost: x\r\n\r\n",
  Buffer.from("GET /\u0000healthz HTTP/1.1\r\nHost: x\r\n\r\n", "latin1"),
  "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Injected: a\rb\r\n\r\n",
  "POST /webhooks/bandwidth/inbound HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
  "POST /webhooks/bandwidth/inbound HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
  `POST /webhooks/bandwidth/inbound HTTP/1.1\r\nHost: x\r\nAuthorization: ${GOOD_AUTH}\r\nContent-Length: 100\r\n\r\n[1,2`,
  `GET /${"b".repeat(70_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
  "\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1\u0003\u0003",
];

test("hostile scan: hundreds of hostile requests leave the app ready, answering, and its logs free of secrets", async () => {
  const probes = hostileProbes();
  expect(probes.length).toBeGreaterThan(300);
  const started = Date.now();
  const statuses = await inParallel(
    probes.map((probe) => () => send(probe)),
    8,
  );
  const unanswered = probes
    .map((probe, i) => ({
      method: probe.method,
      path: probe.path.slice(0, 60),
      body: String(probe.body ?? "").slice(0, 60),
      status: statuses[i],
      mayClose: probe.mayClose ?? false,
    }))
    .filter((p) => (p.status === null && !p.mayClose) || (p.status ?? 0) >= 500);
  // Everything is answered, never with a 5xx.
  expect(unanswered).toEqual([]);
  for (const raw of RAW_REQUESTS) {
    const status = await sendRaw(raw);
    expect(status === null || status < 500 || status === 505).toBe(true);
  }
  expect(Date.now() - started).toBeLessThan(45_000);

  expect(app.child.exitCode).toBeNull();
  expect(await healthy()).toBe(true);
  expect(await send({ method: "GET", path: "/readyz" })).toBe(200);
  // The one good callback per path was taken in: the app still does its job.
  expect(await send({ method: "GET", path: "/metrics" })).toBe(200);
  expectNoSecretsLogged();
  for (const line of app.output.join("").split("\n").filter(Boolean))
    expect(() => JSON.parse(line)).not.toThrow();
}, 60_000);
