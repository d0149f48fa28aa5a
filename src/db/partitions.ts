import pg from "pg";

/** The first key of every advisory lock taken here (two-key form), apart from `Locks`' hashed keys. */
const NAMESPACE = 0x52413131;

export interface PartitionChange {
  held: number;
  instances: number;
}

/**
 * Which partitions of the stored callbacks this instance takes in. Every instance holds a shared
 * "member" lock, so each can count the live instances, and exclusive locks on its share of the
 * partitions, all on one connection of its own that also LISTENs for new work. Locks belong to the
 * connection: an instance that stops or dies gives its partitions up at once, and the others take
 * them over at their next rebalance (every poll, about a second). An instance holding more than
 * its share gives the surplus up between batches, never in the middle of one.
 */
export class PartitionClaims {
  private client: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  private held = new Set<number>();
  /** Where this instance starts looking for free partitions, so that instances starting together spread out. */
  private readonly offset: number;

  constructor(
    private readonly options: {
      databaseUrl: string;
      partitions: number;
      /** Instances' fair share of `partitions`, given how many are alive. */
      share(instances: number): number;
      /** Channels new work is announced on, each with what to do when it is. */
      listen: Record<string, (payload: string) => void>;
      onChange?(change: PartitionChange): void;
    },
  ) {
    this.offset = Math.floor(Math.random() * options.partitions);
  }

  /** The partitions held now (empty when the connection is lost). */
  partitions(): number[] {
    return [...this.held].sort((a, b) => a - b);
  }

  /** Brings the partitions held in line with this instance's share, and returns them. */
  async rebalance(): Promise<number[]> {
    const client = await this.connection();
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_locks
       WHERE locktype = 'advisory' AND classid = $1 AND objid = $2 AND objsubid = 2 AND granted
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [NAMESPACE, this.options.partitions],
    );
    const instances = Math.max(1, rows[0]?.n ?? 1);
    const share = this.options.share(instances);
    const before = this.held.size;
    if (this.held.size > share) {
      const surplus = this.partitions().slice(share);
      await client.query("SELECT pg_advisory_unlock($1, p) FROM unnest($2::int[]) AS p", [
        NAMESPACE,
        surplus,
      ]);
      for (const partition of surplus) this.held.delete(partition);
    } else if (this.held.size < share) {
      const { partitions } = this.options;
      const candidates = Array.from({ length: partitions }, (_, i) => (this.offset + i) % partitions).filter(
        (p) => !this.held.has(p),
      );
      const taken = await client.query<{ p: number }>(
        `SELECT p FROM unnest($2::int[]) WITH ORDINALITY AS c(p, n)
         WHERE pg_try_advisory_lock($1, p) ORDER BY n`,
        [NAMESPACE, candidates],
      );
      const got = taken.rows.map((row) => row.p);
      const keep = got.slice(0, share - this.held.size);
      const extra = got.slice(keep.length);
      if (extra.length > 0) {
        await client.query("SELECT pg_advisory_unlock($1, p) FROM unnest($2::int[]) AS p", [
          NAMESPACE,
          extra,
        ]);
      }
      for (const partition of keep) this.held.add(partition);
    }
    if (this.held.size !== before) this.options.onChange?.({ held: this.held.size, instances });
    return this.partitions();
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.held.clear();
    await client?.end().catch(() => undefined);
  }

  private connection(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.connect().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.options.databaseUrl });
    // A dropped connection (database restarted) has given every lock up; the next rebalance reconnects.
    const lost = () => {
      if (this.client !== client) return;
      this.client = null;
      if (this.held.size > 0) this.options.onChange?.({ held: 0, instances: 0 });
      this.held.clear();
      client.end().catch(() => undefined);
    };
    client.on("error", lost);
    client.on("end", lost);
    try {
      await client.connect();
      await client.query("SELECT pg_advisory_lock_shared($1, $2)", [NAMESPACE, this.options.partitions]);
      const { listen } = this.options;
      client.on("notification", (message) => listen[message.channel]?.(message.payload ?? ""));
      for (const channel of Object.keys(listen)) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    return client;
  }
}
