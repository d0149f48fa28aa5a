/**
 * The sandbox: the real app (Bolt's HTTP receiver with signed requests, bandwidth-sdk, webhooks with
 * Basic auth, PostgreSQL, the job queue) between two local stand-ins for Slack's Web API and
 * Bandwidth's Messaging API, with a seeded world and a page (/sandbox) that plays Slack and the
 * contacts' phones. Nothing here reaches the app except through the routes Slack and Bandwidth use.
 */
import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import pg from "pg";
import { type Application, startApplication } from "../app";
import { WEBHOOK_PATHS } from "../bandwidth/webhooks";
import { loadConfig, runMode } from "../config";
import { type PostgresCluster, startPostgresCluster } from "../db/embedded";
import type { Logger } from "../logger";
import { type BandwidthStandIn, startBandwidthStandIn, type TakenMessage } from "./bandwidthApi";
import { sandboxRoutes } from "./routes";
import { type FakeSlack as SlackStandIn, startFakeSlack } from "./slackApi";
import { SANDBOX_CHANNELS, SANDBOX_CONTACTS, SANDBOX_TEAMMATES, sandboxLinesVariable } from "./world";

export const SANDBOX_PATH = "/sandbox";

/** Bandwidth reports a delivery a moment after taking a text; the phones show it then. */
const DELIVERY_DELAY_MS = { min: 250, max: 600 };
/** What the stand-in reports for a phone switched to fail (Bandwidth's code for an unreachable handset). */
const FAILED_DELIVERY = { errorCode: 4720, description: "The destination handset is unreachable" };

export interface PhoneText {
  id: string;
  at: string;
  direction: "in" | "out";
  line: string;
  /** The contacts in this conversation (the phone itself included), sorted. */
  members: string[];
  from: string;
  text: string;
  media: string[];
  /** For a text from the line: delivered, failed, or still on its way. */
  delivery?: "delivered" | "failed" | "pending";
}

interface SentByPhone {
  id: string;
  at: string;
  from: string;
  line: string;
  others: string[];
  text: string;
  media: string[];
}

/** Everything the page reads and drives; replaced as a whole on reset. */
export interface SandboxWorld {
  readonly appUrl: string;
  readonly signingSecret: string;
  readonly slack: SlackStandIn;
  readonly bandwidth: BandwidthStandIn;
  readonly logger: Logger;
  phoneTexts(number: string): PhoneText[];
  failing(number: string): boolean;
  setFailing(number: string, failing: boolean): void;
  sendFromPhone(input: {
    from: string;
    line: string;
    others: string[];
    text: string;
    picture?: { bytes: Buffer; contentType: string };
  }): Promise<number>;
  reset(): Promise<void>;
}

export interface Sandbox {
  /** The page's URL, e.g. http://localhost:3000/sandbox */
  url: string;
  /** The app's own base URL (127.0.0.1). */
  appUrl: string;
  world: SandboxWorld;
  stop(): Promise<void>;
}

function secret(bytes = 24): string {
  return randomBytes(bytes).toString("base64url");
}

function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

/**
 * Starts the sandbox. It refuses to run when any Slack or Bandwidth credential is set, whatever the
 * caller decided: real credentials never meet the stand-ins.
 */
