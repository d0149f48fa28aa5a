import { ConfigError, loadConfig } from "../../src/config";

const REQUIRED = [
  "SLACK_BOT_TOKEN",
  "SLACK_SIGNING_SECRET",
  "BANDWIDTH_ACCOUNT_ID",
  "BANDWIDTH_APPLICATION_ID",
  "BANDWIDTH_CALLBACK_USERNAME",
  "BANDWIDTH_CALLBACK_PASSWORD",
];
const API_CREDENTIALS = [
  "BANDWIDTH_CLIENT_ID",
  "BANDWIDTH_CLIENT_SECRET",
  "BANDWIDTH_USERNAME",
  "BANDWIDTH_PASSWORD",
];

const BASE: NodeJS.ProcessEnv = {
  SLACK_BOT_TOKEN: "xoxb-test-token",
  SLACK_SIGNING_SECRET: "signing-secret",
  BANDWIDTH_ACCOUNT_ID: "9900000",
  BANDWIDTH_APPLICATION_ID: "app-1234",
  BANDWIDTH_CALLBACK_USERNAME: "callbacks",
  BANDWIDTH_CALLBACK_PASSWORD: "callback-password",
};
const OAUTH: NodeJS.ProcessEnv = {
  BANDWIDTH_CLIENT_ID: "client-id",
  BANDWIDTH_CLIENT_SECRET: "client-secret",
};
const BASIC: NodeJS.ProcessEnv = { BANDWIDTH_USERNAME: "api-user", BANDWIDTH_PASSWORD: "api-password" };

const COMPLETE: NodeJS.ProcessEnv = {
  ...BASE,
  ...OAUTH,
  PORT: "8080",
  LOG_LEVEL: "warn",
  DATABASE_URL: "postgres://app:secret@db.internal:5432/replyall",
  BANDWIDTH_LINES: "+19195550100=Sales:group:C0123SALES,+19195550101=Front desk",
};

/** The ConfigError loadConfig throws for env; fails the test if it returns or throws anything else. */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  let thrown: unknown;
  try {
    loadConfig(env);
  } catch (error) {
    thrown = error;
  }
  if (!(thrown instanceof ConfigError)) {
    throw new Error(`expected a ConfigError, got ${thrown === undefined ? "a config" : String(thrown)}`);
  }
  return thrown;
}

/** The problems that name a variable, e.g. problemsAbout(error, "PORT"). */
function problemsAbout(error: ConfigError, name: string): string[] {
  return error.problems.filter((p) => new RegExp(`\\b${name}\\b`).test(p));
}

