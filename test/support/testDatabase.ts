import { randomBytes } from "node:crypto";
import pg from "pg";
import { migrate } from "../../src/db/migrate";
import { createLogger } from "../../src/logger";

function adminUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url)
    throw new Error(
      "TEST_DATABASE_URL is not set: run the tests through jest (globalSetup starts PostgreSQL)",
    );
  return url;
}

/** A fresh database on the test cluster, optionally migrated. */
export async function createTestDatabase(opts: { migrated?: boolean } = {}): Promise<string> {
  const name = `t_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  if (opts.migrated !== false) await migrate(url.toString(), createLogger("silent"));
  return url.toString();
}
