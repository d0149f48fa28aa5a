import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import {
  type InboundCallback,
  inboundCallbackSchema,
  type StatusCallback,
  statusCallbackSchema,
} from "../domain/messageEvents";
import { BODY_LIMIT, BodyTooLarge, readBody } from "../http/body";
import { requestIdOf } from "../http/router";
import type { Logger } from "../logger";
import type { EventIntake, IncomingEvent } from "../services/eventIntake";
import { dedupeKeyOf } from "../services/inbound";

export const WEBHOOK_PATHS = {
  inbound: "/webhooks/bandwidth/inbound",
  status: "/webhooks/bandwidth/status",
} as const;

/** Bandwidth's callbacks nest four levels deep; far deeper is not a callback, and would exhaust the stack. */
const MAX_NESTING = 32;

class TooDeep extends Error {}

/** Throws TooDeep when `value` nests arrays and objects more than `limit` levels (walked without recursion). */
function assertShallow(value: unknown, limit: number): void {
  const pending: [unknown, number][] = [[value, 0]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [node, depth] = next;
    if (!node || typeof node !== "object") continue;
    if (depth >= limit) throw new TooDeep();
    for (const child of Object.values(node)) pending.push([child, depth + 1]);
  }
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

/** Constant-time check of HTTP basic auth (comparing digests hides the secrets' lengths too). */
export function basicAuthMatches(header: string | undefined, username: string, password: string): boolean {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  const given = match?.[1] ? Buffer.from(match[1], "base64").toString("utf8") : "";
  const expected = `${username}:${password}`;
  return timingSafeEqual(digest(given), digest(expected));
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * PostgreSQL text and jsonb cannot hold U+0000 or half of a UTF-16 surrogate pair, so a text
 * containing one could never be stored and Bandwidth would retry the whole batch for a day. Each
 * becomes U+FFFD, visibly "something was here".
 */
function storable(value: unknown): unknown {
  if (typeof value === "string")
    return value.replaceAll("\u0000", "\uFFFD").replace(LONE_SURROGATE, "\uFFFD");
  if (Array.isArray(value)) return value.map(storable);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k) as string, storable(v)]));
  return value;
}

function reply(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/** Each element parsed on its own: a malformed one is logged and counted, its neighbours go on. */
function validate<T extends InboundCallback | StatusCallback>(
  elements: unknown[],
  schema: z.ZodType<T>,
  wanted: (callback: T) => boolean,
  log: Logger,
): { events: IncomingEvent[]; invalid: number; ignored: number } {
  const events: IncomingEvent[] = [];
  let invalid = 0;
  let ignored = 0;
  for (const [index, element] of elements.entries()) {
    const parsed = schema.safeParse(storable(element));
    if (!parsed.success) {
      invalid++;
      log.warn(
        { index, issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".")}: ${i.message}`) },
        "invalid callback element skipped",
      );
      continue;
    }
    if (!wanted(parsed.data)) {
      ignored++;
      continue;
    }
    events.push({ dedupeKey: dedupeKeyOf(parsed.data), type: parsed.data.type, payload: parsed.data });
  }
  return { events, invalid, ignored };
}

const NOT_READ = Symbol("not read");

/** The body as JSON, or NOT_READ once the request has been answered with why not. */
async function readJson(req: IncomingMessage, res: ServerResponse, log: Logger): Promise<unknown> {
  try {
    const payload: unknown = JSON.parse((await readBody(req, BODY_LIMIT)).toString("utf8"));
    assertShallow(payload, MAX_NESTING);
    return payload;
  } catch (error) {
    // The unread rest of the body is still on the socket: close it rather than reuse it.
    if (error instanceof BodyTooLarge) reply(res, 413, { error: "body too large" }, { connection: "close" });
    else if (error instanceof TooDeep) reply(res, 400, { error: "body nests too deeply" });
    else if (error instanceof SyntaxError) reply(res, 400, { error: "body is not JSON" });
    else {
      // The client went away mid-body (or the like): nobody is left to answer.
      log.debug({ err: error }, "webhook body not read");
      reply(res, 400, { error: "body could not be read" });
    }
    return NOT_READ;
  }
}

export interface WebhookOptions {
  username: string;
  password: string;
  intake: EventIntake;
  logger: Logger;
}

/**
 * Bandwidth's callbacks: verify, validate each element, store, acknowledge. A malformed element is
 * logged and skipped without costing its valid neighbours; a storage failure answers 500 so
 * Bandwidth retries (what was stored is deduplicated then).
 */
export function createWebhookHandler(options: WebhookOptions) {
  const { intake, logger } = options;

  return async function handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const log = logger.child({
      webhook: path,
      requestId: requestIdOf(req),
    });
    if (req.method !== "POST") return reply(res, 405, { error: "method not allowed" }, { allow: "POST" });
    if (!basicAuthMatches(req.headers.authorization, options.username, options.password)) {
      log.warn("webhook refused: bad credentials");
      return reply(
        res,
        401,
        { error: "unauthorized" },
        { "www-authenticate": 'Basic realm="bandwidth-webhooks"' },
      );
    }
    const payload = await readJson(req, res, log);
    if (payload === NOT_READ) return;
    const elements = Array.isArray(payload) ? payload : [payload];
    if (elements.length > 1000) return reply(res, 413, { error: "too many callbacks in one request" });
    const { events, invalid, ignored } =
      path === WEBHOOK_PATHS.inbound
        ? // Only contacts' messages are taken in here; anything else Bandwidth sends this URL is noted.
          validate<InboundCallback>(
            elements,
            inboundCallbackSchema,
            (c) => c.type === "message-received",
            log,
          )
        : validate<StatusCallback>(elements, statusCallbackSchema, () => true, log);
    try {
      const stored = await intake.store(events);
      const counts = { ...stored, ignored, invalid: invalid + stored.invalid };
      // Metrics count every request by status and every callback taken in; a line per request at
      // info cost about as much CPU as storing the callbacks.
      log.debug(counts, "webhook acknowledged");
      reply(res, 200, counts);
    } catch (error) {
      log.error({ err: error }, "webhook could not be stored; Bandwidth will retry");
      reply(res, 500, { error: "not stored, retry" });
    }
  };
}
