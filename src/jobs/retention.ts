import type { Db } from "../db/client";
import type { Locks } from "../db/locks";
import type { Logger } from "../logger";

/** How often old rows are looked for: the horizon is days, so a few minutes late costs nothing. */
export const RETENTION_INTERVAL_MS = 10 * 60_000;

/** One instance prunes at a time; the others find the lock taken and skip that round. */
export const RETENTION_LOCK = "retention:inbound-events";

export interface RetentionOptions {
  /** Rows older than this many hours are deleted (config RETENTION_HOURS, at least 48). */
  hours: number;
  /** Rows per DELETE: small, so each statement holds its row locks and WAL burst briefly. */
  batchSize?: number;
  /** Pause between batches, leaving the database to the traffic in between. */
  pauseMs?: number;
  /** Batches per run at most; what is left waits for the next run. */
  maxBatches?: number;
}

/**
 * Deletes the Bandwidth callbacks taken in (PROCESSED) or set aside (SKIPPED) longer ago than the
 * horizon. Callbacks still waiting (RECEIVED) are never deleted, whatever their age. The rows are
 * the dedupe keys of the callbacks, and the horizon (≥ 48 h) outlives Bandwidth's 24 hours of
 * retries; a copy of a text arriving even later is still a duplicate (InboundService finds its
 * message by Bandwidth id). Returns null when another instance is pruning.
 */
export async function pruneInboundEvents(
  deps: { db: Db; locks: Pick<Locks, "tryWithLock">; logger: Logger },
  options: RetentionOptions,
): Promise<{ deleted: number; batches: number } | null> {
  const { db, locks, logger } = deps;
  const batchSize = options.batchSize ?? 500;
  const pauseMs = options.pauseMs ?? 100;
  const maxBatches = options.maxBatches ?? 100;
  const before = new Date(Date.now() - options.hours * 3_600_000);
  const result = await locks.tryWithLock(RETENTION_LOCK, async () => {
    let deleted = 0;
    let batches = 0;
    while (batches < maxBatches) {
      const count = await db.$executeRaw`
        DELETE FROM "InboundEvent" WHERE "dedupeKey" IN (
          SELECT "dedupeKey" FROM "InboundEvent"
          WHERE "receivedAt" < ${before} AND "state" IN ('PROCESSED', 'SKIPPED')
          LIMIT ${batchSize}
        )`;
      batches++;
      deleted += count;
      if (count < batchSize) break;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
    return { deleted, batches };
  });
  if (result && result.deleted > 0) {
    logger.info({ deleted: result.deleted, batches: result.batches }, "old callbacks deleted");
  }
  return result;
}
