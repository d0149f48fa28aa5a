import PgBoss from "pg-boss";
import type { Logger } from "../logger";
import { InFlight } from "../shutdown";

export const QUEUES = {
  /** Send the first text of a group started from the modal. Data: { groupStartId }. */
  groupStart: "group-start",
  /** Show a multi-recipient send's progress, then its summary, in its channel. Data: { multiSendId }. */
  multiSendReport: "multi-send-report",
  /** Mirror a conversation's pending entries into its Slack thread, in order. Data: { conversationId }. */
  threadSync: "thread-sync",
  /** Text a conversation's queued outbound messages, in order. Data: { conversationId }. */
  outboundSend: "outbound-send",
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export interface JobContext {
  /** True on the job's last permitted attempt: a handler reports failure to people then. */
  lastAttempt: boolean;
}

export type JobHandler = (data: Record<string, unknown>, context: JobContext) => Promise<void>;

/** Where an instance with no worker for a queue announces a job, so that a worker elsewhere fetches it now. */
export const JOBS_CHANNEL = "jobs_enqueued";

export interface JobQueue {
  enqueue(queue: QueueName, data: Record<string, string>, key: string): Promise<void>;
  /** A job was announced on JOBS_CHANNEL: an idle local worker of that queue fetches at once. */
  announced(queue: string): void;
  work(queue: QueueName, handler: JobHandler, concurrency?: number): Promise<void>;
  /**
   * Stops fetching jobs and waits up to `graceMs` for running ones. `onGraceExpired` is then called
   * so that their outgoing calls give up, and the rest of them are awaited briefly.
   */
  stop(graceMs: number, onGraceExpired: () => void): Promise<void>;
}

/**
 * How often an idle worker looks for jobs by itself. Rarely needed: enqueue() wakes an idle worker
 * of this instance, and a worker looks again as soon as it finishes a job. Polling finds what
 * another instance queued while all of its workers were busy, and retries falling due.
 */
const POLL_SECONDS = 2;

export interface QueueOptions {
  retryLimit: number;
  retryDelaySeconds: number;
  /** Hours a finished job is kept (config RETENTION_HOURS), like the callbacks it came from. */
  retentionHours: number;
  /** pg-boss's pool size (its share of the connection budget). */
  connections?: number;
}

/** pg-boss moves a finished job to its archive table after this long (its default), then deletes it. */
const ARCHIVE_AFTER_SECONDS = 12 * 3_600;

/** Waits up to `graceMs` for running jobs, then calls `onGraceExpired` so that their calls give up. */
async function stopBoss(boss: PgBoss, graceMs: number, onGraceExpired: () => void): Promise<void> {
  const expiry = setTimeout(onGraceExpired, graceMs);
  try {
    // pg-boss waits for its active jobs (until its own timeout, a little longer than ours), then
    // hands back those still running by failing them so that they are retried.
    await boss.stop({ graceful: true, wait: true, timeout: graceMs + 2_000 });
  } finally {
    clearTimeout(expiry);
  }
  onGraceExpired();
}

function createBoss(databaseUrl: string, options: QueueOptions): PgBoss {
  return new PgBoss({
    connectionString: databaseUrl,
    max: options.connections ?? 4,
    schema: "pgboss",
    supervise: true,
    monitorStateIntervalSeconds: 30,
    // A finished job lives ARCHIVE_AFTER_SECONDS in the job table, the rest of the horizon in the
    // archive. pg-boss's maintenance runs on one instance at a time (its own advisory lock).
    archiveCompletedAfterSeconds: ARCHIVE_AFTER_SECONDS,
    deleteAfterSeconds: Math.max(3_600, options.retentionHours * 3_600 - ARCHIVE_AFTER_SECONDS),
  });
}

/** Creates each queue, or brings its settings up to date. */
async function ensureQueues(boss: PgBoss, options: QueueOptions): Promise<void> {
  for (const name of Object.values(QUEUES)) {
    const queue = {
      name,
      // At most one waiting job per conversation; while one runs, another may wait behind it.
      policy: "short" as const,
      retryLimit: options.retryLimit,
      retryDelay: options.retryDelaySeconds,
      retryBackoff: true,
      expireInSeconds: 300,
    };
    // Instances starting together race to create the same queue; PostgreSQL may pick one as a
    // deadlock victim, which simply tries again.
    for (let attempt = 1; ; attempt++) {
      try {
        if (await boss.getQueue(name)) await boss.updateQueue(name, queue);
        else await boss.createQueue(name, queue);
        break;
      } catch (error) {
        if (attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt + Math.random() * 200));
      }
    }
  }
}