describe("loadConfig", () => {
  test("parses a complete environment", () => {
    const config = loadConfig(COMPLETE);
    expect(config).toMatchObject({
      PORT: 8080,
      LOG_LEVEL: "warn",
      DATABASE_URL: "postgres://app:secret@db.internal:5432/replyall",
      SLACK_BOT_TOKEN: "xoxb-test-token",
      SLACK_SIGNING_SECRET: "signing-secret",
      BANDWIDTH_ACCOUNT_ID: "9900000",
      BANDWIDTH_APPLICATION_ID: "app-1234",
      BANDWIDTH_CLIENT_ID: "client-id",
      BANDWIDTH_CLIENT_SECRET: "client-secret",
      BANDWIDTH_CALLBACK_USERNAME: "callbacks",
      BANDWIDTH_CALLBACK_PASSWORD: "callback-password",
    });
    expect(config.BANDWIDTH_LINES).toEqual([
      { number: "+19195550100", name: "Sales", groupEnabled: true, defaultChannel: "C0123SALES" },
      { number: "+19195550101", name: "Front desk", groupEnabled: false, defaultChannel: null },
    ]);
  });

  test("fills in defaults for what is optional", () => {
    const config = loadConfig({ ...BASE, ...OAUTH });
    expect(config).toMatchObject({
      PORT: 3000,
      LOG_LEVEL: "info",
      SLACK_COMMAND: "/grouptext",
      BANDWIDTH_MESSAGING_URL: "https://messaging.bandwidth.com/api/v2",
      BANDWIDTH_LINES: [],
    });
    expect(config.DATABASE_URL).toBeUndefined();
  });

  test("accepts postgresql:// as well as postgres:// database URLs", () => {
    const url = "postgresql://app@localhost/replyall";
    expect(loadConfig({ ...COMPLETE, DATABASE_URL: url }).DATABASE_URL).toBe(url);
  });

  test("accepts OAuth client credentials or an API username and password", () => {
    expect(loadConfig({ ...BASE, ...OAUTH })).toMatchObject({
      BANDWIDTH_CLIENT_ID: "client-id",
      BANDWIDTH_CLIENT_SECRET: "client-secret",
    });
    const basic = loadConfig({ ...BASE, ...BASIC });
    expect(basic).toMatchObject({ BANDWIDTH_USERNAME: "api-user", BANDWIDTH_PASSWORD: "api-password" });
    expect(basic.BANDWIDTH_CLIENT_ID).toBeUndefined();
  });

  test.each([
    ["no credentials at all", {}],
    ["a client id without its secret", { BANDWIDTH_CLIENT_ID: "client-id" }],
    ["a username without its password", { BANDWIDTH_USERNAME: "api-user" }],
    ["blank values", { BANDWIDTH_CLIENT_ID: "  ", BANDWIDTH_CLIENT_SECRET: "  " }],
  ])("without a complete pair of Bandwidth API credentials (%s) it names both choices", (_, credentials) => {
    const error = configError({ ...BASE, ...credentials });
    const message = error.message;
    for (const name of API_CREDENTIALS) expect(message).toContain(name);
    expect(error.problems).toHaveLength(1);
  });

  test("an empty environment throws one ConfigError naming every missing variable", () => {
    const error = configError({});
    expect(error.name).toBe("ConfigError");
    for (const name of REQUIRED) {
      expect({ name, problems: problemsAbout(error, name) }).toEqual({
        name,
        problems: [`${name} is required`],
      });
      expect(error.message).toContain(`${name} is required`);
    }
  });

  // KNOWN BUG in src/config.ts (reported, not fixed here): zod 4 skips an object's superRefine when
  // any field already failed, so with other variables missing the credentials check never runs and
  // the message does not mention them. Turn this into a plain `test` once loadConfig checks the
  // credential pairs outside the zod object (see the report for the fix).
  test("an empty environment also names the Bandwidth API credentials", () => {
    const error = configError({});
    for (const name of API_CREDENTIALS) expect(error.message).toContain(name);
  });

  test("a malformed PORT is named", () => {
    expect(problemsAbout(configError({ ...COMPLETE, PORT: "abc" }), "PORT")).toHaveLength(1);
    expect(problemsAbout(configError({ ...COMPLETE, PORT: "70000" }), "PORT")).toHaveLength(1);
  });

  // KNOWN BUG in src/config.ts: zod 4 issues carry no `input` unless asked for, so loadConfig's
  // `issue.input === undefined` test is always true and every type error reads "is required":
  // PORT=abc gives "PORT is required". Turn into a plain `test` once it looks at env[name] instead.
  test("a malformed PORT is not reported as missing", () => {
    expect(problemsAbout(configError({ ...COMPLETE, PORT: "abc" }), "PORT")).toEqual([
      expect.not.stringContaining("is required"),
    ]);
  });

  test("RETENTION_HOURS defaults to 72 and must outlive Bandwidth's 24 hours of retries twice over", () => {
    expect(loadConfig({ ...COMPLETE }).RETENTION_HOURS).toBe(72);
    expect(loadConfig({ ...COMPLETE, RETENTION_HOURS: "48" }).RETENTION_HOURS).toBe(48);
    for (const hours of ["24", "47", "2.5", "soon"]) {
      expect(
        problemsAbout(configError({ ...COMPLETE, RETENTION_HOURS: hours }), "RETENTION_HOURS"),
      ).toHaveLength(1);
    }
  });

  test("a DATABASE_URL that is not postgres:// is named", () => {
    for (const url of ["mysql://app@localhost/replyall", "not a url"]) {
      const error = configError({ ...COMPLETE, DATABASE_URL: url });
      expect({ url, problems: problemsAbout(error, "DATABASE_URL") }).toEqual({
        url,
        problems: [expect.any(String)],
      });
      expect(error.problems).toHaveLength(1);
    }
  });

  test.each([
    ["a number that is not E.164", "9195550100=Sales", "9195550100=Sales"],
    ["a missing name", "+19195550100", "+19195550100"],
    ["an empty name", "+19195550100=", "+19195550100="],
    ["an unknown flag", "+19195550100=Sales:loud", "loud"],
  ])("a malformed BANDWIDTH_LINES entry is named (%s)", (_, bad, quoted) => {
    const error = configError({ ...COMPLETE, BANDWIDTH_LINES: `+19195550101=Front desk,${bad}` });
    const problems = problemsAbout(error, "BANDWIDTH_LINES");
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`"${quoted}"`);
    expect(error.problems).toHaveLength(1);
  });

  test("every malformed value is reported at once", () => {
    const error = configError({
      ...COMPLETE,
      PORT: "abc",
      DATABASE_URL: "mysql://app@localhost/replyall",
      BANDWIDTH_LINES: "+19195550100=Sales,garbage",
      BANDWIDTH_CALLBACK_PASSWORD: "short",
    });
    for (const name of ["PORT", "DATABASE_URL", "BANDWIDTH_LINES", "BANDWIDTH_CALLBACK_PASSWORD"]) {
      expect({ name, problems: problemsAbout(error, name) }).toEqual({
        name,
        problems: [expect.any(String)],
      });
    }
    expect(error.problems).toHaveLength(4);
    expect(problemsAbout(error, "BANDWIDTH_CALLBACK_PASSWORD")).toEqual([
      "BANDWIDTH_CALLBACK_PASSWORD must be at least 8 characters",
    ]);
  });
});
