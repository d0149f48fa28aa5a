import type { Db } from "../db/client";
import type { Locks } from "../db/locks";
import type { Logger } from "../logger";
import { type InboundService, SendNotYetRecorded, type StoredEvent } from "./inbound";

export interface InboundProcessorDeps {
  db: Db;
  locks: Locks;
  inbound: InboundService;
  logger: Logger;
  /** How often to look for events nobody woke this process for: another instance's, or a crashed one's. */
  pollMs: number;
}

const BATCH = 100;
/** An event that fails this often (about two minutes of retries) is set aside, logged, and kept. */
const MAX_ATTEMPTS = 12;
const LOCK_KEY = "inbound-events";

function backoffMs(attempts: number): number {
  return Math.min(30_000, 200 * 2 ** Math.max(0, attempts - 1));
}

/**
 * Takes in the callbacks the webhook routes stored, one at a time in order of arrival, so that the
 * entries of a conversation keep the order in which Bandwidth delivered them. One drainer at a time
 * across every instance (an advisory lock); whichever instance stored an event wakes its own.
 */
export class InboundProcessor {
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: InboundProcessorDeps) {}

  start(): void {
    const tick = () => {
      this.wake();
      this.timer = setTimeout(tick, this.deps.pollMs);
      this.timer.unref();
    };
    tick();
  }

  /** Processes what is waiting now; a call while processing makes it look again when done. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.run().finally(() => {
      this.running = null;
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private async run(): Promise<void> {
    do {
      this.again = false;
      try {
        const attempt = await this.deps.locks.tryWithLock(LOCK_KEY, () => this.drain());
        // Another instance is draining. It may have looked for work just before this event was
        // stored, so look again shortly rather than only at the next poll.
        if (!attempt.ran) this.retrySoon(100);
      } catch (error) {
        this.deps.logger.warn(
          { err: error },
          "stored callbacks could not be processed; trying again shortly",
        );
        this.retrySoon(1_000);
        return;
      }
    } while (this.again && !this.stopped);
  }

  private retrySoon(ms: number): void {
    const timer = setTimeout(() => this.wake(), ms);
    timer.unref();
  }

  private async drain(): Promise<void> {
    const { db } = this.deps;
    while (!this.stopped) {
      const events = await db.inboundEvent.findMany({
        where: { state: "RECEIVED", OR: [{ notBefore: null }, { notBefore: { lte: new Date() } }] },
        orderBy: { seq: "asc" },
        take: BATCH,
        select: { dedupeKey: true, type: true, payload: true, attempts: true },
      });
      if (events.length === 0) return;
      for (const event of events) {
        if (this.stopped) return;
        await this.processOne(event);
      }
    }
  }

  private async processOne(event: StoredEvent & { attempts: number }): Promise<void> {
    const { db, inbound, logger } = this.deps;
    const where = { dedupeKey: event.dedupeKey, state: "RECEIVED" as const };
    let outcome: Awaited<ReturnType<InboundService["processEvent"]>>;
    try {
      outcome = await inbound.processEvent(event);
    } catch (error) {
      const attempts = event.attempts + 1;
      if (attempts >= MAX_ATTEMPTS) {
        logger.error(
          { err: error, dedupeKey: event.dedupeKey, attempts },
          "callback set aside after repeated failures",
        );
        await db.inboundEvent.updateMany({
          where,
          data: { state: "SKIPPED", attempts, outcome: String(error).slice(0, 500) },
        });
        return;
      }
      const level = error instanceof SendNotYetRecorded ? "debug" : "warn";
      logger[level]({ err: error, dedupeKey: event.dedupeKey, attempts }, "callback will be processed again");
      await db.inboundEvent.updateMany({
        where,
        data: { attempts, notBefore: new Date(Date.now() + backoffMs(attempts)) },
      });
      return;
    }
    if (outcome === "invalid") {
      // Bandwidth's payload holds a value the database refuses: retrying cannot help.
      await db.inboundEvent.updateMany({ where, data: { state: "SKIPPED", outcome: "invalid" } });
    } else if (outcome === "ignored") {
      await db.inboundEvent.update({ where: { dedupeKey: event.dedupeKey }, data: { outcome: "ignored" } });
    }
  }
}
