import pg from "pg";
import type { Tx } from "./client";

/**
 * Session-level PostgreSQL advisory locks: one holder per key across every app instance. A crashed
 * holder's connection closes and PostgreSQL frees its locks, so nothing stays stuck.
 */
/** The exclusive side of `withSharedLock`, held until the surrounding transaction ends. */
export async function lockExclusiveInTransaction(tx: Tx, key: string): Promise<void> {
  await tx.$executeRawUnsafe(
    "SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtextextended($1, 0))) AS locked",
    key,
  );
}

export class Locks {
  private readonly pool: pg.Pool;
  private readonly lockTimeouts = new WeakMap<pg.PoolClient, number>();

  constructor(databaseUrl: string, connections = 10) {
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: connections });
    // An idle client's error (database restarted) must not crash the process.
    this.pool.on("error", () => undefined);
  }

  async withLock<T>(key: string, fn: () => Promise<T>, waitMs = 60_000): Promise<T> {
    const client = await this.connect();
    let locked = false;
    try {
      await this.setLockTimeout(client, waitMs);
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

  /** Runs `fn` under the lock for `key` if no one holds it, else returns null at once without running it. */
  async tryWithLock<T>(key: string, fn: () => Promise<T>): Promise<T | null> {
    const client = await this.connect();
    let locked = false;
    try {
      const { rows } = await client.query<{ held: boolean }>(
        "SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS held",
        [key],
      );
      locked = rows[0]?.held === true;
      return locked ? await fn() : null;
    } finally {
      if (locked)
        await client
          .query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [key])
          .catch(() => undefined);
      client.release();
    }
  }

  /**
   * A connection of its own for statements that take and release session locks themselves, so
   * that taking a lock costs no round trip of its own (see `LockSession`).
   */
  async session(): Promise<LockSession> {
    return new LockSession(await this.connect());
  }

  /**
   * Holds a shared lock for `key` while `fn` runs. Writers take the exclusive one inside their
   * transaction (`lockExclusiveInTransaction`), so a reader never overlaps a write's commit.
   */
  async withSharedLock<T>(key: string, fn: () => Promise<T>, waitMs = 60_000): Promise<T> {
    const client = await this.connect();
    let locked = false;
    try {
      await this.setLockTimeout(client, waitMs);
      await client.query("SELECT pg_advisory_lock_shared(hashtextextended($1, 0))", [key]);
      locked = true;
      return await fn();
    } finally {
      if (locked) {
        await client
          .query("SELECT pg_advisory_unlock_shared(hashtextextended($1, 0))", [key])
          .catch(() => undefined);
      }
      client.release();
    }
  }

  /**
   * A pooled connection with an error listener of its own: a checked-out client whose connection
   * dies (PostgreSQL restarted) emits 'error', which would otherwise crash the process. The query
   * in flight fails and its caller (a job) is retried.
   */
  private async connect(): Promise<pg.PoolClient> {
    const client = await this.pool.connect();
    if (client.listenerCount("error") === 0) client.on("error", () => undefined);
    return client;
  }

  /** Pooled connections keep their settings: set the timeout only when it changes (a round trip saved). */
  private async setLockTimeout(client: pg.PoolClient, waitMs: number): Promise<void> {
    const ms = Math.max(1, Math.floor(waitMs));
    if (this.lockTimeouts.get(client) === ms) return;
    await client.query(`SET lock_timeout = ${ms}`);
    this.lockTimeouts.set(client, ms);
  }

  async ping(): Promise<void> {
    await this.pool.query("SELECT 1");
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * One pooled connection lent for statements that take session locks alongside their work (say,
 * `pg_try_advisory_lock` in the statement that stores what the lock guards) and release them in
 * the statement that records it done. The holder says which locks it holds (`held`); `end` gives
 * the connection back, or closes it while any is still held or a statement failed (PostgreSQL then
 * frees its locks), so a lock is never left behind on a pooled connection.
 */
export class LockSession {
  /** The keys this session holds now, as the statements run on it report them. */
  readonly held = new Set<string>();
  private failed = false;
  private ended = false;

  constructor(private readonly client: pg.PoolClient) {}

  async query<R extends pg.QueryResultRow>(sql: string, values: unknown[]): Promise<R[]> {
    try {
      return (await this.client.query<R>(sql, values)).rows;
    } catch (error) {
      // Session locks survive a failed statement: what it took is unknown now.
      this.failed = true;
      throw error;
    }
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.client.release(this.failed || this.held.size > 0);
  }
}
