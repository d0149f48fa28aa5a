import type { Db, Tx } from "../db/client";
import { PartitionClaims } from "../db/partitions";
import { fairShare, laneFields, laneOf, PARTITIONS } from "../domain/lanes";
import { noticeRow, type ThreadNotice } from "../domain/notices";
import { inboundParticipants } from "../domain/participants";
import type { Logger } from "../logger";
import { findConversationByKey } from "./conversations";
import type { StoredCallback } from "./eventIntake";
import { type InboundService, SendNotYetRecorded, type StoredEvent } from "./inbound";

/**
 * How a callback was taken in: handed over by this process's intake and taken with its batch
 * (no read), read back and taken with its batch (together), or alone.
 */
export type ProcessedPath = "handed-over" | "together" | "one-by-one";

/** Why a stored callback was set aside: it failed every attempt, or it can never be taken in. */
export type SetAsideReason = "failed" | "invalid";

export interface InboundProcessorDeps {
  db: Db;
  databaseUrl: string;
  inbound: InboundService;
  logger: Logger;
  /** How often to look for events nobody woke this process for: another instance's, or a crashed one's. */
  pollMs: number;
  /** Posts the notice of a set-aside callback in its conversation's thread. */
  requestThreadSync(conversationId: string): Promise<void>;
  /** Counts a set-aside callback (a metric): nothing else reports one that belongs to no thread. */
  countSetAside(reason: SetAsideReason): void;
  /** Counts callbacks taken in by this instance (a metric: how the work is shared, and how much is batched). */
  countProcessed?(path: ProcessedPath, count?: number): void;
  /** Reports this instance's share: how many partitions it holds now. */
  shareChanged?(held: number): void;
  /**
   * What this process's own EventIntake sends with its NOTIFY: the webhook route has woken this
   * processor directly already, and a second look per callback would cost a round trip each.
   */
  origin?: string;
  /** Other channels this instance's listening connection follows (jobs enqueued elsewhere, say). */
  alsoListen?: Record<string, (payload: string) => void>;
  /** Tests shorten the retries; production keeps the defaults (about two minutes). */
  retry?: { maxAttempts: number; firstDelayMs: number };
}

const BATCH = 100;
/** Lanes of one batch processed at once: the database round trips of one lane overlap another's. */
const LANES_AT_ONCE = 8;
/** An event that fails this often (about two minutes of retries) is set aside, logged, and kept. */
const MAX_ATTEMPTS = 12;
const FIRST_RETRY_DELAY_MS = 200;
/** The channel EventIntake notifies when it stores callbacks. */
export const INBOUND_EVENTS_CHANNEL = "inbound_events";

function backoffMs(attempts: number, firstDelayMs: number): number {
  return Math.min(30_000, firstDelayMs * 2 ** Math.max(0, attempts - 1));
}

type ReadyEvent = StoredEvent & { attempts: number; seq: bigint };

/**
 * Takes in the callbacks the webhook routes stored, in order of arrival within each lane (see
 * `laneOf`), so that the entries of a conversation keep the order in which Bandwidth delivered
 * them. Lanes are spread over partitions and every instance takes in its share of them
 * (`PartitionClaims`), so processing grows with instances while a lane is only ever taken in by
 * one. An event that fails holds the later events of its lane until it is taken in or set aside,
 * so a conversation's entries never overtake one another.
 */
export class InboundProcessor {
  private running: Promise<void> | null = null;
  /** Something may be stored that only a read finds: another instance's callbacks, a retry now due. */
  private again = false;
  /** What this process's own intake stored since the last batch, handed over rather than read back. */
  private offered: StoredCallback[] = [];
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly claims: PartitionClaims;
  private rebalancedAt = 0;

  constructor(private readonly deps: InboundProcessorDeps) {
    this.claims = new PartitionClaims({
      databaseUrl: deps.databaseUrl,
      partitions: PARTITIONS,
      share: fairShare,
      listen: {
        ...deps.alsoListen,
        [INBOUND_EVENTS_CHANNEL]: (origin) => {
          if (!deps.origin || origin !== deps.origin) this.wake();
        },
      },
      onChange: (change) => {
        deps.logger.info(change, "share of stored callbacks changed");
        deps.shareChanged?.(change.held);
      },
    });
  }

  /**
   * This instance's partitions, rebalanced at most once per poll and only between batches, when
   * no lane is half done: the one moment a partition may change hands.
   */
  private async partitionsNow(): Promise<number[]> {
    if (Date.now() - this.rebalancedAt < this.deps.pollMs) return this.claims.partitions();
    const partitions = await this.claims.rebalance();
    this.rebalancedAt = Date.now();
    return partitions;
  }

  /** The partitions this instance takes in now (tests and the readiness probe look). */
  partitions(): number[] {
    return this.claims.partitions();
  }

