import { z } from "zod";
import { MIN_CONNECTIONS } from "./db/budget";

/** A line declared in BANDWIDTH_LINES: `NUMBER=NAME[:group][:CHANNEL_ID]`. */
export interface LineSeed {
  number: string;
  name: string;
  groupEnabled: boolean;
  defaultChannel: string | null;
}

const e164 = /^\+[1-9]\d{6,14}$/;

function parseLines(raw: string, ctx: z.RefinementCtx): LineSeed[] {
  const seeds: LineSeed[] = [];
  for (const entry of raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = entry.indexOf("=");
    const number = (eq < 0 ? entry : entry.slice(0, eq)).trim();
    const [name = "", ...flags] = eq < 0 ? [] : entry.slice(eq + 1).split(":");
    if (!e164.test(number) || !name.trim()) {
      ctx.addIssue({
        code: "custom",
        message: `"${entry}" is not NUMBER=NAME[:group][:CHANNEL_ID] with an E.164 number`,
      });
      continue;
    }
    let groupEnabled = false;
    let defaultChannel: string | null = null;
    for (const flag of flags.map((f) => f.trim())) {
      if (flag.toLowerCase() === "group") groupEnabled = true;
      else if (/^[CGD][A-Z0-9]{2,}$/.test(flag)) defaultChannel = flag;
      else if (flag) ctx.addIssue({ code: "custom", message: `"${entry}": unknown flag "${flag}"` });
    }
    seeds.push({ number, name: name.trim(), groupEnabled, defaultChannel });
  }
  return seeds;
}

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));

const schema = z.object({
  NODE_ENV: optionalString,
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  DATABASE_URL: optionalString.pipe(
    z.url({ protocol: /^postgres(ql)?$/, error: "must be a postgres:// or postgresql:// URL" }).optional(),
  ),
  DATA_DIR: z.string().default("./data"),
  /**
   * What this process does: `all` (one process does everything), `web` (takes Slack's and
   * Bandwidth's requests in and stores them) or `worker` (processes what was stored). `npm start --
   * --role=web` sets it too.
   */
  ROLE: z.enum(["all", "web", "worker"]).default("all"),
  /** Every PostgreSQL connection this process may open, split between its pools (src/db/budget.ts). */
  DATABASE_CONNECTIONS: z.coerce.number().int().min(MIN_CONNECTIONS).default(28),
  SLACK_BOT_TOKEN: z.string().min(1, "is required"),
  SLACK_SIGNING_SECRET: z.string().min(1, "is required"),
  SLACK_APP_TOKEN: optionalString,
  SLACK_API_URL: optionalString.pipe(z.url().optional()),
  SLACK_DEFAULT_CHANNEL: optionalString,
  SLACK_COMMAND: z.string().default("/grouptext"),
  /** The app's public base URL (https://host); lets the Home tab show the usage chart it serves. */
  PUBLIC_URL: optionalString.pipe(
    z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).optional(),
  ),
  BANDWIDTH_ACCOUNT_ID: z.string().min(1, "is required"),
  BANDWIDTH_APPLICATION_ID: z.string().min(1, "is required"),
  BANDWIDTH_CLIENT_ID: optionalString,
  BANDWIDTH_CLIENT_SECRET: optionalString,
  BANDWIDTH_USERNAME: optionalString,
  BANDWIDTH_PASSWORD: optionalString,
  BANDWIDTH_MESSAGING_URL: z.url().default("https://messaging.bandwidth.com/api/v2"),
  BANDWIDTH_CALLBACK_USERNAME: z.string().min(1, "is required"),
  BANDWIDTH_CALLBACK_PASSWORD: z.string().min(8, "must be at least 8 characters"),
  BANDWIDTH_LINES: z.string().default("").transform(parseLines),
  BANDWIDTH_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /**
   * How long a text whose send is in doubt (crash, timeout) is looked for in Bandwidth's evidence
   * (status callbacks, List Messages) before the thread asks a teammate to decide.
   */
  SEND_CONFIRM_WAIT_MS: z.coerce.number().int().positive().default(60_000),
  /** How often the outbox sweeper re-queues work a crash may have left behind. */
  SWEEP_INTERVAL_MS: z.coerce.number().int().positive().default(15_000),
  /** Seconds before the first retry of a failed job; doubles each time. */
  JOB_RETRY_DELAY_SECONDS: z.coerce.number().int().min(0).default(5),
  JOB_RETRY_LIMIT: z.coerce.number().int().min(0).default(8),
  /**
   * Hours after which taken-in Bandwidth callbacks and finished jobs are deleted. A callback's row
   * is its dedupe key: Bandwidth retries for 24 hours, so the rows must outlive that with a margin.
   */
  RETENTION_HOURS: z.coerce
    .number()
    .int()
    .min(
      48,
      "must be at least 48: Bandwidth retries callbacks for 24 hours and their dedupe keys must outlive that",
    )
    .default(72),
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Parses the whole environment at once so one message names every missing or invalid variable. */
export function loadConfig(raw: NodeJS.ProcessEnv = process.env): Config {
  // An empty value (`PORT=` in a .env file) means "not set", so defaults apply.
  const env = Object.fromEntries(
    Object.entries(raw).filter(([, value]) => value !== undefined && value.trim() !== ""),
  );
  const result = schema.safeParse(env);
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => {
        const name = issue.path.length ? String(issue.path[0]) : "environment";
        const missing = issue.code === "invalid_type" && env[name] === undefined;
        return `${name} ${missing ? "is required" : issue.message}`;
      });
  // Checked here rather than in a zod refinement: zod skips refinements once any field has failed.
  const oauth = env.BANDWIDTH_CLIENT_ID && env.BANDWIDTH_CLIENT_SECRET;
  const basic = env.BANDWIDTH_USERNAME && env.BANDWIDTH_PASSWORD;
  if (!oauth && !basic) {
    problems.push(
      "Bandwidth API credentials are required: set BANDWIDTH_CLIENT_ID and BANDWIDTH_CLIENT_SECRET, or BANDWIDTH_USERNAME and BANDWIDTH_PASSWORD",
    );
  }
  if (!result.success || problems.length) throw new ConfigError(problems);
  return result.data;
}

