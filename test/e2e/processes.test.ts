import pg from "pg";
import type { AppProcess } from "../support/appProcess";
import { inboundMessageCallback } from "../support/bandwidthSpec";
import type { FakeBandwidth } from "../support/fakeBandwidth";
import type { FakeSlack, RecordedCall } from "../support/fakeSlack";
import { basicAuth, SALES_LINE, SECRETS } from "../support/harness";
import { processRig } from "../support/processRig";
import { messageEvent, sendEvent } from "../support/slackRequests";
import { createTestDatabase } from "../support/testDatabase";

/*
 * The app as production runs it: compiled, one OS process per instance, on one PostgreSQL.
 * Covers scale-out (two instances share the work), kill -9 after acknowledging, and shutdown.
 */

const rig = processRig();
const { start } = rig;
let slack: FakeSlack;
let bandwidth: FakeBandwidth;
beforeAll(() => {
  ({ slack, bandwidth } = rig);
});

afterEach(async () => {
  await rig.killAll();
  slack.reset();
  bandwidth.reset();
});

function groupOf(index: number): string[] {
  return [`+1415${200 + index}0001`, `+1415${200 + index}0002`];
}

async function text(app: AppProcess, group: number, n: number): Promise<number> {
  const [from, other] = groupOf(group) as [string, string];
  const body = [
    inboundMessageCallback({ line: SALES_LINE, from, to: [SALES_LINE, other], text: `g${group}-m${n}` }),
  ];
  const response = await fetch(`${app.url}/webhooks/bandwidth/inbound`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: basicAuth(SECRETS.callbackUser, SECRETS.callbackPassword),
    },
    body: JSON.stringify(body),
  });
  return response.status;
}

/** Per thread, the message numbers in the order Slack received them. */
function postedByGroup(calls: readonly RecordedCall[]): Map<number, number[]> {
  const byGroup = new Map<number, number[]>();
  for (const call of calls) {
    const match = /^g(\d+)-m(\d+)$/.exec(String(call.args.text));
    if (call.method !== "chat.postMessage" || !match) continue;
    const list = byGroup.get(Number(match[1])) ?? [];
    list.push(Number(match[2]));
    byGroup.set(Number(match[1]), list);
  }
  return byGroup;
}

async function waitForAll(groups: number, perGroup: number, timeoutMs: number) {
  await slack.waitFor((calls) => {
    const byGroup = postedByGroup(calls);
    let total = 0;
    for (const list of byGroup.values()) total += list.length;
    return total >= groups * perGroup;
  }, timeoutMs);
}

function expectExactlyOnceInOrder(groups: number, perGroup: number) {
  const byGroup = postedByGroup(slack.calls);
  const expected = Array.from({ length: perGroup }, (_, i) => i);
  for (let g = 0; g < groups; g++)
    expect({ group: g, posted: byGroup.get(g) }).toEqual({ group: g, posted: expected });
}

test("two instances on one PostgreSQL: a burst through both is posted exactly once, in order per thread", async () => {
  const databaseUrl = await createTestDatabase({ migrated: false });
  const [a, b] = await Promise.all([start(databaseUrl), start(databaseUrl)]);
  const GROUPS = 8;
  const PER_GROUP = 12;
  // Messages of one group go in order (a phone sends them one after the other), alternating
  // instances; groups go in parallel.
  await Promise.all(
    Array.from({ length: GROUPS }, async (_, g) => {
      for (let n = 0; n < PER_GROUP; n++)
        expect(await text(n % 2 === 0 ? (a as AppProcess) : (b as AppProcess), g, n)).toBe(200);
    }),
  );
  await waitForAll(GROUPS, PER_GROUP, 60_000);
  await new Promise((r) => setTimeout(r, 1000));
  expectExactlyOnceInOrder(GROUPS, PER_GROUP);
  // Every group has exactly one thread root.
  const roots = slack.callsTo("chat.postMessage").filter((c) => c.args.thread_ts === undefined);
  expect(roots).toHaveLength(GROUPS);
}, 120_000);

/** A counter or gauge of one instance, read from its /metrics. */
async function metric(app: AppProcess, name: string): Promise<number> {
  const body = await (await fetch(`${app.url}/metrics`)).text();
  // Summed over the metric's labels (the processed count is split by path).
  const series = body.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "gm"));
  return [...series].reduce((sum, match) => sum + Number(match[1]), 0);
}

async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const HELD = "replyall_inbound_partitions_held";
const PROCESSED = "replyall_inbound_callbacks_processed_total";