  /** Looks every `pollMs` too: that is when shares are rebalanced, and a dead instance's taken over. */
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
    this.again = true;
    this.kick();
  }

  /**
   * Callbacks this process's intake has just stored: taken in without reading them back when
   * nothing else of their partitions waits (see `drain`); otherwise a read finds them in order.
   */
  offer(events: StoredCallback[]): void {
    this.offered.push(...events);
    this.kick();
  }

  private kick(): void {
    if (this.stopped || this.running) return;
    this.running = this.run().finally(() => {
      this.running = null;
      if (this.again || this.offered.length > 0) this.kick();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await this.claims.close();
  }

  private async run(): Promise<void> {
    try {
      await this.drain();
    } catch (error) {
      // The read that follows the pause finds whatever was offered meanwhile.
      this.again = false;
      this.offered = [];
      this.deps.logger.warn({ err: error }, "stored callbacks could not be processed; trying again shortly");
      const timer = setTimeout(() => this.wake(), 1_000);
      timer.unref();
    }
  }

  private async drain(): Promise<void> {
    while (!this.stopped) {
      const partitions = await this.partitionsNow();
      if (!this.again && this.offered.length > 0 && (await this.takeOffered(partitions))) continue;
      // Only a read finds anything else: another instance's callbacks, a retry due, a whole page more.
      if (!this.again) return;
      this.again = false;
      this.offered = [];
      if (partitions.length === 0) return;
      const { events, more } = await this.readyEvents(partitions);
      if (events.length === 0) continue;
      this.deps.logger.debug({ events: events.length }, "taking in stored callbacks");
      const taken = await this.takeChatTexts(events);
      const lanes = new Map<string, ReadyEvent[]>();
      for (const event of events) {
        if (taken.has(event.dedupeKey)) continue;
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
            // The rest of a lane waits behind an event that is to be tried again.
            if (!(await this.processOne(event))) break;
          }
        }
      };
      const done = await Promise.allSettled(
        Array.from({ length: Math.min(LANES_AT_ONCE, waiting.length) }, worker),
      );
      const failed = done.find((d) => d.status === "rejected");
      if (failed) throw failed.reason;
      // A full batch may have left more behind it.
      if (more) this.again = true;
    }
  }

  /**
   * Takes in what was offered, in this instance's partitions, when all of it is plain chat texts
   * with nothing earlier of their partitions still waiting (the take statement checks): then no
   * read is needed. True when nothing offered is left over; else the caller reads, and finds the
   * rest in order. What falls in other instances' partitions is theirs: the NOTIFY woke them.
   */
  private async takeOffered(partitions: number[]): Promise<boolean> {
    if (this.offered.length === 0) return false;
    const held = new Set(partitions);
    const mine = this.offered.filter((e) => held.has(e.partition)).sort((a, b) => (a.seq < b.seq ? -1 : 1));
    this.offered = [];
    if (mine.length === 0) return true;
    const events = mine.map((e) => ({ ...e, attempts: 0 }));
    const taken = await this.takeChatTexts(events, { behindNothing: true });
    if (taken.size === events.length) return true;
    this.again = true;
    return false;
  }

  /**
   * Most of a batch is contacts' plain texts, taken in together by one statement. Should that
   * statement fail, every event takes the one-by-one path, which retries or sets aside each alone.
   */
  private async takeChatTexts(
    events: ReadyEvent[],
    options: { behindNothing?: boolean } = {},
  ): Promise<Set<string>> {
    try {
      const taken = await this.deps.inbound.takeChatTexts(events, options);
      if (taken.size > 0)
        this.deps.countProcessed?.(options.behindNothing ? "handed-over" : "together", taken.size);
      return taken;
    } catch (error) {
      this.deps.logger.warn({ err: error, events: events.length }, "batch of texts taken in one by one");
      return new Set();
    }
  }

  /**
   * Up to a batch of events that may be taken in now, in order of arrival: not waiting for a retry,
   * and not behind an earlier event of their lane that is. Pages on past held events, so one stuck
   * conversation with a long queue does not hide the other conversations' events.
   */
  private async readyEvents(partitions: number[]): Promise<{ events: ReadyEvent[]; more: boolean }> {
    const now = new Date();
    // A lane is held from its first event that waits for a retry: only a lane's first unfinished
    // event is ever retried, and it comes before the rest of its lane in this order.
    const heldFrom = new Map<string, bigint>();
    let after: bigint | undefined;
    for (;;) {
      const page = await this.deps.db.inboundEvent.findMany({
        where: {
          state: "RECEIVED",
          partition: { in: partitions },
          ...(after === undefined ? {} : { seq: { gt: after } }),
        },
        orderBy: { seq: "asc" },
        take: BATCH,
        select: { dedupeKey: true, type: true, payload: true, attempts: true, seq: true, notBefore: true },
      });
      const events: ReadyEvent[] = [];
      for (const { notBefore, ...event } of page) {
        const lane = laneOf(event);
        if (heldFrom.has(lane)) continue;
        if (notBefore && notBefore > now) heldFrom.set(lane, event.seq);
        else events.push(event);
      }
      const more = page.length === BATCH;
      if (events.length > 0 || !more) return { events, more };
      after = page[page.length - 1]?.seq;
    }
  }

  /** Takes one event in; false when it is to be tried again, which holds the rest of its lane. */
  private async processOne(event: ReadyEvent): Promise<boolean> {
    const { db, inbound, logger } = this.deps;
    const maxAttempts = this.deps.retry?.maxAttempts ?? MAX_ATTEMPTS;
    const firstDelayMs = this.deps.retry?.firstDelayMs ?? FIRST_RETRY_DELAY_MS;
    const where = { dedupeKey: event.dedupeKey, state: "RECEIVED" as const };
    let outcome: Awaited<ReturnType<InboundService["processEvent"]>>;
    try {
      outcome = await inbound.processEvent(event);
    } catch (error) {
      const attempts = event.attempts + 1;
      if (attempts >= maxAttempts) {
        logger.error(
          { err: error, dedupeKey: event.dedupeKey, attempts },
          "callback set aside after repeated failures",
        );
        await this.setAside(event, "failed", attempts, String(error).slice(0, 500));
        this.deps.countProcessed?.("one-by-one");
        return true;
      }
      const level = error instanceof SendNotYetRecorded ? "debug" : "warn";
      logger[level]({ err: error, dedupeKey: event.dedupeKey, attempts }, "callback will be processed again");
      await db.inboundEvent.updateMany({
        where,
        data: { attempts, notBefore: new Date(Date.now() + backoffMs(attempts, firstDelayMs)) },
      });
      return false;
    }
    if (outcome === "invalid") {
      // Bandwidth's payload holds a value the database refuses: retrying cannot help.
      logger.error({ dedupeKey: event.dedupeKey }, "callback set aside: it cannot be stored");
      await this.setAside(event, "invalid", event.attempts, "invalid");
    } else if (outcome === "ignored") {
      await db.inboundEvent.update({ where: { dedupeKey: event.dedupeKey }, data: { outcome: "ignored" } });
    }
    this.deps.countProcessed?.("one-by-one");
    return true;
  }

  /**
   * Marks an event SKIPPED (kept, with its reason, for an operator), counts it, and says so in the
   * thread of the conversation it belongs to, if one can be found: people reading the thread would
   * otherwise never learn that a text or a delivery report is missing from it.
   */
  private async setAside(
    event: StoredEvent,
    reason: SetAsideReason,
    attempts: number,
    outcome: string,
  ): Promise<void> {
    const { db } = this.deps;
    const conversationId = await db.$transaction(async (tx) => {
      const marked = await tx.inboundEvent.updateMany({
        where: { dedupeKey: event.dedupeKey, state: "RECEIVED" },
        data: { state: "SKIPPED", attempts, outcome },
      });
      if (marked.count !== 1) return null;
      const notice = await setAsideNotice(tx, event, reason);
      if (!notice) return null;
      await tx.message.create({
        data: {
          conversationId: notice.conversationId,
          ...noticeRow(notice.notice),
          postState: "PENDING",
        },
      });
      return notice.conversationId;
    });
    this.deps.countSetAside(reason);
    if (conversationId) await this.deps.requestThreadSync(conversationId);
  }
}

/** The conversation a set-aside event belongs to, and what its thread is told; null if none is known. */
async function setAsideNotice(
  tx: Tx,
  event: StoredEvent,
  reason: SetAsideReason,
): Promise<{ conversationId: string; notice: ThreadNotice } | null> {
  const parsed = laneFields.safeParse(event.payload);
  if (!parsed.success) return null;
  const { message, to } = parsed.data;
  if (event.type !== "message-received") {
    const sent = await tx.message.findUnique({
      where: { bandwidthMessageId: message.id },
      select: { conversationId: true },
    });
    if (!sent) return null;
    return {
      conversationId: sent.conversationId,
      notice: { kind: "report-set-aside", eventType: event.type },
    };
  }
  const lineNumber = message.owner || to || "";
  const line = await tx.line.findUnique({ where: { number: lineNumber }, select: { id: true } });
  if (!line) return null;
  const numbers = inboundParticipants(lineNumber, message.from ?? "", message.to ?? []);
  const conversation = await findConversationByKey(tx, line.id, numbers);
  if (!conversation) return null;
  return {
    conversationId: conversation.id,
    notice: { kind: "text-set-aside", from: message.from || null, reason },
  };
}
