import pg from "pg";
import { isDataError } from "../db/client";
import { partitionOf } from "../domain/lanes";

/** Requests one INSERT writes together at most. */
const GROUP_REQUESTS = 64;

interface Waiting {
  events: IncomingEvent[];
  resolve(counts: { stored: number; duplicate: number; invalid: number }): void;
  reject(error: unknown): void;
}

export interface IncomingEvent {
  dedupeKey: string;
  type: string;
  payload: object;
}

/** An event as it was stored: its order of arrival, and the partition whose holder takes it in. */
export interface StoredCallback extends IncomingEvent {
  seq: bigint;
  partition: number;
}

/**
 * The durable half of "ack fast, work later": a webhook's callbacks are written with one INSERT,
 * and only then acknowledged. Turning them into conversation entries is InboundProcessor's work.
 * Plain `pg` here rather than Prisma: this is the hot path, and one statement needs no query engine.
 */
export class EventIntake {
  private readonly pool: pg.Pool;
  /** Requests waiting for a connection: written together by the next INSERT (see `store`). */
  private waiting: Waiting[] = [];
  private inFlight = 0;
  private listener: ((events: StoredCallback[]) => void) | null = null;

  constructor(
    databaseUrl: string,
    private readonly channel: string,
    private readonly poolSize = 4,
    /** Sent with the NOTIFY: the processor of this very process, woken directly, need not look twice. */
    private readonly origin = "",
  ) {
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
    // An idle client's error (database restarted) must not crash the process.
    this.pool.on("error", () => undefined);
  }

  /**
   * Hands what is stored to this process's processor as well, once committed: it has them parsed
   * already, and need not read them back (the NOTIFY wakes every other instance).
   */
  onStored(listener: (events: StoredCallback[]) => void): void {
    this.listener = listener;
  }

  /**
   * Stores the events not seen before, in the order given. A callback Bandwidth delivers again
   * finds its key taken and is a duplicate. An event PostgreSQL refuses as data (SQLSTATE class 22)
   * could never be stored: it is counted invalid, and its neighbours are stored without it.
   *
   * Requests that arrive while every connection is busy are written together, by one INSERT and
   * one commit, once a connection is free (group commit): under load each request waits for one
   * commit, not for a queue of them, and the rate acknowledged grows past one commit per request.
   */
  store(events: IncomingEvent[]): Promise<{ stored: number; duplicate: number; invalid: number }> {
    if (events.length === 0) return Promise.resolve({ stored: 0, duplicate: 0, invalid: 0 });
    return new Promise((resolve, reject) => {
      this.waiting.push({ events, resolve, reject });
      this.flush();
    });
  }

  private flush(): void {
    if (this.inFlight >= this.poolSize || this.waiting.length === 0) return;
    const group = this.waiting.splice(0, GROUP_REQUESTS);
    this.inFlight++;
    void this.storeGroup(group).finally(() => {
      this.inFlight--;
      this.flush();
    });
  }

  private async storeGroup(group: Waiting[]): Promise<void> {
    let stored: Map<string, StoredCallback>;
    try {
      stored = await this.insert(group.flatMap((w) => w.events));
    } catch (error) {
      // A value one request holds that PostgreSQL refuses must not fail the others written with
      // it: each is stored apart then. Any other failure fails them all (500: Bandwidth retries).
      for (const { events, resolve, reject } of group) {
        if (isDataError(error)) this.storeApart(events).then(resolve, reject);
        else reject(error);
      }
      return;
    }
    this.announce([...stored.values()]);
    // A callback in two requests of one group (a retry racing its original) is the first one's.
    for (const { events, resolve } of group) {
      const mine = events.filter((e) => stored.delete(e.dedupeKey)).length;
      resolve({ stored: mine, duplicate: events.length - mine, invalid: 0 });
    }
  }

  /** A request on its own, each event alone if one of them is refused. */
  private async storeApart(
    events: IncomingEvent[],
  ): Promise<{ stored: number; duplicate: number; invalid: number }> {
    try {
      const stored = await this.insert(events);
      this.announce([...stored.values()]);
      return { stored: stored.size, duplicate: events.length - stored.size, invalid: 0 };
    } catch (error) {
      if (!isDataError(error) || events.length === 1) {
        if (isDataError(error)) return { stored: 0, duplicate: 0, invalid: 1 };
        throw error;
      }
    }
    const counts = { stored: 0, duplicate: 0, invalid: 0 };
    for (const event of events) {
      const one = await this.storeApart([event]);
      counts.stored += one.stored;
      counts.duplicate += one.duplicate;
      counts.invalid += one.invalid;
    }
    return counts;
  }

  private announce(events: StoredCallback[]): void {
    if (events.length > 0) this.listener?.(events);
  }

  /** The events stored (the others were there already), by key, in order of arrival. */
  private async insert(events: IncomingEvent[]): Promise<Map<string, StoredCallback>> {
    if (events.length === 0) return new Map();
    const partitions = events.map((e) => partitionOf(e));
    // The NOTIFY wakes the instance that drains stored events, wherever it runs.
    const result = await this.pool.query<{ stored: string[]; seqs: string[] }>(
      `WITH stored AS (
         INSERT INTO "InboundEvent" ("dedupeKey", "provider", "type", "payload", "partition")
         SELECT e.key, 'bandwidth', e.type, e.payload, e.partition
         FROM unnest($1::text[], $2::text[], $3::jsonb[], $5::int2[])
           WITH ORDINALITY AS e(key, type, payload, partition, n)
         ORDER BY e.n
         ON CONFLICT ("dedupeKey") DO NOTHING
         RETURNING "dedupeKey", seq
       )
       SELECT keys AS stored, seqs, CASE WHEN cardinality(keys) > 0 THEN pg_notify($4, $6) END AS notified
       FROM (
         SELECT coalesce(array_agg("dedupeKey" ORDER BY seq), '{}') AS keys,
           coalesce(array_agg(seq ORDER BY seq), '{}') AS seqs
         FROM stored
       ) AS counted`,
      [
        events.map((e) => e.dedupeKey),
        events.map((e) => e.type),
        events.map((e) => JSON.stringify(e.payload)),
        this.channel,
        // Which instance's share each falls in: every event of a lane in the same partition.
        partitions,
        this.origin,
      ],
    );
    const byKey = new Map(events.map((e, n) => [e.dedupeKey, { ...e, partition: partitions[n] ?? 0 }]));
    const stored = new Map<string, StoredCallback>();
    const { stored: keys = [], seqs = [] } = result.rows[0] ?? {};
    keys.forEach((key, n) => {
      const event = byKey.get(key);
      if (event) stored.set(key, { ...event, seq: BigInt(seqs[n] ?? 0) });
    });
    return stored;
  }

  async ping(): Promise<void> {
    await this.pool.query("SELECT 1");
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
