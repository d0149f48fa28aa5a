import type { ServerResponse } from "node:http";
import type { Db } from "../db/client";
import { pendingMigrations } from "../db/migrate";

function json(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

/** GET /healthz: the process is up and serving. */
export function health(res: ServerResponse): void {
  json(res, 200, { status: "ok" });
}

/** GET /readyz: every database connection the app needs answers and no migration is pending. */
export async function readiness(
  res: ServerResponse,
  deps: { locks: { ping(): Promise<unknown> }; intake: { ping(): Promise<unknown> } | null; db: Db },
): Promise<void> {
  try {
    await Promise.all([deps.locks.ping(), deps.intake?.ping()]);
    const pending = await pendingMigrations((sql) => deps.db.$queryRawUnsafe(sql));
    if (pending.length === 0) json(res, 200, { status: "ready" });
    else json(res, 503, { status: "migrations pending", pending });
  } catch {
    json(res, 503, { status: "database unreachable" });
  }
}
