import pino from "pino";

export type Logger = pino.Logger;

/** How many `cause`s deep an error is described. */
const MAX_CAUSES = 3;

/**
 * An error as the logs may hold it: its kind, message, stack and status codes, never its other
 * properties. pino's default serializer copies every property, and libraries hang the request
 * (headers, Basic credentials, bodies) on their errors: Bolt's deferred-request error, axios errors.
 */
export function loggableError(value: unknown, depth = 0): unknown {
  if (!(value instanceof Error)) {
    if (typeof value === "string") return { message: value.slice(0, 1000) };
    return { type: typeof value };
  }
  const fields = value as Error & Record<string, unknown>;
  const described: Record<string, unknown> = {
    type: value.constructor?.name ?? value.name,
    message: value.message.slice(0, 1000),
    stack: value.stack,
  };
  for (const key of ["code", "status", "statusCode", "errno"] as const) {
    const field = fields[key];
    if (typeof field === "string" || typeof field === "number") described[key] = field;
  }
  // Slack's platform errors carry their reason ("channel_not_found") in data.error.
  const data = fields.data;
  if (data && typeof data === "object" && "error" in data && typeof data.error === "string")
    described.slackError = data.error;
  if (value.cause !== undefined && depth < MAX_CAUSES)
    described.cause = loggableError(value.cause, depth + 1);
  return described;
}

/**
 * JSON lines on stdout. Secrets and message bodies are redacted at the source so no code path can
 * leak them by logging a whole object.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "reply-all" },
      serializers: { err: (error: unknown) => loggableError(error) },
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