/**
 * The variables that connect the app to a real Slack workspace or Bandwidth account. With none of
 * them set, a fresh clone runs as the sandbox; with any of them set, it never does.
 */
export const CREDENTIAL_VARIABLES = [
  "SLACK_BOT_TOKEN",
  "SLACK_SIGNING_SECRET",
  "SLACK_APP_TOKEN",
  "BANDWIDTH_ACCOUNT_ID",
  "BANDWIDTH_APPLICATION_ID",
  "BANDWIDTH_CLIENT_ID",
  "BANDWIDTH_CLIENT_SECRET",
  "BANDWIDTH_USERNAME",
  "BANDWIDTH_PASSWORD",
  "BANDWIDTH_CALLBACK_USERNAME",
  "BANDWIDTH_CALLBACK_PASSWORD",
] as const;

export type RunMode = "configured" | "sandbox";

/**
 * Whether to run against real Slack and Bandwidth ("configured", which then needs a full valid
 * configuration) or as the sandbox. The sandbox runs only when no credential is set: a deployment
 * with half its credentials stops with the configuration's message instead of quietly becoming a
 * sandbox. SANDBOX=1 asks for it (also with NODE_ENV=production), SANDBOX=0 forbids it.
 */
export function runMode(raw: NodeJS.ProcessEnv = process.env): RunMode {
  const value = (name: string) => raw[name]?.trim() || undefined;
  const sandbox = value("SANDBOX");
  if (sandbox !== undefined && !["0", "1", "true", "false"].includes(sandbox.toLowerCase())) {
    throw new ConfigError(["SANDBOX must be 1 (run the sandbox) or 0 (never run it)"]);
  }
  const forced = sandbox === "1" || sandbox?.toLowerCase() === "true";
  const forbidden = sandbox === "0" || sandbox?.toLowerCase() === "false";
  const credentials = CREDENTIAL_VARIABLES.filter((name) => value(name) !== undefined);
  if (credentials.length > 0) {
    if (forced) {
      throw new ConfigError([
        `SANDBOX=1 cannot run while Slack or Bandwidth credentials are set (${credentials.join(", ")}): unset them to try the sandbox, or unset SANDBOX`,
      ]);
    }
    return "configured";
  }
  if (forced) return "sandbox";
  if (forbidden || value("NODE_ENV") === "production") return "configured";
  return "sandbox";
}
