import pg from "pg";

/**
 * One instance at a time does some work: the one holding a session advisory lock, on a connection
 * of its own, for as long as that connection lives. When the holder stops or dies, PostgreSQL frees
 * the lock and the next instance to ask takes over. The same connection LISTENs on a channel, so
 * an instance that stored work can wake the holder wherever it runs.
 */
export class Leadership {
  private client: pg.Client | null = null;
  private acquiring: Promise<boolean> | null = null;

  constructor(
    private readonly databaseUrl: string,
    private readonly key: string,
    private readonly channel: string,
    private readonly onNotification: () => void,
  ) {}

  /** True when this instance holds the lock, taking it if it is free. */
  async acquire(): Promise<boolean> {
    if (this.client) return true;
    this.acquiring ??= this.tryToAcquire().finally(() => {
      this.acquiring = null;
    });
    return this.acquiring;
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async tryToAcquire(): Promise<boolean> {
    const client = new pg.Client({ connectionString: this.databaseUrl });
    // A dropped connection (database restarted) gives the lock up; the next acquire() asks again.
    const lost = () => {
      if (this.client !== client) return;
      this.client = null;
      client.end().catch(() => undefined);
    };
    client.on("error", lost);
    client.on("end", lost);
    try {
      await client.connect();
      const { rows } = await client.query<{ held: boolean }>(
        "SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS held",
        [this.key],
      );
      if (!rows[0]?.held) {
        await client.end();
        return false;
      }
      client.on("notification", () => this.onNotification());
      await client.query(`LISTEN ${pg.escapeIdentifier(this.channel)}`);
      this.client = client;
      return true;
    } catch {
      await client.end().catch(() => undefined);
      return false;
    }
  }
}
