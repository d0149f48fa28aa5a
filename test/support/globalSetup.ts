// One real PostgreSQL for the whole run, started by the app's own launcher (src/db/embedded.ts) so
// the tests run wherever `npm start` does, root in a mode-700 home included; each test file gets
// its own database.
import { chmodSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type PostgresCluster, startPostgresCluster } from "../../src/db/embedded";

declare global {
  var __REPLY_ALL_PG__: { cluster: PostgresCluster; dir: string } | undefined;
}

export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_DATABASE_URL) return;
  const dir = mkdtempSync(path.join(os.tmpdir(), "reply-all-test-pg-"));
  // Reachable by the postgres user, so the data stays here rather than under /var/lib (see
  // src/db/embedded.ts); test/e2e/embeddedDatabase.test.ts covers a private directory.
  chmodSync(dir, 0o755);
  const cluster = await startPostgresCluster({
    dataDir: path.join(dir, "data"),
    password: "test",
    settings: { fsync: "off", max_connections: "300" },
  });
  globalThis.__REPLY_ALL_PG__ = { cluster, dir };
  process.env.TEST_DATABASE_URL = cluster.url("postgres");
}
