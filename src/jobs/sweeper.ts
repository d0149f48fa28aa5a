import type { Db } from "../db/client";
import type { Logger } from "../logger";

export interface SweeperTargets {
  requestThreadSync(conversationId: string): Promise<void>;
  requestOutbound(conversationId: string): Promise<void>;
  requestGroupStart(groupStartId: string): Promise<void>;
  requestMultiSendReport?(multiSendId: string): Promise<void>;
}

/**
 * The rows are the outbox; jobs only wake the work. This re-queues whatever a crash (between a
 * commit and its job, or mid-job) left pending, at start and then periodically.
 */
/** Deleting what is past the retention horizon, done by the sweeper every `intervalMs`. */
export interface SweeperRetention {
  intervalMs: number;
  prune(): Promise<unknown>;
}

/** Re-queues the pending work older than `before` (starts: `startsBefore`). */
async function sweepOnce(
  db: Db,
  targets: SweeperTargets,
  logger: Logger,
  before: Date,
  startsBefore: Date,
): Promise<void> {
  const [posts, sends, starts, reports] = await Promise.all([
    db.message.findMany({
      where: { postState: { in: ["PENDING", "POSTING"] }, createdAt: { lte: before } },
      distinct: ["conversationId"],
      select: { conversationId: true },
      take: 500,
    }),
    db.message.findMany({
      // Begun and in doubt too: a crashed attempt is resolved by the next drain, never re-sent blindly.
      where: { sendState: { in: ["QUEUED", "SENDING", "IN_DOUBT"] }, createdAt: { lte: before } },
      distinct: ["conversationId"],
      select: { conversationId: true },
      take: 500,
    }),
    db.groupStart.findMany({
      where: {
        OR: [
          // At start at once: the job of a start acknowledged just before a crash may be lost.
          { state: "PENDING", createdAt: { lte: startsBefore } },
          // A start whose request began in a process that died: its job resolves it from evidence.
          { state: "SENDING", updatedAt: { lte: before } },
        ],
      },
      select: { id: true },
      take: 100,
    }),
    // A multi-recipient send whose summary a crash kept from being shown (its texts are starts).
    targets.requestMultiSendReport
      ? db.multiSend.findMany({
          where: { finishedAt: null, updatedAt: { lte: before } },
          select: { id: true },
          take: 100,
        })
      : [],
  ]);
  for (const p of posts) await targets.requestThreadSync(p.conversationId);
  for (const s of sends) await targets.requestOutbound(s.conversationId);
  for (const g of starts) await targets.requestGroupStart(g.id);
  for (const r of reports) await targets.requestMultiSendReport?.(r.id);
  if (posts.length + sends.length + starts.length > 0) {
    logger.info(
      { posts: posts.length, sends: sends.length, starts: starts.length },
      "sweeper re-queued pending work",
    );
  }
}

export function startSweeper(
  db: Db,
  intervalMs: number,
  logger: Logger,
  targets: SweeperTargets,
  retention?: SweeperRetention,
) {
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let first = true;
  // Not at start: an instance starting (or restarting in a loop) must not add a delete to its load.
  let prunedAt = Date.now();

  async function sweep() {
    // On start everything pending is fair game; later only what has waited long enough to be lost.
    const before = new Date(Date.now() - (first ? 0 : Math.max(intervalMs, 10_000)));
    const startsBefore = first ? before : new Date(Date.now() - 120_000);
    first = false;
    await sweepOnce(db, targets, logger, before, startsBefore);
  }

  const loop = async () => {
    try {
      await sweep();
    } catch (error) {
      logger.warn({ err: error }, "sweep failed");
    }
    if (!stopped && retention && Date.now() - prunedAt >= retention.intervalMs) {
      prunedAt = Date.now();
      try {
        await retention.prune();
      } catch (error) {
        logger.warn({ err: error }, "deleting old callbacks failed; trying again later");
      }
    }
    // A sweep in flight when stop() came must not schedule another: it would query a closed database.
    if (stopped) return;
    timer = setTimeout(() => {
      running = loop();
    }, intervalMs);
    timer.unref();
  };
  running = loop();
  return {
    /** Stops sweeping, and waits for a sweep in flight to end. */
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
