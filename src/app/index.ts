import type { Config } from "../config";
import type { Db } from "../db/client";
import type { Route } from "../http/router";
import { listen } from "../http/server";
import type { Logger } from "../logger";
import { InFlight } from "../shutdown";
import { createSlackEdge } from "../slack/bolt";
import { registerListeners } from "../slack/listeners";
import { openInfrastructure, withDeadline } from "./infrastructure";
import { type Processing, startProcessing } from "./processing";
import { routesFor } from "./routes";
import { createServices } from "./services";

export interface Application {
  url: string;
  db: Db;
  stop(): Promise<void>;
}

export interface ApplicationOptions {
  /** Routes served beside the app's own, on the same front (the sandbox's page). */
  routes?: readonly Route[];
}

/** How long running jobs may take to finish when the app stops, before their calls are cut short. */
const JOB_GRACE_MS = 8_000;

/**
 * The composition root: infrastructure → Slack edge → services → listeners → processing → HTTP.
 * The role decides which halves run here: `web` takes requests in and stores them, `worker` takes
 * in what was stored and works the jobs, `all` does both in one process.
 */
export async function startApplication(
  config: Config,
  logger: Logger,
  options: ApplicationOptions = {},
): Promise<Application> {
  const infra = await openInfrastructure(config, logger);
  const slack = createSlackEdge(config, logger, infra);
  const services = createServices(config, logger, infra, slack);
  const socketMode = Boolean(config.SLACK_APP_TOKEN);
  const takesRequests = config.ROLE !== "worker";
  const processes = config.ROLE !== "web";

  // Listeners run on after Bolt has acknowledged; stop() waits for them before closing the database.
  const listenersRunning = new InFlight();
  slack.app.use(({ next }) => listenersRunning.track(next()));
  registerListeners(slack.app, {
    command: config.SLACK_COMMAND,
    signingSecret: config.SLACK_SIGNING_SECRET,
    logger,
    ...services,
  });

  const processing: Processing | null = processes
    ? await startProcessing(config, logger, infra, services)
    : null;
  const server = await listen(
    [...routesFor(config, logger, { infra, slack, services }), ...(options.routes ?? [])],
    config.PORT,
    logger,
  );
  if (socketMode && takesRequests) await slack.app.start();
  logger.info({ port: server.port, role: config.ROLE, socketMode }, "ready");

  let stopped = false;
  return {
    url: `http://127.0.0.1:${server.port}`,
    db: infra.db,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
      if (socketMode && takesRequests) await slack.app.stop().catch(() => undefined);
      await processing?.stop();
      // Jobs still running after the queue's grace period (a Slack outage keeps them retrying)
      // are abandoned: their rows stay pending and another instance, or the next start, redoes them.
      const threadsStopped = services.threads.stop();
      await withDeadline(
        infra.queue.stop(JOB_GRACE_MS, () => infra.shutdown.abort()),
        JOB_GRACE_MS + 10_000,
      ).catch((error: unknown) => logger.warn({ err: error }, "job queue did not stop cleanly"));
      infra.shutdown.abort();
      await Promise.all([threadsStopped, listenersRunning.settled(5_000)]);
      await infra.close();
      logger.info("stopped");
    },
  };
}
