import type { Db } from "../db/client";
import type { QueueStats } from "../observability/metrics";

/** Waiting jobs per queue and the age of the oldest, read from pg-boss's own table. */
export async function queueStats(db: Db): Promise<QueueStats> {
  const rows = await db.$queryRawUnsafe<{ name: string; waiting: bigint; oldest: number | null }[]>(
    `SELECT name, count(*) AS waiting, EXTRACT(EPOCH FROM now() - min(created_on))::float8 AS oldest
       FROM pgboss.job WHERE state IN ('created', 'retry') GROUP BY name`,
  );
  return rows.map((r) => ({ queue: r.name, waiting: Number(r.waiting), oldestSeconds: r.oldest ?? 0 }));
}
