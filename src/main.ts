import { startApplication } from "./app";
import { ConfigError, loadConfig, runMode } from "./config";
import { EmbeddedPostgresError } from "./db/embedded";
import { createLogger, type Logger } from "./logger";
import { startSandbox } from "./sandbox/sandbox";

const LOG_LEVELS = new Set(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);

/** `--role=web` (or `--role web`) on the command line; it wins over ROLE in the environment. */
function roleArgument(argv: string[]): string | undefined {
  const index = argv.findIndex((arg) => arg === "--role" || arg.startsWith("--role="));
  if (index < 0) return undefined;
  const arg = argv[index] ?? "";
  return arg.includes("=") ? arg.slice("--role=".length) : (argv[index + 1] ?? "");
}

/** What escapes every handler is logged, never printed with the objects it carries. */
function guardProcess(logger: Logger): void {
  // pg-boss does not await some of its own bookkeeping queries (marking a job done or failed);
  // while the database is down those reject unhandled. The job then expires and is retried, so
  // the right response is to log, not to crash.
  process.on("unhandledRejection", (reason) => logger.error({ err: reason }, "unhandled rejection"));
  // Request errors are answered and logged by the HTTP front; anything that still escapes has left
  // the process in a state nobody can vouch for. It is logged without the objects it carries
  // (Node's own crash dump would print them, request headers included) and the process exits for
  // its supervisor to restart it; the work it acknowledged is stored and taken up again.
  process.on("uncaughtException", (error) => {
    logger.fatal({ err: error }, "uncaught exception; exiting");
    process.exit(1);
  });
}

/** Stops the app on SIGTERM/SIGINT; a second signal exits at once. */
function stopOnSignals(app: { stop(): Promise<void> }, logger: Logger): void {
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, "shutting down");
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

/** No Slack or Bandwidth credentials: the app runs between local stand-ins, driven from one page. */
async function sandbox(): Promise<void> {
  const level = process.env.LOG_LEVEL?.trim() || "warn";
  if (!LOG_LEVELS.has(level))
    throw new ConfigError([`LOG_LEVEL must be one of ${[...LOG_LEVELS].join(", ")}`]);
  const logger = createLogger(level);
  guardProcess(logger);
  const running = await startSandbox(process.env, logger);
  stopOnSignals(running, logger);
  process.stdout.write(`Sandbox running (no Slack or Bandwidth account needed): open ${running.url}\n`);
}

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    if (runMode() === "sandbox") {
      await sandbox();
      return;
    }
    const role = roleArgument(process.argv.slice(2));
    config = loadConfig(role === undefined ? process.env : { ...process.env, ROLE: role });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee .env.example and the README.\n`);
      process.exit(78);
    }
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL);
  guardProcess(logger);
  const app = await startApplication(config, logger);
  stopOnSignals(app, logger);
}

main().catch((error: unknown) => {
  // Its message is the one sentence that names the fix; a stack would only bury it.
  if (error instanceof EmbeddedPostgresError) {
    process.stderr.write(`Failed to start: ${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(
    `Failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
