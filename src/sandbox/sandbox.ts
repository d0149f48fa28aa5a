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

/** Generated per start and never printed: only the stand-ins and the page's endpoints hold them. */
interface SandboxSecrets {
  signingSecret: string;
  botToken: string;
  accountId: string;
  applicationId: string;
  apiUser: string;
  apiPassword: string;
  callbackUser: string;
  callbackPassword: string;
}

function sandboxSecrets(): SandboxSecrets {
  return {
    signingSecret: secret(),
    botToken: `xoxb-sandbox-${secret(18)}`,
    accountId: String(9_000_000 + Math.floor(Math.random() * 999_999)),
    applicationId: randomUUID(),
    apiUser: `sandbox-${secret(6)}`,
    apiPassword: secret(),
    callbackUser: `callbacks-${secret(6)}`,
    callbackPassword: secret(),
  };
}

/** The Slack stand-in with the sandbox's teammates and channels. */
function startSandboxSlack(): Promise<SlackStandIn> {
  return startFakeSlack({
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
}

/** Bandwidth's status callback for one recipient of a text it took. */
function statusCallback(message: TakenMessage, recipient: string, failed: boolean, applicationId: string) {
  const now = new Date().toISOString();
  return {
    time: now,
    eventTime: now,
    type: failed ? "message-failed" : "message-delivered",
    to: recipient,
    description: failed ? FAILED_DELIVERY.description : "Message delivered to carrier.",
    ...(failed ? { errorCode: FAILED_DELIVERY.errorCode } : {}),
    message: {
      id: message.id,
      owner: message.from,
      applicationId,
      time: message.time,
      segmentCount: message.segmentCount,
      direction: "out",
      to: message.to,
      from: message.from,
      text: "",
      ...(message.media.length ? { media: message.media } : {}),
      ...(message.tag !== null ? { tag: message.tag } : {}),
    },
  };
}

/** Bandwidth's inbound callback for a text a phone sent to the line. */
function inboundCallback(sent: SentByPhone, applicationId: string) {
  const { id, at, from, line, others, text, media } = sent;
  const isMms = others.length > 0 || media.length > 0;
  return {
    time: at,
    type: "message-received",
    to: line,
    description: "Incoming message received",
    message: {
      id,
      owner: line,
      applicationId,
      time: at,
      segmentCount: isMms ? 1 : Math.max(1, Math.ceil(text.length / 153)),
      direction: "in",
      to: [line, ...others],
      from,
      text,
      ...(media.length ? { media } : {}),
    },
  };
}

/** What one phone shows: texts from the line (with their delivery) and texts among the contacts. */
function textsOnPhone(
  number: string,
  fromLine: readonly TakenMessage[],
  sentByPhones: readonly SentByPhone[],
  deliveries: ReadonlyMap<string, "delivered" | "failed">,
): PhoneText[] {
  const texts: PhoneText[] = [];
  for (const m of fromLine) {
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
}

/**
 * The contacts' phones and the carrier between them and Bandwidth: which phones fail, what each
 * text's delivery was, and the callbacks Bandwidth posts to the app (`appUrl()` changes on reset).
 */
function createPhones(secrets: SandboxSecrets, logger: Logger, appUrl: () => string) {
  const timers = new Set<NodeJS.Timeout>();
  const failingPhones = new Set<string>();
  const deliveries = new Map<string, "delivered" | "failed">();
  const sentByPhones: SentByPhone[] = [];

  const postCallback = async (path: string, body: unknown) => {
    try {
      const response = await fetch(`${appUrl()}${path}`, {
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

  return {
    failingPhones,
    deliveries,
    sentByPhones,
    postCallback,
    /** As Bandwidth does: one status callback per recipient, a few hundred ms after taking the text. */
    deliver(message: TakenMessage) {
      for (const recipient of message.to) {
        const delay = DELIVERY_DELAY_MS.min + Math.random() * (DELIVERY_DELAY_MS.max - DELIVERY_DELAY_MS.min);
        later(delay, async () => {
          const failed = failingPhones.has(recipient);
          deliveries.set(`${message.id}/${recipient}`, failed ? "failed" : "delivered");
          await postCallback(WEBHOOK_PATHS.status, [
            statusCallback(message, recipient, failed, secrets.applicationId),
          ]);
        });
      }
    },
    stopTimers() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
    clear() {
      failingPhones.clear();
      deliveries.clear();
      sentByPhones.length = 0;
    },
  };
}

type Phones = ReturnType<typeof createPhones>;

function sandboxEnv(
  raw: NodeJS.ProcessEnv,
  port: number,
  where: { dataDir: string; databaseUrl: string },
  secrets: SandboxSecrets,
  stands: { slack: SlackStandIn; bandwidth: BandwidthStandIn },
): Record<string, string> {
  return {
    PORT: String(port),
    LOG_LEVEL: raw.LOG_LEVEL?.trim() || "warn",
    DATABASE_URL: where.databaseUrl,
    DATA_DIR: where.dataDir,
    PUBLIC_URL: `http://localhost:${port}`,
    SLACK_BOT_TOKEN: secrets.botToken,
    SLACK_SIGNING_SECRET: secrets.signingSecret,
    SLACK_API_URL: stands.slack.apiUrl,
    SLACK_DEFAULT_CHANNEL: "CGENERAL",
    BANDWIDTH_ACCOUNT_ID: secrets.accountId,
    BANDWIDTH_APPLICATION_ID: secrets.applicationId,
    BANDWIDTH_USERNAME: secrets.apiUser,
    BANDWIDTH_PASSWORD: secrets.apiPassword,
    BANDWIDTH_MESSAGING_URL: stands.bandwidth.url,
    BANDWIDTH_CALLBACK_USERNAME: secrets.callbackUser,
    BANDWIDTH_CALLBACK_PASSWORD: secrets.callbackPassword,
    BANDWIDTH_LINES: sandboxLinesVariable(),
    BANDWIDTH_TIMEOUT_MS: "5000",
    SWEEP_INTERVAL_MS: "5000",
    JOB_RETRY_DELAY_SECONDS: "2",
  };
}

/** The world the page drives; `boot` and `stopApp` restart the app on reset. */
function sandboxWorld(
  stands: { slack: SlackStandIn; bandwidth: BandwidthStandIn; logger: Logger },
  secrets: SandboxSecrets,
  phones: Phones,
  app: { url(): string; stop(): Promise<void>; boot(port: number): Promise<void> },
): SandboxWorld {
  const { bandwidth } = stands;
  return {
    get appUrl() {
      return app.url();
    },
    signingSecret: secrets.signingSecret,
    ...stands,
    failing: (number) => phones.failingPhones.has(number),
    setFailing(number, failing) {
      if (failing) phones.failingPhones.add(number);
      else phones.failingPhones.delete(number);
    },
    phoneTexts: (number) => textsOnPhone(number, bandwidth.messages, phones.sentByPhones, phones.deliveries),
    async sendFromPhone({ from, line, others, text, picture }) {
      const media = picture ? [bandwidth.putMedia(picture.bytes, picture.contentType)] : [];
      const id = `${Date.now()}${randomBytes(8).toString("hex").slice(0, 16)}`;
      const sent: SentByPhone = { id, at: new Date().toISOString(), from, line, others, text, media };
      // In a group MMS every member's phone gets the text from the carrier; the line gets it from Bandwidth.
      phones.sentByPhones.push(sent);
      return phones.postCallback(WEBHOOK_PATHS.inbound, [inboundCallback(sent, secrets.applicationId)]);
    },
    async reset() {
      const port = Number(new URL(app.url()).port);
      await app.stop();
      stands.slack.reset();
      bandwidth.reset();
      phones.clear();
      await app.boot(port);
    },
  };
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
  const secrets = sandboxSecrets();
  let app: Application | null = null;
  let appUrl = "";
  const phones = createPhones(secrets, logger, () => appUrl);
  const slack = await startSandboxSlack();
  const bandwidth = await startBandwidthStandIn({
    accountId: secrets.accountId,
    applicationId: secrets.applicationId,
    username: secrets.apiUser,
    password: secrets.apiPassword,
    onMessage: phones.deliver,
  });

  const stopApp = async () => {
    phones.stopTimers();
    const running = app;
    app = null;
    if (running) await running.stop();
  };
  const boot = async (port: number) => {
    await recreateDatabase(cluster, "sandbox");
    const where = { dataDir, databaseUrl: cluster.url("sandbox") };
    const config = loadConfig(sandboxEnv(raw, port, where, secrets, { slack, bandwidth }));
    app = await startApplication(config, logger, { routes: sandboxRoutes(world) });
    appUrl = app.url;
    await app.db.contact.createMany({
      data: SANDBOX_CONTACTS.map((c) => ({ number: c.number, name: c.name, createdBy: "sandbox" })),
      skipDuplicates: true,
    });
  };
  const world = sandboxWorld({ slack, bandwidth, logger }, secrets, phones, {
    url: () => appUrl,
    stop: stopApp,
    boot,
  });

  try {
    await boot(Number(raw.PORT?.trim() || 3000));
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
