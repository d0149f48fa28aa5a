import type { Config } from "../config";
import { JOBS_CHANNEL, type JobHandler, QUEUES } from "../jobs/queue";
import { pruneInboundEvents, RETENTION_INTERVAL_MS } from "../jobs/retention";
import { startSweeper } from "../jobs/sweeper";
import type { Logger } from "../logger";
import { InboundProcessor } from "../services/inboundProcessor";
import { type Infrastructure, withDeadline } from "./infrastructure";
import type { Services } from "./services";

export interface Processing {
  /** Stops taking work: the sweeper's timer and the processor's share. Waits for what they were doing. */
  stop(): Promise<void>;
}

/** Wraps a job handler so that its outcome is counted (replyall_jobs_total). */
function countedBy(metrics: Infrastructure["metrics"]) {
  return (name: string, handler: JobHandler): JobHandler =>
    async (data, context) => {
      try {
        const result = await handler(data, context);
        metrics.jobOutcomes.inc({ queue: name, outcome: "completed" });
        return result;
      } catch (error) {
        metrics.jobOutcomes.inc({ queue: name, outcome: context.lastAttempt ? "failed" : "retried" });
        throw error;
      }
    };
}

/**
 * The worker side of the app: stored callbacks taken in (this instance's share of them), jobs
 * worked, and the sweeper re-queueing what a crash left behind and deleting what is past retention.
 */
export async function startProcessing(
  config: Config,
  logger: Logger,
  infra: Infrastructure,
  services: Services,
): Promise<Processing> {
  const {
    db,
    locks,
    queue,
    metrics,
    requestThreadSync,
    requestOutbound,
    requestGroupStart,
    requestMultiSendReport,
  } = infra;
  const id = (data: Record<string, unknown>, key: string) => String(data[key] ?? "");
  const counted = countedBy(metrics);
  const { groups, threads, outbound } = services;
  await queue.work(
    QUEUES.groupStart,
    counted(QUEUES.groupStart, (data, context) => groups.process(id(data, "groupStartId"), context)),
  );
  await queue.work(
    QUEUES.multiSendReport,
    counted(QUEUES.multiSendReport, (data) => services.multiSends.report(id(data, "multiSendId"))),
    1,
  );
  await queue.work(
    QUEUES.threadSync,
    counted(QUEUES.threadSync, (data) => threads.sync(id(data, "conversationId"))),
    8,
  );
  await queue.work(
    QUEUES.outboundSend,
    counted(QUEUES.outboundSend, (data, context) => outbound.send(id(data, "conversationId"), context)),
    4,
  );
  const sweeper = startSweeper(
    db,
    config.SWEEP_INTERVAL_MS,
    logger,
    { requestThreadSync, requestOutbound, requestGroupStart, requestMultiSendReport },
    {
      intervalMs: RETENTION_INTERVAL_MS,
      prune: () => pruneInboundEvents({ db, locks, logger }, { hours: config.RETENTION_HOURS }),
    },
  );
  const processor = new InboundProcessor({
    db,
    databaseUrl: infra.databaseUrl,
    inbound: services.inbound,
    logger,
    pollMs: 1_000,
    // This process's own intake hands its callbacks over (`offer` below): its NOTIFY is not needed here.
    origin: infra.origin,
    requestThreadSync,
    countSetAside: (reason) => metrics.inboundSetAside.inc({ reason }),
    countProcessed: (path, count = 1) => metrics.inboundProcessed.inc({ path }, count),
    shareChanged: (held) => metrics.inboundPartitions.set(held),
    alsoListen: { [JOBS_CHANNEL]: (name) => queue.announced(name) },
  });
  processor.start();
  // Callbacks stored by this process's own webhook routes are taken in now, without reading them back.
  infra.intake?.onStored((events) => processor.offer(events));
  return {
    async stop() {
      const sweeperStopped = withDeadline(sweeper.stop(), 5_000).catch(() => undefined);
      // Stored callbacks not yet processed stay stored; the instance that takes the share over does them.
      await withDeadline(processor.stop(), 5_000).catch(() => undefined);
      await sweeperStopped;
    },
  };
}
