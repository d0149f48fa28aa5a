import { Writable } from "node:stream";
import { type Application, startApplication } from "../../src/app";
import { loadConfig } from "../../src/config";
import { createLogger } from "../../src/logger";
import { type FakeBandwidth, startFakeBandwidth } from "./fakeBandwidth";
import { type FakeSlack, startFakeSlack } from "./fakeSlack";
import { postSlack, type SlackBody, type SlackResponse } from "./slackRequests";
import { createTestDatabase } from "./testDatabase";

export const SECRETS = {
  signingSecret: "test-signing-secret-0123456789abcdef",
  botToken: "xoxb-test-bot-token-0000",
  bandwidthUser: "bw-api-user",
  bandwidthPassword: "bw-api-password-secret",
  callbackUser: "bw-callbacks",
  callbackPassword: "callback-password-secret",
};

export const ACCOUNT_ID = "9900000";
export const APPLICATION_ID = "93de2206-9669-4e07-948d-329f4b722ee2";
export const SALES_LINE = "+19195550100";
export const FRONT_DESK_LINE = "+19195550101";

export interface Harness {
  app: Application;
  slack: FakeSlack;
  bandwidth: FakeBandwidth;
  databaseUrl: string;
  logs: string[];
  env: Record<string, string>;
  slackRequest(body: SlackBody): Promise<SlackResponse>;
  webhook(
    path: "inbound" | "status",
    body: unknown,
    auth?: string | null,
  ): Promise<{ status: number; json: unknown }>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  users?: Parameters<typeof startFakeSlack>[0] extends infer O
    ? O extends { users?: infer U }
      ? U
      : never
    : never;
}

/** The environment the app runs with between the two fakes. */
export function appEnv(
  slack: FakeSlack,
  bandwidth: FakeBandwidth,
  databaseUrl: string,
): Record<string, string> {
  return {
    PORT: "0",
    LOG_LEVEL: "debug",
    DATABASE_URL: databaseUrl,
    SLACK_BOT_TOKEN: SECRETS.botToken,
    SLACK_SIGNING_SECRET: SECRETS.signingSecret,
    SLACK_API_URL: slack.apiUrl,
    SLACK_DEFAULT_CHANNEL: "CDEFAULT",
    BANDWIDTH_ACCOUNT_ID: ACCOUNT_ID,
    BANDWIDTH_APPLICATION_ID: APPLICATION_ID,
    BANDWIDTH_USERNAME: SECRETS.bandwidthUser,
    BANDWIDTH_PASSWORD: SECRETS.bandwidthPassword,
    BANDWIDTH_MESSAGING_URL: bandwidth.url,
    BANDWIDTH_CALLBACK_USERNAME: SECRETS.callbackUser,
    BANDWIDTH_CALLBACK_PASSWORD: SECRETS.callbackPassword,
    BANDWIDTH_LINES: `${SALES_LINE}=Sales:group:CSALES,${FRONT_DESK_LINE}=Front desk`,
    BANDWIDTH_TIMEOUT_MS: "2000",
    JOB_RETRY_DELAY_SECONDS: "1",
    JOB_RETRY_LIMIT: "3",
    SWEEP_INTERVAL_MS: "2000",
  };
}

/** The real app (Bolt HTTP receiver, WebClient, bandwidth-sdk, PostgreSQL) between the two fakes. */
/**
 * The harness of a test file: started before its tests, stopped after them, its fakes' records
 * cleared before each test. Read through a proxy, so the file can hold it in a `const`.
 */
export function useHarness(options: HarnessOptions = {}): Harness {
  let current: Harness | undefined;
  beforeAll(async () => {
    current = await startHarness(options);
  });
  afterAll(async () => {
    await current?.stop();
  });
  beforeEach(() => {
    current?.slack.reset();
    current?.bandwidth.reset();
  });
  return new Proxy({} as Harness, {
    get(_, key) {
      if (!current) throw new Error("the harness is used before its beforeAll started it");
      return Reflect.get(current, key);
    },
  });
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const slack = await startFakeSlack({ users: options.users });
  const bandwidth = await startFakeBandwidth({
    accountId: ACCOUNT_ID,
    username: SECRETS.bandwidthUser,
    password: SECRETS.bandwidthPassword,
    applicationId: APPLICATION_ID,
  });
  const databaseUrl = await createTestDatabase({ migrated: false });
  const env: Record<string, string> = { ...appEnv(slack, bandwidth, databaseUrl), ...options.env };
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const boot = () => startApplication(loadConfig(env), createLogger(env.LOG_LEVEL ?? "debug", sink));
  let app = await boot();

  const harness: Harness = {
    get app() {
      return app;
    },
    slack,
    bandwidth,
    databaseUrl,
    logs,
    env,
    slackRequest: (body) => postSlack(app.url, SECRETS.signingSecret, body),
    async webhook(path, body, auth = basicAuth(SECRETS.callbackUser, SECRETS.callbackPassword)) {
      const response = await fetch(`${app.url}/webhooks/bandwidth/${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(auth ? { authorization: auth } : {}) },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        json = text;
      }
      return { status: response.status, json };
    },
    async restart() {
      await app.stop();
      app = await boot();
    },
    async stop() {
      await app.stop();
      await slack.close();
      await bandwidth.close();
    },
  };
  return harness;
}

/** Polls until `check` returns a value (not undefined/false) or the time runs out. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`condition not met in ${timeoutMs} ms${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