export async function startSandbox(raw: NodeJS.ProcessEnv, logger: Logger): Promise<Sandbox> {
  if (runMode(raw) !== "sandbox") {
    throw new Error("The sandbox runs only when no Slack or Bandwidth credential is set.");
  }
  const dataDir = path.resolve(raw.DATA_DIR?.trim() || "./data", "sandbox");
  // A cluster of its own: sandbox data never shares a database server with a real deployment's.
  const cluster = await startPostgresCluster({
    dataDir: path.join(dataDir, "postgres"),
    password: "reply-all-sandbox",
    // Where PostgreSQL keeps the throwaway data (relocated as root) is not worth a line beside the URL.
    logger: logger.child({}, { level: "error" }),
  });
  // Generated per start and never printed: only the stand-ins and the page's endpoints hold them.
  const secrets = {
    signingSecret: secret(),
    botToken: `xoxb-sandbox-${secret(18)}`,
    accountId: String(9_000_000 + Math.floor(Math.random() * 999_999)),
    applicationId: randomUUID(),
    apiUser: `sandbox-${secret(6)}`,
    apiPassword: secret(),
    callbackUser: `callbacks-${secret(6)}`,
    callbackPassword: secret(),
  };

  let app: Application | null = null;
  let appUrl = "";
  const timers = new Set<NodeJS.Timeout>();
  const failingPhones = new Set<string>();
  const deliveries = new Map<string, "delivered" | "failed">();
  const sentByPhones: SentByPhone[] = [];

  const slack = await startFakeSlack({
    keepCalls: 1000,
    users: Object.fromEntries(
      SANDBOX_TEAMMATES.map((t) => [
        t.id,
        { name: t.name, real_name: t.realName, is_admin: t.admin, is_owner: false, tz: "America/New_York" },
      ]),
    ),
    channels: Object.fromEntries(
      SANDBOX_CHANNELS.map((c) => [
        c.id,
        { name: c.name, is_member: true, members: SANDBOX_TEAMMATES.map((t) => t.id) },
      ]),
    ),
  });

  const postCallback = async (path: string, body: unknown) => {
    try {
      const response = await fetch(`${appUrl}${path}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: basicAuth(secrets.callbackUser, secrets.callbackPassword),
          "user-agent": "BandwidthAPI/v2",
        },
        body: JSON.stringify(body),
      });
      await response.arrayBuffer();
      return response.status;
    } catch (error) {
      logger.warn({ err: error, path }, "sandbox: the app did not take a Bandwidth callback");
      return 0;
    }
  };

  const later = (ms: number, run: () => Promise<unknown>) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      void run();
    }, ms);
    timers.add(timer);
  };

  /** As Bandwidth does: one status callback per recipient, a few hundred ms after taking the text. */
  const deliver = (message: TakenMessage) => {
    for (const recipient of message.to) {
      const delay = DELIVERY_DELAY_MS.min + Math.random() * (DELIVERY_DELAY_MS.max - DELIVERY_DELAY_MS.min);
      later(delay, async () => {
        const failed = failingPhones.has(recipient);
        deliveries.set(`${message.id}/${recipient}`, failed ? "failed" : "delivered");
        const now = new Date().toISOString();
        await postCallback(WEBHOOK_PATHS.status, [
          {
            time: now,
            eventTime: now,
            type: failed ? "message-failed" : "message-delivered",
            to: recipient,
            description: failed ? FAILED_DELIVERY.description : "Message delivered to carrier.",
            ...(failed ? { errorCode: FAILED_DELIVERY.errorCode } : {}),
            message: {
              id: message.id,
              owner: message.from,
              applicationId: secrets.applicationId,
              time: message.time,
              segmentCount: message.segmentCount,
              direction: "out",
              to: message.to,
              from: message.from,
              text: "",
              ...(message.media.length ? { media: message.media } : {}),
              ...(message.tag !== null ? { tag: message.tag } : {}),
            },
          },
        ]);
      });
    }
  };

  const bandwidth = await startBandwidthStandIn({
    accountId: secrets.accountId,
    applicationId: secrets.applicationId,
    username: secrets.apiUser,
    password: secrets.apiPassword,
    onMessage: deliver,
  });

  const env = (port: number): Record<string, string> => ({
    PORT: String(port),
    LOG_LEVEL: raw.LOG_LEVEL?.trim() || "warn",
    DATABASE_URL: cluster.url("sandbox"),
    DATA_DIR: dataDir,
    PUBLIC_URL: `http://localhost:${port}`,
    SLACK_BOT_TOKEN: secrets.botToken,
    SLACK_SIGNING_SECRET: secrets.signingSecret,
    SLACK_API_URL: slack.apiUrl,
    SLACK_DEFAULT_CHANNEL: "CGENERAL",
    BANDWIDTH_ACCOUNT_ID: secrets.accountId,
    BANDWIDTH_APPLICATION_ID: secrets.applicationId,
    BANDWIDTH_USERNAME: secrets.apiUser,
    BANDWIDTH_PASSWORD: secrets.apiPassword,
    BANDWIDTH_MESSAGING_URL: bandwidth.url,
    BANDWIDTH_CALLBACK_USERNAME: secrets.callbackUser,
    BANDWIDTH_CALLBACK_PASSWORD: secrets.callbackPassword,
    BANDWIDTH_LINES: sandboxLinesVariable(),
    BANDWIDTH_TIMEOUT_MS: "5000",
    SWEEP_INTERVAL_MS: "5000",
    JOB_RETRY_DELAY_SECONDS: "2",
  });

  const world: SandboxWorld = {
    get appUrl() {
      return appUrl;
    },
    signingSecret: secrets.signingSecret,
    slack,
    bandwidth,
    logger,
    failing: (number) => failingPhones.has(number),
    setFailing(number, failing) {
      if (failing) failingPhones.add(number);
      else failingPhones.delete(number);
    },
    phoneTexts(number) {
      const texts: PhoneText[] = [];
      for (const m of bandwidth.messages) {
        if (!m.to.includes(number)) continue;
        texts.push({
          id: m.id,
          at: m.time,
          direction: "in",
          line: m.from,
          members: [...m.to].sort(),
          from: m.from,
          text: m.text,
          media: m.media,
          delivery: deliveries.get(`${m.id}/${number}`) ?? "pending",
        });
      }
      for (const s of sentByPhones) {
        if (s.from !== number && !s.others.includes(number)) continue;
        texts.push({
          id: s.id,
          at: s.at,
          direction: s.from === number ? "out" : "in",
          line: s.line,
          members: [s.from, ...s.others].sort(),
          from: s.from,
          text: s.text,
          media: s.media,
        });
      }
      return texts.sort((a, b) => a.at.localeCompare(b.at));
    },
    async sendFromPhone({ from, line, others, text, picture }) {
      const media = picture ? [bandwidth.putMedia(picture.bytes, picture.contentType)] : [];
      const now = new Date().toISOString();
      const id = `${Date.now()}${randomBytes(8).toString("hex").slice(0, 16)}`;
      // In a group MMS every member's phone gets the text from the carrier; the line gets it from Bandwidth.
      sentByPhones.push({ id, at: now, from, line, others, text, media });
      const isMms = others.length > 0 || media.length > 0;
      return postCallback(WEBHOOK_PATHS.inbound, [
        {
          time: now,
          type: "message-received",
          to: line,
          description: "Incoming message received",
          message: {
            id,
            owner: line,
            applicationId: secrets.applicationId,
            time: now,
            segmentCount: isMms ? 1 : Math.max(1, Math.ceil(text.length / 153)),
            direction: "in",
            to: [line, ...others],
            from,
            text,
            ...(media.length ? { media } : {}),
          },
        },
      ]);
    },
    async reset() {
      const port = Number(new URL(appUrl).port);
      await stopApp();
      slack.reset();
      bandwidth.reset();
      failingPhones.clear();
      deliveries.clear();
      sentByPhones.length = 0;
      await boot(port);
    },
  };

  const stopApp = async () => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    const running = app;
    app = null;
    if (running) await running.stop();
  };

  const boot = async (port: number) => {
    await recreateDatabase(cluster, "sandbox");
    const config = loadConfig(env(port));
    app = await startApplication(config, logger, { routes: sandboxRoutes(world) });
    appUrl = app.url;
    await app.db.contact.createMany({
      data: SANDBOX_CONTACTS.map((c) => ({ number: c.number, name: c.name, createdBy: "sandbox" })),
      skipDuplicates: true,
    });
  };

  const requestedPort = Number(raw.PORT?.trim() || 3000);
  try {
    await boot(requestedPort);
  } catch (error) {
    await Promise.all([slack.close(), bandwidth.close()]);
    await cluster.stop();
    throw error;
  }
  const port = Number(new URL(appUrl).port);
  return {
    url: `http://localhost:${port}${SANDBOX_PATH}`,
    get appUrl() {
      return appUrl;
    },
    world,
    async stop() {
      await stopApp();
      await Promise.all([slack.close(), bandwidth.close()]);
      await cluster.stop();
    },
  };
}

/** Every start and reset begins from an empty database: the stand-ins' world starts empty too. */
async function recreateDatabase(cluster: PostgresCluster, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: cluster.url("postgres") });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
  await cluster.createDatabase(name);
}
