import http from "node:http";
import type { AddressInfo } from "node:net";
import { App, AuthorizationError, HTTPReceiver, LogLevel, SocketModeReceiver } from "@slack/bolt";
import { WebClient } from "@slack/web-api";
import { createBandwidthMessaging } from "./bandwidth/client";
import { createWebhookHandler, WEBHOOK_PATHS } from "./bandwidth/webhooks";
import type { Config } from "./config";
import { createDb, type Db } from "./db/client";
import { type EmbeddedDatabase, startEmbeddedPostgres } from "./db/embedded";
import { Locks } from "./db/locks";
import { migrate } from "./db/migrate";
import { BODY_LIMIT } from "./http/body";
import { createChartRoute, USAGE_CHART_PATH } from "./http/charts";
import { health, readiness } from "./http/health";
import { createFront, type Route, type RouteHandler, requestIdOf } from "./http/router";
import { type JobHandler, type JobQueue, QUEUES, startJobQueue } from "./jobs/queue";
import { pruneInboundEvents, RETENTION_INTERVAL_MS } from "./jobs/retention";
import { queueStats } from "./jobs/stats";
import { startSweeper } from "./jobs/sweeper";
import type { Logger } from "./logger";
import { Metrics } from "./observability/metrics";
import { AdminService } from "./services/admins";
import { ConsentAdminService } from "./services/consentAdmin";
import { ContactService } from "./services/contacts";
import { CountedInboundService } from "./services/countedInbound";
import { EventIntake } from "./services/eventIntake";
import { GroupChoicesService } from "./services/groupChoices";
import { GroupStartService } from "./services/groupStart";
import { HomeService } from "./services/home";
import { INBOUND_EVENTS_CHANNEL, InboundProcessor } from "./services/inboundProcessor";
import { InteractionReceipts } from "./services/interactions";
import { LineService, seedLines } from "./services/lines";
import { OutboundService } from "./services/outbound";
import { SendEvidence } from "./services/sendEvidence";
import { SettingsService } from "./services/settings";
import { TextSender } from "./services/textSender";
import { ThreadSyncService } from "./services/threadSync";
import { UsageService } from "./services/usage";
import { InFlight, Shutdown } from "./shutdown";
import { createChannelAccess } from "./slack/channelAccess";
import { HomePublisher } from "./slack/homePublisher";
import { registerListeners } from "./slack/listeners";
import { createSlackPublisher } from "./slack/publisher";

export interface Application {
  url: string;
  db: Db;
  stop(): Promise<void>;
}

/** Where Slack sends events, commands and interactions over HTTP. */
const SLACK_EVENTS_PATH = "/slack/events";

/** How long running jobs may take to finish when the app stops, before their calls are cut short. */
const JOB_GRACE_MS = 8_000;
/** Per Web API call checking the group modal's channel; two fit in the listener's 2.5 s with the database. */
const CHANNEL_CHECK_MS = 1_000;

/** Resolves or rejects with `promise`, or rejects after `ms`. */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function boltLogLevel(level: string): LogLevel {
  if (level === "debug" || level === "trace") return LogLevel.DEBUG;
  if (level === "warn") return LogLevel.WARN;
  if (level === "error" || level === "fatal" || level === "silent") return LogLevel.ERROR;
  return LogLevel.INFO;
}

