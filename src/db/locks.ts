import pg from "pg";

/**
 * Session-level PostgreSQL advisory locks: one holder per key across every app instance. A crashed
 * holder's connection closes and PostgreSQL frees its locks, so nothing stays stuck.
 */
export class Locks {
  private readonly pool: pg.Pool;

  constructor(databaseUrl: string) {
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: 6 });
    // An idle client's error (database restarted) must not crash the process.
    this.pool.on("error", () => undefined);
  }

  async withLock<T>(key: string, fn: () => Promise<T>, waitMs = 60_000): Promise<T> {
    const client = await this.pool.connect();
    let locked = false;
    try {
      await client.query(`SET lock_timeout = ${Math.max(1, Math.floor(waitMs))}`);
      await client.query("SELECT pg_advisory_lock(hashtextextended($1, 0))", [key]);
      locked = true;
      return await fn();
    } finally {
      if (locked)
        await client
          .query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [key])
          .catch(() => undefined);
      client.release();
    }
  }

  async ping(): Promise<void> {
    await this.pool.query("SELECT 1");
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
