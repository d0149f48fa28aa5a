import type { IncomingMessage, ServerResponse } from "node:http";
import {
  App,
  AuthorizationError,
  HTTPReceiver,
  LogLevel,
  type Logger as SlackLogger,
  SocketModeReceiver,
} from "@slack/bolt";
import { WebClient } from "@slack/web-api";
import type { Config } from "../config";
import { BODY_LIMIT } from "../http/body";
import { requestIdOf } from "../http/router";
import type { Logger } from "../logger";
import type { Metrics } from "../observability/metrics";
import type { ChannelAccess, ThreadPublisher } from "../services/ports";
import type { Shutdown } from "../shutdown";
import { createChannelAccess } from "./channelAccess";
import { createSlackPublisher } from "./publisher";

/** Where Slack sends events, commands and interactions over HTTP. */
export const SLACK_EVENTS_PATH = "/slack/events";

/** Per Web API call checking the group modal's channel; two fit in the listener's 2.5 s with the database. */
const CHANNEL_CHECK_MS = 1_000;

export interface SlackEdge {
  app: App;
  /** Serves SLACK_EVENTS_PATH; null in Socket Mode, where Slack's requests come over a WebSocket. */
  requestListener: ((req: IncomingMessage, res: ServerResponse) => void) | null;
  /** Posts, updates and DMs outside threads; WebClient waits out 429s and retries. */
  publisher: ThreadPublisher;
  /** Thread posts: 429s come back to ThreadSyncService, which waits out that one channel. */
  threadPublisher: ThreadPublisher;
  channels: ChannelAccess;
}

function boltLogLevel(level: string): LogLevel {
  if (level === "debug" || level === "trace") return LogLevel.DEBUG;
  if (level === "warn") return LogLevel.WARN;
  if (level === "error" || level === "fatal" || level === "silent") return LogLevel.ERROR;
  return LogLevel.INFO;
}

function boltLoggerOf(logger: Logger, level: string): SlackLogger {
  const line = (msg: unknown[]) => ({ bolt: msg.map(String).join(" ") });
  return {
    debug: (...msg: unknown[]) => logger.debug(line(msg)),
    info: (...msg: unknown[]) => logger.info(line(msg)),
    warn: (...msg: unknown[]) => logger.warn(line(msg)),
    error: (...msg: unknown[]) => logger.error(line(msg)),
    setLevel: () => undefined,
    getLevel: () => boltLogLevel(level),
    setName: () => undefined,
  };
}

function httpReceiver(config: Config, logger: Logger, boltLogger: SlackLogger): HTTPReceiver {
  return new HTTPReceiver({
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
}

/** Gives each Slack request a correlation id (carried into listeners' context and logs), then hands it to Bolt. */
function tracedListener(receiver: HTTPReceiver, logger: Logger) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const requestId = requestIdOf(req);
    req.headers["x-request-id"] = requestId;
    res.setHeader("x-request-id", requestId);
    const started = Date.now();
    res.once("finish", () =>
      logger.debug({ requestId, status: res.statusCode, ms: Date.now() - started }, "slack request"),
    );
    receiver.requestListener(req, res);
  };
}

/** The Bolt app and the Web API clients the app talks to Slack with, each tuned for its use. */
export function createSlackEdge(
  config: Config,
  logger: Logger,
  deps: { shutdown: Shutdown; metrics: Metrics },
): SlackEdge {
  const { shutdown, metrics } = deps;
  const boltLogger = boltLoggerOf(logger, config.LOG_LEVEL);
  const apiUrl = config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {};
  const countedFetch = () =>
    shutdown.fetch(metrics.countingFetch("slack", config.SLACK_API_URL ?? "https://slack.com/api/"));
  // WebClient retries failed calls by itself, for minutes; none of that may outlive the app. p-retry
  // reads onFailedAttempt, which WebClient's RetryOptions type does not list.
  const retries = {
    retries: 5,
    factor: 2,
    minTimeout: 500,
    maxTimeout: 30_000,
    randomize: true,
    onFailedAttempt: (error: Error) => {
      if (shutdown.aborted) throw error;
    },
  };
  const receiver = config.SLACK_APP_TOKEN
    ? new SocketModeReceiver({ appToken: config.SLACK_APP_TOKEN, logger: boltLogger })
    : httpReceiver(config, logger, boltLogger);
  const app = new App({
    token: config.SLACK_BOT_TOKEN,
    receiver,
    logger: boltLogger,
    extendedErrorHandler: true,
    clientOptions: {
      ...apiUrl,
      fetch: countedFetch(),
      retryConfig: retries,
    },
  });
  // No retries inside a call: a post whose answer was lost may have been made, and repeating it
  // blindly would post it twice. The entry stays marked as being posted, and the next pass (a job
  // retry, the sweeper) looks for it in the thread by its metadata before posting again.
  const threadClient = new WebClient(config.SLACK_BOT_TOKEN, {
    ...apiUrl,
    fetch: countedFetch(),
    logger: boltLogger,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
  });
  // The channel picked in the group modal is checked while Slack waits 3 s for the modal's answer:
  // one try each, no waiting out a 429, and an answer by then or none. The timeout is just past
  // the deadline: the answer "Slack was slow" comes from the deadline, then the request ends.
  const channelClient = new WebClient(config.SLACK_BOT_TOKEN, {
    ...apiUrl,
    fetch: countedFetch(),
    logger: boltLogger,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    timeout: CHANNEL_CHECK_MS + 250,
  });
  return {
    app,
    requestListener: receiver instanceof HTTPReceiver ? tracedListener(receiver, logger) : null,
    publisher: createSlackPublisher(app.client, config.SLACK_BOT_TOKEN, logger, shutdown.fetch()),
    threadPublisher: createSlackPublisher(threadClient, config.SLACK_BOT_TOKEN, logger, shutdown.fetch()),
    channels: createChannelAccess(channelClient, logger, CHANNEL_CHECK_MS),
  };
}