test("every instance takes in a share of one burst; a killed instance's share is taken over within seconds", async () => {
  const databaseUrl = await createTestDatabase({ migrated: false });
  const [a, b] = (await Promise.all([start(databaseUrl), start(databaseUrl)])) as [AppProcess, AppProcess];
  await until(
    async () => {
      const [heldA, heldB] = [await metric(a, HELD), await metric(b, HELD)];
      return heldA > 0 && heldB > 0 && heldA + heldB === 32;
    },
    10_000,
    "the two instances split the partitions",
  );
  // Every callback goes in through one instance: the other one takes in its share all the same.
  const GROUPS = 16;
  const PER_GROUP = 6;
  await Promise.all(
    Array.from({ length: GROUPS }, async (_, g) => {
      for (let n = 0; n < PER_GROUP; n++) expect(await text(a, g, n)).toBe(200);
    }),
  );
  await waitForAll(GROUPS, PER_GROUP, 60_000);
  await new Promise((r) => setTimeout(r, 1000));
  expectExactlyOnceInOrder(GROUPS, PER_GROUP);
  const [byA, byB] = [await metric(a, PROCESSED), await metric(b, PROCESSED)];
  expect(byA).toBeGreaterThan(0);
  expect(byB).toBeGreaterThan(0);
  expect(byA + byB).toBe(GROUPS * PER_GROUP);

  // kill -9: PostgreSQL frees the dead instance's locks with its connection; the survivor's next
  // rebalance (about a second) takes its partitions, and their texts are taken in there.
  b.kill("SIGKILL");
  await b.exited;
  const killedAt = Date.now();
  await until(async () => (await metric(a, HELD)) === 32, 10_000, "the survivor holds every partition");
  expect(Date.now() - killedAt).toBeLessThan(5_000);
  slack.reset();
  await Promise.all(
    Array.from({ length: GROUPS }, async (_, g) => {
      expect(await text(a, g, PER_GROUP)).toBe(200);
    }),
  );
  await waitForAll(GROUPS, 1, 30_000);
  for (let g = 0; g < GROUPS; g++) expect(postedByGroup(slack.calls).get(g)).toEqual([PER_GROUP]);
}, 120_000);

test("ingest and processing apart: a web instance only stores and acknowledges, a worker takes in and posts", async () => {
  const databaseUrl = await createTestDatabase({ migrated: false });
  const [web, worker] = (await Promise.all([
    start(databaseUrl, {}, ["--role=web"]),
    start(databaseUrl, { ROLE: "worker" }),
  ])) as [AppProcess, AppProcess];
  // A worker takes no requests in: its only paths are the probes and the metrics.
  const refused = await fetch(`${worker.url}/webhooks/bandwidth/inbound`, { method: "POST", body: "[]" });
  expect(refused.status).toBe(404);
  await until(async () => (await metric(worker, HELD)) === 32, 10_000, "the worker holds every partition");
  const GROUPS = 6;
  const PER_GROUP = 5;
  await Promise.all(
    Array.from({ length: GROUPS }, async (_, g) => {
      for (let n = 0; n < PER_GROUP; n++) expect(await text(web, g, n)).toBe(200);
    }),
  );
  await waitForAll(GROUPS, PER_GROUP, 60_000);
  expectExactlyOnceInOrder(GROUPS, PER_GROUP);
  expect(await metric(web, HELD)).toBe(0);
  expect(await metric(web, PROCESSED)).toBe(0);
  expect(await metric(worker, PROCESSED)).toBe(GROUPS * PER_GROUP);

  // A teammate's reply reaches the web instance; the worker texts it to the group.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  const thread = (
    await pool.query<{ channelId: string; threadTs: string }>(
      `SELECT "channelId", "threadTs" FROM "GroupConversation" WHERE "threadTs" IS NOT NULL LIMIT 1`,
    )
  ).rows[0];
  await pool.end();
  bandwidth.reset();
  const reply = await sendEvent(web.url, SECRETS.signingSecret, {
    event: messageEvent({
      channel: thread?.channelId ?? "",
      user: "UDANA",
      text: "from the web role",
      threadTs: thread?.threadTs ?? "",
    }),
  });
  expect(reply.status).toBe(200);
  const [texted] = await bandwidth.waitForMessages(1, 15_000);
  expect(texted?.body.text).toContain("from the web role");
}, 120_000);

test("kill -9 after acknowledging, before posting: after restart everything acknowledged is posted once, in order", async () => {
  const databaseUrl = await createTestDatabase({ migrated: false });
  const app = await start(databaseUrl);
  // Slack is down, so nothing acknowledged can have been posted when the process dies.
  slack.failNext("chat.postMessage", 100_000, { status: 500 });
  const GROUPS = 4;
  const PER_GROUP = 10;
  await Promise.all(
    Array.from({ length: GROUPS }, async (_, g) => {
      for (let n = 0; n < PER_GROUP; n++) expect(await text(app, g, n)).toBe(200);
    }),
  );
  app.kill("SIGKILL");
  await app.exited;
  expect(postedByGroup(slack.calls).size).toBe(0);

  slack.reset();
  await start(databaseUrl);
  await waitForAll(GROUPS, PER_GROUP, 60_000);
  await new Promise((r) => setTimeout(r, 1000));
  expectExactlyOnceInOrder(GROUPS, PER_GROUP);
}, 120_000);

test("SIGTERM shuts down gracefully; a second signal forces the exit", async () => {
  const databaseUrl = await createTestDatabase({ migrated: false });
  const app = await start(databaseUrl);
  app.kill("SIGTERM");
  const result = await app.exited;
  expect(result.code).toBe(0);
  expect(app.output.join("")).toContain('"msg":"stopped"');

  // A shutdown stuck on a hung Bandwidth request: the second signal exits at once.
  const stuck = await start(databaseUrl);
  bandwidth.failNext(1, { hang: true });
  const [from] = groupOf(90) as [string, string];
  await fetch(`${stuck.url}/webhooks/bandwidth/inbound`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: basicAuth(SECRETS.callbackUser, SECRETS.callbackPassword),
    },
    body: JSON.stringify([
      inboundMessageCallback({ line: SALES_LINE, from, to: [SALES_LINE], text: "HELP" }),
    ]),
  });
  await new Promise((r) => setTimeout(r, 300));
  stuck.kill("SIGTERM");
  stuck.kill("SIGINT");
  const forced = await stuck.exited;
  expect(forced.code === 1 || forced.code === 0).toBe(true);
}, 120_000);