/** The composition root: config → database → queue → Slack app → routes → start. */
export async function startApplication(config: Config, logger: Logger): Promise<Application> {
  let embedded: EmbeddedDatabase | null = null;
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(config.DATA_DIR, logger);
    databaseUrl = embedded.url;
  }
  await migrate(databaseUrl, logger);
  const db = createDb(databaseUrl, (error) => logger.warn({ err: error }, "database connection lost"));
  await seedLines(db, config.BANDWIDTH_LINES);
  const locks = new Locks(databaseUrl);
  const queue: JobQueue = await startJobQueue(databaseUrl, logger, {
    retryLimit: config.JOB_RETRY_LIMIT,
    retryDelaySeconds: config.JOB_RETRY_DELAY_SECONDS,
    retentionHours: config.RETENTION_HOURS,
  });

  const shutdown = new Shutdown();
  // WebClient retries failed calls by itself, for minutes; none of that may outlive the app.
  const slackRetries = {
    retries: 5,
    factor: 2,
    minTimeout: 500,
    maxTimeout: 30_000,
    randomize: true,
    onFailedAttempt: (error: Error) => {
      if (shutdown.aborted) throw error;
    },
  };
  const listenersRunning = new InFlight();

  const metrics = new Metrics({
    queues: () => queueStats(db),
    outbox: async () => ({
      pendingPosts: await db.message.count({ where: { postState: "PENDING" } }),
      queuedTexts: await db.message.count({ where: { sendState: "QUEUED" } }),
    }),
  });

  const slackApiUrl = config.SLACK_API_URL ?? "https://slack.com/api/";
  const boltLogger = {
    debug: (...msg: unknown[]) => logger.debug({ bolt: msg.map(String).join(" ") }),
    info: (...msg: unknown[]) => logger.info({ bolt: msg.map(String).join(" ") }),
    warn: (...msg: unknown[]) => logger.warn({ bolt: msg.map(String).join(" ") }),
    error: (...msg: unknown[]) => logger.error({ bolt: msg.map(String).join(" ") }),
    setLevel: () => undefined,
    getLevel: () => boltLogLevel(config.LOG_LEVEL),
    setName: () => undefined,
  };
  const socketMode = Boolean(config.SLACK_APP_TOKEN);
  const receiver = socketMode
    ? new SocketModeReceiver({ appToken: config.SLACK_APP_TOKEN ?? "", logger: boltLogger })
    : new HTTPReceiver({
        signingSecret: config.SLACK_SIGNING_SECRET,
        logger: boltLogger,
        endpoints: [SLACK_EVENTS_PATH],
        bodyLimit: BODY_LIMIT,
        // Answer Slack once the listeners are done: a teammate's reply is stored before Slack hears
        // "received", so a crash right after the answer cannot lose it (Slack retries unanswered events).
        processBeforeResponse: true,
        // Bolt refuses requests signed more than five minutes ago (replay protection) by itself.
        customPropertiesExtractor: (req) => ({ requestId: String(req.headers["x-request-id"] ?? "") }),
        // Errors in listeners go to app.error; what lands here is a signed request Bolt could not
        // process at all (an envelope it cannot read, say). It gets a 4xx, not a 500, and the log
        // gets the error alone: Bolt's default handler would describe the request.
        processEventErrorHandler: async ({ error, response }) => {
          logger.warn({ err: error }, "Slack request not processed");
          if (response.headersSent) return false;
          response.writeHead(error instanceof AuthorizationError ? 401 : 400).end();
          return true;
        },
      });
  const app = new App({
    token: config.SLACK_BOT_TOKEN,
    receiver,
    logger: boltLogger,
    extendedErrorHandler: true,
    clientOptions: {
      ...(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}),
      fetch: shutdown.fetch(metrics.countingFetch("slack", slackApiUrl)),
      retryConfig: slackRetries,
    },
  });

  const bandwidth = createBandwidthMessaging(config, metrics, shutdown);
  const sender = new TextSender(db, locks, bandwidth, logger, shutdown);
  const evidence = new SendEvidence({
    db,
    bandwidth,
    logger,
    confirmWaitMs: config.SEND_CONFIRM_WAIT_MS,
    shutdown,
  });
  const publisher = createSlackPublisher(app.client, config.SLACK_BOT_TOKEN, logger, shutdown.fetch());
  // Thread posts get a client of their own that hands Slack's 429s back: ThreadSyncService then
  // waits out that one channel, where WebClient would pause every call of the app.
  const threadClient = new WebClient(config.SLACK_BOT_TOKEN, {
    ...(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}),
    fetch: shutdown.fetch(metrics.countingFetch("slack", slackApiUrl)),
    logger: boltLogger,
    rejectRateLimitedCalls: true,
    // No retries inside a call: a post whose answer was lost may have been made, and repeating it
    // blindly would post it twice. The entry stays marked as being posted, and the next pass (a
    // job retry, the sweeper) looks for it in the thread by its metadata before posting again.
    retryConfig: { retries: 0 },
  });
  const threadPublisher = createSlackPublisher(
    threadClient,
    config.SLACK_BOT_TOKEN,
    logger,
    shutdown.fetch(),
  );
  // The channel picked in the group modal is checked while Slack waits 3 s for the modal's answer:
  // one try each, no waiting out a 429, and an answer by then or none.
  const channelClient = new WebClient(config.SLACK_BOT_TOKEN, {
    ...(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}),
    fetch: shutdown.fetch(metrics.countingFetch("slack", slackApiUrl)),
    logger: boltLogger,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    // Just past the deadline: the answer "Slack was slow" comes from the deadline, then the request ends.
    timeout: CHANNEL_CHECK_MS + 250,
  });
  const channels = createChannelAccess(channelClient, logger, CHANNEL_CHECK_MS);
  const requestThreadSync = (id: string) => queue.enqueue(QUEUES.threadSync, { conversationId: id }, id);
  const requestOutbound = (id: string) => queue.enqueue(QUEUES.outboundSend, { conversationId: id }, id);
  const requestGroupStart = (id: string) => queue.enqueue(QUEUES.groupStart, { groupStartId: id }, id);

  const groups = new GroupStartService({
    db,
    sender,
    publisher,
    logger,
    locks,
    requestThreadSync,
    requestGroupStart,
    evidence,
    channels,
    async openThread(conversationId) {
      await threads.sync(conversationId);
      const opened = await db.groupConversation.findUnique({
        where: { id: conversationId },
        select: { channelId: true, threadTs: true },
      });
      return opened?.channelId && opened.threadTs
        ? { channel: opened.channelId, threadTs: opened.threadTs }
        : null;
    },
  });
  const threads = new ThreadSyncService({
    db,
    requestThreadSync,
    locks,
    publisher: threadPublisher,
    bandwidth,
    logger,
    defaultChannel: config.SLACK_DEFAULT_CHANNEL,
  });
  const inbound = new CountedInboundService({ db, logger, requestThreadSync, requestOutbound }, metrics);
  const userNames = new Map<string, string | null>();
  const outbound = new OutboundService({
    db,
    locks,
    sender,
    publisher,
    logger,
    requestThreadSync,
    requestOutbound,
    media: bandwidth,
    evidence,
    async userName(userId) {
      if (!userNames.has(userId)) {
        const info = await app.client.users.info({ user: userId }).catch(() => null);
        userNames.set(userId, info?.user?.profile?.display_name || info?.user?.real_name || null);
      }
      return userNames.get(userId) ?? null;
    },
  });

  const consentAdmin = new ConsentAdminService(db, requestThreadSync);
  const admins = new AdminService(
    db,
    async (userId) => {
      try {
        const { user } = await app.client.users.info({ user: userId });
        return user
          ? {
              isAdmin: Boolean(user.is_admin),
              isOwner: Boolean(user.is_owner),
              isBot: Boolean(user.is_bot),
              deleted: Boolean(user.deleted),
            }
          : null;
      } catch (error) {
        if ((error as { data?: { error?: string } }).data?.error === "user_not_found") return null;
        throw error;
      }
    },
    logger,
  );
  const lines = new LineService(db, requestThreadSync);
  const contacts = new ContactService(db);
  const settings = new SettingsService(db);
  const usage = new UsageService(db);
  const home = new HomePublisher({
    client: app.client,
    admins,
    home: new HomeService({ db, admins, lines, contacts, consentAdmin, settings, usage }),
    command: config.SLACK_COMMAND,
    publicUrl: config.PUBLIC_URL,
    chartSecret: config.SLACK_SIGNING_SECRET,
    logger,
  });
  const homeDeps = {
    admins,
    interactions: new InteractionReceipts(db),
    lines,
    contacts,
    consentAdmin,
    settings,
    home,
    logger,
    downloadFile: publisher.downloadFile,
  };

  // Listeners run on after Bolt has acknowledged; stop() waits for them before closing the database.
  app.use(({ next }) => listenersRunning.track(next()));
  registerListeners(app, {
    command: config.SLACK_COMMAND,
    signingSecret: config.SLACK_SIGNING_SECRET,
    groups,
    choices: new GroupChoicesService(db),
    outbound,
    home,
    homeDeps,
    logger,
  });

  const id = (data: Record<string, unknown>, key: string) => String(data[key] ?? "");
  const counted =
    (name: string, handler: JobHandler): JobHandler =>
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
  await queue.work(
    QUEUES.groupStart,
    counted(QUEUES.groupStart, (data, context) => groups.process(id(data, "groupStartId"), context)),
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
    { requestThreadSync, requestOutbound, requestGroupStart },
    {
      intervalMs: RETENTION_INTERVAL_MS,
      prune: () => pruneInboundEvents({ db, locks, logger }, { hours: config.RETENTION_HOURS }),
    },
  );

  const processor = new InboundProcessor({
    db,
    databaseUrl,
    inbound,
    logger,
    pollMs: 1_000,
    requestThreadSync,
    countSetAside: (reason) => metrics.inboundSetAside.inc({ reason }),
    countProcessed: () => metrics.inboundProcessed.inc(),
    shareChanged: (held) => metrics.inboundPartitions.set(held),
  });
  processor.start();
  const intake = new EventIntake(databaseUrl, INBOUND_EVENTS_CHANNEL);
  const webhooks = createWebhookHandler({
    username: config.BANDWIDTH_CALLBACK_USERNAME,
    password: config.BANDWIDTH_CALLBACK_PASSWORD,
    intake,
    onStored: () => processor.wake(),
    logger,
  });
  const charts = createChartRoute({ secret: config.SLACK_SIGNING_SECRET, usage, logger });
  const timedWebhook: RouteHandler = (req, res, path) => {
    const started = process.hrtime.bigint();
    res.once("finish", () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.webhookAck.observe({ route: path, status: String(res.statusCode) }, seconds);
    });
    return webhooks(req, res, path);
  };
  const routes: Route[] = [
    { methods: ["GET"], path: "/healthz", handler: (_req, res) => health(res) },
    { methods: ["GET"], path: "/readyz", handler: (_req, res) => readiness(res, { locks, intake, db }) },
    {
      methods: ["GET"],
      path: "/metrics",
      async handler(_req, res) {
        const body = await metrics.registry.metrics();
        res.writeHead(200, { "content-type": metrics.registry.contentType }).end(body);
      },
    },
    { methods: ["GET"], path: USAGE_CHART_PATH, handler: charts },
    { methods: ["POST"], path: WEBHOOK_PATHS.inbound, handler: timedWebhook },
    { methods: ["POST"], path: WEBHOOK_PATHS.status, handler: timedWebhook },
  ];
  if (!socketMode && receiver instanceof HTTPReceiver) {
    routes.push({
      methods: ["POST"],
      path: SLACK_EVENTS_PATH,
      handler(req, res, path) {
        // A correlation id for each Slack request, carried into listeners' context and error logs.
        const requestId = requestIdOf(req);
        req.headers["x-request-id"] = requestId;
        res.setHeader("x-request-id", requestId);
        const started = Date.now();
        res.once("finish", () =>
          logger.debug(
            { requestId, path, status: res.statusCode, ms: Date.now() - started },
            "slack request",
          ),
        );
        receiver.requestListener(req, res);
      },
    });
  }
  const server = http.createServer(createFront(routes, logger));
  // A client that trickles its headers or body is cut off (408) rather than holding a handler:
  // Slack and Bandwidth send a few kilobytes at once.
  server.headersTimeout = 15_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(config.PORT, resolve));
  if (socketMode) await app.start();
  const port = (server.address() as AddressInfo).port;
  logger.info({ port, socketMode }, "ready");

  let stopped = false;
  return {
    url: `http://127.0.0.1:${port}`,
    db,
    async stop() {
      if (stopped) return;
      stopped = true;
      const sweeperStopped = sweeper.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (socketMode) await app.stop().catch(() => undefined);
      // Stored callbacks not yet processed stay stored; the next instance to run takes them in.
      await withDeadline(processor.stop(), 5_000).catch(() => undefined);
      // Jobs still running after the queue's grace period (a Slack outage keeps them retrying)
      // are abandoned: their rows stay pending and another instance, or the next start, redoes them.
      const threadsStopped = threads.stop();
      await withDeadline(
        queue.stop(JOB_GRACE_MS, () => shutdown.abort()),
        JOB_GRACE_MS + 10_000,
      ).catch((error: unknown) => logger.warn({ err: error }, "job queue did not stop cleanly"));
      shutdown.abort();
      await Promise.all([
        threadsStopped,
        listenersRunning.settled(5_000),
        withDeadline(sweeperStopped, 5_000).catch(() => undefined),
      ]);
      await withDeadline(Promise.all([locks.close(), intake.close()]), 2_000).catch(() => undefined);
      await db.$disconnect();
      if (embedded) await embedded.stop();
      logger.info("stopped");
    },
  };
}