/**
 * Durable jobs on PostgreSQL with pg-boss, shared by every app instance on the same database.
 * Jobs only wake work up: the rows they point at are the source of truth, so a lost job is
 * recovered by the sweeper and a duplicate one finds nothing left to do.
 */
export async function startJobQueue(
  databaseUrl: string,
  logger: Logger,
  options: QueueOptions,
): Promise<JobQueue> {
  const boss = createBoss(databaseUrl, options);
  let stopping = false;
  // While stopping (and the embedded PostgreSQL going down with us), dropped connections are expected.
  boss.on("error", (error) =>
    (stopping ? logger.debug : logger.error).call(logger, { err: error }, "job queue error"),
  );
  await boss.start();
  await ensureQueues(boss, options);
  const workers = new Map<QueueName, { idle: Set<string> }>();
  const running = new InFlight();
  let turn = 0;

  /** Fetches at once on an idle local worker, instead of after its next polling interval. */
  const wake = (queue: QueueName) => {
    const pool = workers.get(queue);
    if (!pool) return;
    const idle = [...pool.idle];
    const id = idle.length ? idle[turn++ % idle.length] : undefined;
    if (id) boss.notifyWorker(id);
  };

  return {
    async enqueue(queue, data, key) {
      await boss.send(queue, data, { singletonKey: key });
      if (workers.has(queue)) return wake(queue);
      // No worker here (a web instance): the workers' listening connections hear of it. Only a
      // shortcut: they poll anyway, so a lost announcement delays the job by a poll at most.
      await boss
        .getDb()
        .executeSql("SELECT pg_notify($1, $2)", [JOBS_CHANNEL, queue])
        .catch((error: unknown) => logger.debug({ err: error }, "job not announced"));
    },

    announced(queue) {
      const known = Object.values(QUEUES).find((name) => name === queue);
      if (known) wake(known);
    },

    async work(queue, handler, concurrency = 2) {
      const pool = { idle: new Set<string>() };
      workers.set(queue, pool);
      for (let i = 0; i < concurrency; i++) {
        let self = "";
        self = await boss.work<Record<string, unknown>>(
          queue,
          { includeMetadata: true, batchSize: 1, pollingIntervalSeconds: POLL_SECONDS },
          async ([job]) => {
            if (!job) return;
            pool.idle.delete(self);
            const lastAttempt = job.retryCount >= job.retryLimit;
            try {
              await running.track(handler(job.data, { lastAttempt }));
            } catch (error) {
              logger.warn({ err: error, queue, jobId: job.id, attempt: job.retryCount + 1 }, "job failed");
              throw error;
            } finally {
              pool.idle.add(self);
              // pg-boss 10 sleeps a whole polling interval after each job; more may be waiting now.
              boss.notifyWorker(self);
            }
          },
        );
        pool.idle.add(self);
      }
    },

    async stop(graceMs, onGraceExpired) {
      stopping = true;
      await stopBoss(boss, graceMs, onGraceExpired);
      // A handler outliving pg-boss would keep its worker loop, and our database, in use after stop.
      await running.settled(5_000);
      if (running.size > 0) logger.warn({ running: running.size }, "jobs still running after stop");
    },
  };
}
