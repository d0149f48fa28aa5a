import pino from "pino";

export type Logger = pino.Logger;

/**
 * JSON lines on stdout. Secrets and message bodies are redacted at the source so no code path can
 * leak them by logging a whole object.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "reply-all" },
      redact: {
        paths: [
          "token",
          "*.token",
          "authorization",
          "*.authorization",
          "headers.authorization",
          "req.headers.authorization",
          "password",
          "*.password",
          "text",
          "*.text",
        ],
        censor: "[redacted]",
      },
    },
    destination,
  );
}
