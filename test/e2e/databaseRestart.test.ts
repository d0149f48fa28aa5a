import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { type PostgresCluster, startPostgresCluster } from "../../src/db/embedded";
import { type AppProcess, buildApp, startAppProcess } from "../support/appProcess";
import { inboundMessageCallback } from "../support/bandwidthSpec";
import { type FakeBandwidth, startFakeBandwidth } from "../support/fakeBandwidth";
import { type FakeSlack, startFakeSlack } from "../support/fakeSlack";
import {
  ACCOUNT_ID,
  APPLICATION_ID,
  appEnv,
  basicAuth,
  eventually,
  SALES_LINE,
  SECRETS,
} from "../support/harness";

/*
 * Drill: PostgreSQL restarts under the running app (a compiled app process, as in production).
 * /readyz goes red then green, a webhook is never answered 2xx without being stored, and the app
 * recovers by itself.
 */

let server: PostgresCluster;
let serverDir: string;
let build: ReturnType<typeof buildApp>;
let slack: FakeSlack;
let bandwidth: FakeBandwidth;
let app: AppProcess;
let databaseUrl: string;

beforeAll(async () => {
  build = buildApp();
  // A cluster of its own, since the drill stops it under the running app.
  serverDir = mkdtempSync(path.join(os.tmpdir(), "reply-all-pg-drill-"));
  chmodSync(serverDir, 0o755);
  server = await startPostgresCluster({
    dataDir: path.join(serverDir, "data"),
    password: "drill",
    settings: { fsync: "off" },
  });
  await server.createDatabase("drill");
  databaseUrl = server.url("drill");
  slack = await startFakeSlack();
  bandwidth = await startFakeBandwidth({
    accountId: ACCOUNT_ID,
    username: SECRETS.bandwidthUser,
    password: SECRETS.bandwidthPassword,
    applicationId: APPLICATION_ID,
  });
  app = await startAppProcess(build.dir, { ...appEnv(slack, bandwidth, databaseUrl), LOG_LEVEL: "warn" });
}, 120_000);

afterAll(async () => {
  app?.kill("SIGKILL");
  await app?.exited;
  await server?.destroy();
  if (serverDir) rmSync(serverDir, { recursive: true, force: true });
  await slack?.close();
  await bandwidth?.close();
  build?.cleanup();
});

test("PostgreSQL restarted under the app: readyz red then green, no 2xx without storing", async () => {
  const acked: string[] = [];
  let n = 0;
  const send = async () => {
    const callback = inboundMessageCallback({
      line: SALES_LINE,
      from: "+16465550100",
      to: [SALES_LINE],
      text: `drill ${n++}`,
    });
    const response = await fetch(`${app.url}/webhooks/bandwidth/inbound`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: basicAuth(SECRETS.callbackUser, SECRETS.callbackPassword),
      },
      body: JSON.stringify([callback]),
    });
    if (response.status === 200) acked.push(callback.message.id);
    return response.status;
  };
  const ready = async () => (await fetch(`${app.url}/readyz`)).status;

  expect(await send()).toBe(200);
  expect(await ready()).toBe(200);

  await server.stop();
  expect(await ready()).toBe(503);
  for (let i = 0; i < 3; i++) expect(await send()).toBeGreaterThanOrEqual(500);
  expect((await fetch(`${app.url}/healthz`)).status).toBe(200);

  await server.start();
  await eventually(async () => (await ready()) === 200, 30_000);
  await eventually(async () => (await send()) === 200, 30_000);
  expect(app.child.exitCode).toBeNull();

  // Stored before it was acknowledged (the event row), and taken in afterwards (the message).
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const stored = async (sql: string) =>
    Number((await client.query<{ count: string }>(sql, [acked])).rows[0]?.count);
  expect(
    await stored(`SELECT count(*) FROM "InboundEvent" WHERE split_part("dedupeKey", ':', 2) = ANY($1)`),
  ).toBe(acked.length);
  await eventually(
    async () =>
      (await stored(`SELECT count(*) FROM "Message" WHERE "bandwidthMessageId" = ANY($1)`)) === acked.length,
    30_000,
  );
  await client.end();
  // And the work goes on: what was acknowledged reaches Slack.
  await eventually(
    () =>
      slack.callsTo("chat.postMessage").filter((c) => /^drill \d+$/.test(String(c.args.text))).length >=
      acked.length,
    60_000,
  );
}, 180_000);
