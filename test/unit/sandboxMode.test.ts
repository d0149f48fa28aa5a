import { ConfigError, CREDENTIAL_VARIABLES, loadConfig, runMode } from "../../src/config";
import { createLogger } from "../../src/logger";
import { startSandbox } from "../../src/sandbox/sandbox";

/** A full production configuration: real-looking Slack and Bandwidth credentials. */
const production: Record<string, string> = {
  NODE_ENV: "production",
  SLACK_BOT_TOKEN: "xoxb-1234-5678-abcdef",
  SLACK_SIGNING_SECRET: "8f742231b10e8888abcd99yyyzzz85a5",
  BANDWIDTH_ACCOUNT_ID: "9900000",
  BANDWIDTH_APPLICATION_ID: "93de2206-9669-4e07-948d-329f4b722ee2",
  BANDWIDTH_USERNAME: "api-user",
  BANDWIDTH_PASSWORD: "api-password",
  BANDWIDTH_CALLBACK_USERNAME: "callbacks",
  BANDWIDTH_CALLBACK_PASSWORD: "callback-password",
};

describe("choosing between the sandbox and a configured deployment", () => {
  it("runs the sandbox when no Slack or Bandwidth credential is set", () => {
    expect(runMode({})).toBe("sandbox");
    expect(runMode({ PORT: "4000", LOG_LEVEL: "debug", DATABASE_URL: "postgres://x@db/app" })).toBe(
      "sandbox",
    );
    // An empty value, as a copied .env.example holds, is not a credential.
    expect(runMode({ SLACK_BOT_TOKEN: "", BANDWIDTH_PASSWORD: "  " })).toBe("sandbox");
  });

  it("never runs the sandbox in production unless asked, and SANDBOX=0 forbids it", () => {
    expect(runMode({ NODE_ENV: "production" })).toBe("configured");
    expect(runMode({ SANDBOX: "0" })).toBe("configured");
    expect(runMode({ NODE_ENV: "production", SANDBOX: "1" })).toBe("sandbox");
    expect(() => runMode({ SANDBOX: "yes please" })).toThrow(ConfigError);
  });

  it.each(CREDENTIAL_VARIABLES.map((name) => [name]))(
    "with only %s set, stops with the configuration's message instead of running the sandbox",
    (name) => {
      const env = { [name]: name === "BANDWIDTH_CALLBACK_PASSWORD" ? "long-enough-secret" : "set" };
      expect(runMode(env)).toBe("configured");
      expect(() => loadConfig(env)).toThrow(/Invalid configuration/);
    },
  );

  it("cannot reach the sandbox with production credentials set, even when SANDBOX=1 asks for it", async () => {
    expect(loadConfig(production).SLACK_BOT_TOKEN).toBe(production.SLACK_BOT_TOKEN);
    expect(runMode(production)).toBe("configured");
    expect(runMode({ ...production, NODE_ENV: "development" })).toBe("configured");
    expect(() => runMode({ ...production, SANDBOX: "1" })).toThrow(
      /SANDBOX=1 cannot run while Slack or Bandwidth credentials are set/,
    );
    // The sandbox itself refuses too, before it starts anything, whoever calls it.
    const logger = createLogger("silent");
    await expect(startSandbox({ ...production, SANDBOX: "1" }, logger)).rejects.toThrow();
    await expect(startSandbox({ ...production, NODE_ENV: "development" }, logger)).rejects.toThrow(
      /only when no Slack or Bandwidth credential is set/,
    );
    await expect(startSandbox({ SLACK_SIGNING_SECRET: "one is enough" }, logger)).rejects.toThrow(
      /only when no Slack or Bandwidth credential is set/,
    );
  });
});
