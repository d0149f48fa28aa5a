/**
 * The floor for a durable acknowledgement: a bare Node http server that does nothing but one
 * PostgreSQL INSERT per request (the body, as jsonb) and answers 200 once it has committed.
 * Run as its own process by bench/run.ts with DATABASE_URL and PORT; prints "ready" when listening.
 */
import http from "node:http";
import pg from "pg";

async function main(): Promise<void> {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
  pool.on("error", () => undefined);
  await pool.query(
    "CREATE TABLE IF NOT EXISTS baseline_event (id bigserial PRIMARY KEY, payload jsonb NOT NULL, received_at timestamptz NOT NULL DEFAULT now())",
  );
  const server = http.createServer((req, res) => {
    if (req.method === "GET") {
      res.writeHead(200).end("ok");
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      pool
        .query("INSERT INTO baseline_event (payload) VALUES ($1)", [Buffer.concat(chunks).toString("utf8")])
        .then(
          () => {
            res.writeHead(200, { "content-type": "application/json" }).end('{"stored":1}');
          },
          () => {
            res.writeHead(500).end();
          },
        );
    });
  });
  server.listen(Number(process.env.PORT), "127.0.0.1", () => process.stdout.write("ready\n"));
  const stop = () => {
    server.close();
    server.closeAllConnections();
    void pool.end().finally(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`baseline failed: ${String(error)}\n`);
  process.exit(1);
});
