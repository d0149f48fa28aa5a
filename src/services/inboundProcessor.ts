import { z } from "zod";
import type { Db } from "../db/client";
import { Leadership } from "../db/leadership";
import { inboundParticipants, participantKey } from "../domain/participants";
import type { Logger } from "../logger";
import { type InboundService, SendNotYetRecorded, type StoredEvent } from "./inbound";

export interface InboundProcessorDeps {
  db: Db;
  databaseUrl: string;
  inbound: InboundService;
  logger: Logger;
  /** How often to look for events nobody woke this process for: another instance's, or a crashed one's. */
  pollMs: number;
}

const BATCH = 100;
/** Lanes of one batch processed at once: the database round trips of one lane overlap another's. */
const LANES_AT_ONCE = 8;
/** An event that fails this often (about two minutes of retries) is set aside, logged, and kept. */
const MAX_ATTEMPTS = 12;
/** The advisory lock of the one draining instance, and the channel EventIntake notifies. */
export const INBOUND_EVENTS_CHANNEL = "inbound_events";

/** What decides an event's lane; read from the payload the webhook route validated and stored. */
const laneFields = z.object({
  to: z.string().optional(),
  message: z.object({
    id: z.string(),
    owner: z.string().optional(),
    from: z.string().optional(),
    to: z.array(z.string()).optional(),
  }),
});

/**
 * Events that must be taken in one after another share a lane: a contact's messages to one group
 * (line and set of numbers, as the conversation is found), or the statuses of one sent message.
 * Lanes are independent of each other.
 */
export function laneOf(event: StoredEvent): string {
  const parsed = laneFields.safeParse(event.payload);
  if (!parsed.success) return `event:${event.dedupeKey}`;
  const { message, to } = parsed.data;
  if (event.type !== "message-received") return `status:${message.id}`;
  const line = message.owner || to || "";
  return `group:${line}:${participantKey(inboundParticipants(line, message.from ?? "", message.to ?? []))}`;
}

function backoffMs(attempts: number): number {
  return Math.min(30_000, 200 * 2 ** Math.max(0, attempts - 1));
}

/**
 * Takes in the callbacks the webhook routes stored, in order of arrival within each lane (see
 * `laneOf`), so that the entries of a conversation keep the order in which Bandwidth delivered
 * them. One drainer at a time across every instance (an advisory lock); whichever instance stored
 * an event wakes its own.
 */
export class InboundProcessor {
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly leadership: Leadership;

  constructor(private readonly deps: InboundProcessorDeps) {
    this.leadership = new Leadership(deps.databaseUrl, "inbound-events", INBOUND_EVENTS_CHANNEL, () =>
      this.wake(),
    );
  }

  /** Looks every `pollMs` too: an instance that is not draining takes over when the drainer is gone. */
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
    this.again = true;
    if (this.running) return;
    this.running = this.run().finally(() => {
      this.running = null;
      if (this.again) this.wake();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await this.leadership.close();
  }

  private async run(): Promise<void> {
    try {
      // Only the instance holding the lock drains; the others' events reach it by NOTIFY.
      if (await this.leadership.acquire()) await this.drain();
      else this.again = false;
    } catch (error) {
      this.again = false;
      this.deps.logger.warn({ err: error }, "stored callbacks could not be processed; trying again shortly");
      const timer = setTimeout(() => this.wake(), 1_000);
      timer.unref();
    }
  }

  private async drain(): Promise<void> {
    const { db } = this.deps;
    while (!this.stopped) {
      this.again = false;
      const events = await db.inboundEvent.findMany({
        where: { state: "RECEIVED", OR: [{ notBefore: null }, { notBefore: { lte: new Date() } }] },
        orderBy: { seq: "asc" },
        take: BATCH,
        select: { dedupeKey: true, type: true, payload: true, attempts: true },
      });
      if (events.length === 0) return;
      this.deps.logger.debug({ events: events.length }, "taking in stored callbacks");
      const lanes = new Map<string, typeof events>();
      for (const event of events) {
        const lane = laneOf(event);
        const queued = lanes.get(lane);
        if (queued) queued.push(event);
        else lanes.set(lane, [event]);
      }
      const waiting = [...lanes.values()];
      const worker = async () => {
        for (let lane = waiting.shift(); lane; lane = waiting.shift()) {
          for (const event of lane) {
            if (this.stopped) return;
            await this.processOne(event);
          }
        }
      };
      const done = await Promise.allSettled(
        Array.from({ length: Math.min(LANES_AT_ONCE, waiting.length) }, worker),
      );
      const failed = done.find((d) => d.status === "rejected");
      if (failed) throw failed.reason;
      // A short batch was everything there was, unless more was stored (and announced) meanwhile.
      if (events.length < BATCH && !this.again) return;
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
