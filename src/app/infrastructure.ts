import { randomUUID } from "node:crypto";
import type { Config } from "../config";
import { connectionBudget } from "../db/budget";
import { createDb, type Db } from "../db/client";
import { startEmbeddedPostgres } from "../db/embedded";
import { Locks } from "../db/locks";
import { migrate } from "../db/migrate";
import { type JobQueue, QUEUES, startJobQueue } from "../jobs/queue";
import { queueStats } from "../jobs/stats";
import type { Logger } from "../logger";
import { Metrics } from "../observability/metrics";
import { EventIntake } from "../services/eventIntake";
import { INBOUND_EVENTS_CHANNEL } from "../services/inboundProcessor";
import { seedLines } from "../services/lines";
import { Shutdown } from "../shutdown";

/** What every part of the app stands on: the database and its pools, the job queue, metrics. */
export interface Infrastructure {
  databaseUrl: string;
  db: Db;
  locks: Locks;
  queue: JobQueue;
  /** The webhook routes' store; null on a worker, which takes no requests in. */
  intake: EventIntake | null;
  /** This process, as its intake's NOTIFY names it (see InboundProcessorDeps.origin). */
  origin: string;
  metrics: Metrics;
  /** Aborted when the app stops: outgoing calls and waits end at once. */
  shutdown: Shutdown;
  /** Asks for a conversation's entries to be posted to its thread. */
  requestThreadSync(conversationId: string): Promise<void>;
  requestOutbound(conversationId: string): Promise<void>;
  requestGroupStart(groupStartId: string): Promise<void>;
  /** Asks for a multi-recipient send's channel message to be brought up to date. */
  requestMultiSendReport(multiSendId: string): Promise<void>;
  /** Closes the pools and the embedded PostgreSQL; the job queue is stopped before this. */
  close(): Promise<void>;
}

/** Starts (or reaches) PostgreSQL, migrates it, and opens this role's share of connections. */
export async function openInfrastructure(config: Config, logger: Logger): Promise<Infrastructure> {
  const embedded = config.DATABASE_URL ? null : await startEmbeddedPostgres(config.DATA_DIR, logger);
  const databaseUrl = config.DATABASE_URL ?? embedded?.url ?? "";
  await migrate(databaseUrl, logger);
  const budget = connectionBudget(config.DATABASE_CONNECTIONS, config.ROLE);
  const db = createDb(
    databaseUrl,
    (error) => logger.warn({ err: error }, "database connection lost"),
    budget.queries,
  );
  await seedLines(db, config.BANDWIDTH_LINES);
  const locks = new Locks(databaseUrl, budget.locks);
  const queue = await startJobQueue(databaseUrl, logger, {
    retryLimit: config.JOB_RETRY_LIMIT,
    retryDelaySeconds: config.JOB_RETRY_DELAY_SECONDS,
    retentionHours: config.RETENTION_HOURS,
    connections: budget.queue,
  });
  const origin = randomUUID();
  const intake =
    budget.intake > 0 ? new EventIntake(databaseUrl, INBOUND_EVENTS_CHANNEL, budget.intake, origin) : null;
  const metrics = new Metrics({
    queues: () => queueStats(db),
    outbox: async () => ({
      pendingPosts: await db.message.count({ where: { postState: "PENDING" } }),
      queuedTexts: await db.message.count({ where: { sendState: "QUEUED" } }),
    }),
  });
  logger.info({ role: config.ROLE, connections: budget }, "database connections budgeted");
  return {
    databaseUrl,
    db,
    locks,
    queue,
    intake,
    origin,
    metrics,
    shutdown: new Shutdown(),
    requestThreadSync: (id) => queue.enqueue(QUEUES.threadSync, { conversationId: id }, id),
    requestOutbound: (id) => queue.enqueue(QUEUES.outboundSend, { conversationId: id }, id),
    requestGroupStart: (id) => queue.enqueue(QUEUES.groupStart, { groupStartId: id }, id),
    requestMultiSendReport: (id) => queue.enqueue(QUEUES.multiSendReport, { multiSendId: id }, id),
    async close() {
      const closing = Promise.all([locks.close(), intake?.close()]);
      await withDeadline(closing, 2_000).catch(() => undefined);
      await db.$disconnect();
      await embedded?.stop();
    },
  };
}

/** Resolves or rejects with `promise`, or rejects after `ms`. */
export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
