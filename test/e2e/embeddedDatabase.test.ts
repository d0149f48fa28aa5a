import { chmodSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type AppProcess, buildApp, startAppProcess } from "../support/appProcess";
import { type FakeBandwidth, startFakeBandwidth } from "../support/fakeBandwidth";
import { type FakeSlack, startFakeSlack } from "../support/fakeSlack";
import { ACCOUNT_ID, APPLICATION_ID, appEnv, SECRETS } from "../support/harness";

/*
 * Issue 16: the README's `npm start` with no DATABASE_URL, on embedded PostgreSQL, from a
 * directory others cannot enter (a mode-700 home when we are root): it reaches /readyz and keeps
 * its data across a restart. Run from a clone under such a home (as .ci/run does), this also
 * covers the PostgreSQL binaries in node_modules being out of the postgres user's reach.
 */

let build: ReturnType<typeof buildApp>;
let slack: FakeSlack;
let bandwidth: FakeBandwidth;
let home: string;

beforeAll(async () => {
  build = buildApp();
  slack = await startFakeSlack();
  bandwidth = await startFakeBandwidth({
    accountId: ACCOUNT_ID,
    username: SECRETS.bandwidthUser,
    password: SECRETS.bandwidthPassword,
    applicationId: APPLICATION_ID,
  });
  home = mkdtempSync(path.join(os.tmpdir(), "reply-all-home-"));
  chmodSync(home, 0o700);
}, 120_000);

afterAll(async () => {
  await slack?.close();
  await bandwidth?.close();
  build?.cleanup();
  if (home) rmSync(home, { recursive: true, force: true });
});

function embeddedEnv(dataDir: string): Record<string, string> {
  const { DATABASE_URL: _unused, ...env } = appEnv(slack, bandwidth, "unused");
  return { ...env, LOG_LEVEL: "info", DATA_DIR: dataDir };
}

async function stop(app: AppProcess): Promise<number | null> {
  app.kill("SIGTERM");
  return (await app.exited).code;
}

function logged(app: AppProcess, msg: string): Array<Record<string, unknown>> {
  return app.output
    .join("")
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.msg === msg);
}

test("starts on embedded PostgreSQL from a private directory, and keeps its data across a restart", async () => {
  const dataDir = path.join(home, "clone", "data");
  const first = await startAppProcess(build.dir, embeddedEnv(dataDir), 90_000);
  expect(logged(first, "migration applied").length).toBeGreaterThan(0);
  expect(await stop(first)).toBe(0);

  // The data is reachable from DATA_DIR whether PostgreSQL could use it in place or not.
  const databaseDir = path.join(dataDir, "postgres");
  expect(existsSync(path.join(realpathSync(databaseDir), "PG_VERSION"))).toBe(true);
  if (process.getuid?.() === 0) {
    // Root runs PostgreSQL as `postgres`, which cannot enter `home`: the data lives elsewhere.
    expect(realpathSync(databaseDir)).not.toBe(databaseDir);
  }

  const second = await startAppProcess(build.dir, embeddedEnv(dataDir), 90_000);
  expect(logged(second, "migration applied")).toHaveLength(0);
  expect(logged(second, "embedded PostgreSQL started")).toHaveLength(1);
  expect(await stop(second)).toBe(0);
  rmSync(realpathSync(databaseDir), { recursive: true, force: true });
}, 180_000);

test("a DATA_DIR that cannot be used stops the app at once with one sentence naming the fix", async () => {
  const blocker = path.join(home, "not-a-directory");
  mkdirSync(path.dirname(blocker), { recursive: true });
  writeFileSync(blocker, "");
  await expect(startAppProcess(build.dir, embeddedEnv(path.join(blocker, "data")), 30_000)).rejects.toThrow(
    /Failed to start: The data directory .* cannot be created \(\w+\): set DATA_DIR to a directory this user can write, or set DATABASE_URL\.\n$/,
  );
});
