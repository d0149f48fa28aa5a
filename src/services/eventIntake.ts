import pg from "pg";
import { isDataError } from "../db/client";
import { partitionOf } from "../domain/lanes";

export interface IncomingEvent {
  dedupeKey: string;
  type: string;
  payload: object;
}

/**
 * The durable half of "ack fast, work later": a webhook's callbacks are written with one INSERT,
 * and only then acknowledged. Turning them into conversation entries is InboundProcessor's work.
 * Plain `pg` here rather than Prisma: this is the hot path, and one statement needs no query engine.
 */
export class EventIntake {
  private readonly pool: pg.Pool;

  constructor(
    databaseUrl: string,
    private readonly channel: string,
    poolSize = 4,
  ) {
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
    // An idle client's error (database restarted) must not crash the process.
    this.pool.on("error", () => undefined);
  }

  /**
   * Stores the events not seen before, in the order given. A callback Bandwidth delivers again
   * finds its key taken and is a duplicate. An event PostgreSQL refuses as data (SQLSTATE class 22)
   * could never be stored: it is counted invalid, and its neighbours are stored without it.
   */
  async store(events: IncomingEvent[]): Promise<{ stored: number; duplicate: number; invalid: number }> {
    try {
      const stored = await this.insert(events);
      return { stored, duplicate: events.length - stored, invalid: 0 };
    } catch (error) {
      if (!isDataError(error) || events.length === 1) {
        if (isDataError(error)) return { stored: 0, duplicate: 0, invalid: 1 };
        throw error;
      }
    }
    const counts = { stored: 0, duplicate: 0, invalid: 0 };
    for (const event of events) {
      const one = await this.store([event]);
      counts.stored += one.stored;
      counts.duplicate += one.duplicate;
      counts.invalid += one.invalid;
    }
    return counts;
  }

  private async insert(events: IncomingEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    // The NOTIFY wakes the instance that drains stored events, wherever it runs.
    const result = await this.pool.query<{ stored: number }>(
      `WITH stored AS (
         INSERT INTO "InboundEvent" ("dedupeKey", "provider", "type", "payload", "partition")
         SELECT e.key, 'bandwidth', e.type, e.payload, e.partition
         FROM unnest($1::text[], $2::text[], $3::jsonb[], $5::int2[])
           WITH ORDINALITY AS e(key, type, payload, partition, n)
         ORDER BY e.n
         ON CONFLICT ("dedupeKey") DO NOTHING
         RETURNING 1
       )
       SELECT n AS stored, CASE WHEN n > 0 THEN pg_notify($4, '') END AS notified
       FROM (SELECT count(*)::int AS n FROM stored) AS counted`,
      [
        events.map((e) => e.dedupeKey),
        events.map((e) => e.type),
        events.map((e) => JSON.stringify(e.payload)),
        this.channel,
        // Which instance's share each falls in: every event of a lane in the same partition.
        events.map((e) => partitionOf(e)),
      ],
    );
    return result.rows[0]?.stored ?? 0;
  }

  async ping(): Promise<void> {
    await this.pool.query("SELECT 1");
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
