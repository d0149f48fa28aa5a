import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  estimateSegmentCount,
  listMessagesParameters,
  newMessageId,
  type PriorityEnum,
  requestBodyContentTypes,
  schemaErrors,
  validateSchema,
} from "./bandwidthSpec";

/**
 * Local stand-in for Bandwidth's Messaging API (https://messaging.bandwidth.com/api/v2). Every request
 * is checked against bandwidth.yml; anything the real API would reject is answered the way the spec
 * describes and recorded in `violations` so tests can assert the app never sends one.
 */

const BASE_PATH = "/api/v2";

export type FailureStatus = 400 | 401 | 403 | 429 | 500 | 503;

export type InjectedFailure =
  | { status: FailureStatus; retryAfterSeconds?: number; description?: string }
  | { hang: true }
  /** The text is taken (listed, recorded) but the connection drops before the answer: a send in doubt. */
  | { acceptThenDrop: true }
  /** The body is read and the connection dropped without taking the text: in doubt, yet never sent. */
  | { dropWithoutAccepting: true };

/** `messageRequest`, as accepted (i.e. already validated against the spec). */
export interface MessageRequestBody {
  applicationId: string;
  to: string[];
  from: string;
  text?: string;
  media?: string[];
  tag?: string;
  priority?: PriorityEnum;
  expiration?: string;
}

/** The 202 body: `#/components/schemas/message`. */
export interface MessageResponseBody extends MessageRequestBody {
  id: string;
  owner: string;
  time: string;
  segmentCount: number;
  direction: "out";
}

export interface RecordedMessage {
  id: string;
  accountId: string;
  body: MessageRequestBody;
  response: MessageResponseBody;
  receivedAt: Date;
}

export interface Violation {
  method: string;
  path: string;
  errors: string[];
  /** Parsed JSON when the body was JSON, the raw text otherwise, undefined when empty. */
  body: unknown;
}

/** Every request the fake saw, in order, including rejected and injected-failure ones. */
export interface RecordedRequest {
  method: string;
  path: string;
  /** null while the request is hung (see `failNext(n, { hang: true })`) or still in flight. */
  status: number | null;
  injected: boolean;
  body: unknown;
  receivedAt: Date;
}

export interface StoredMedia {
  bytes: Buffer;
  contentType: string;
}

export type FailureRule = (body: MessageRequestBody) => InjectedFailure | null;
/** The segment count Bandwidth reports for a text; null: the fake's own estimate. */
export type SegmentCountRule = (body: MessageRequestBody) => number | null;

export interface FakeBandwidthOptions {
  accountId: string;
  username: string;
  password: string;
  /** When set, createMessage rejects any other applicationId, like an unknown application would be. */
  applicationId?: string;
}

export interface FakeBandwidth {
  /** Use as BANDWIDTH_MESSAGING_URL / the SDK's basePath, e.g. http://127.0.0.1:PORT/api/v2 */
  readonly url: string;
  readonly accountId: string;
  /** Accepted createMessage requests (snapshot). */
  readonly messages: RecordedMessage[];
  /** Requests the real API would reject (snapshot). */
  readonly violations: Violation[];
  readonly requests: RecordedRequest[];
  /** Applies `failure` to the next n createMessage requests that pass validation. */
  failNext(n: number, failure: InjectedFailure): void;
  /** Consulted for every valid createMessage request not already consumed by `failNext`. */
  setFailure(rule: FailureRule | null): void;
  /**
   * Reports this segment count in the send's answer (and List Messages) instead of the fake's own
   * estimate: Bandwidth's count is its own, and may differ from what the app estimated.
   */
  setSegmentCount(rule: SegmentCountRule | null): void;
  /** Answers List Messages with this failure instead (null: answer normally). */
  setListFailure(failure: { status: FailureStatus } | null): void;
  /** Waits this long after taking a text before answering: the window in which a crash leaves it in doubt. */
  setAnswerDelay(ms: number): void;
  putMedia(mediaId: string, bytes: Uint8Array | string, contentType: string): void;
  getMedia(mediaId: string): StoredMedia | undefined;
  mediaUrl(mediaId: string): string;
  waitForMessages(n: number, timeoutMs?: number): Promise<RecordedMessage[]>;
  /** Clears messages, violations, requests and failure rules. Stored media is kept. */
  reset(): void;
  close(): Promise<void>;
}

const ERROR_TYPES: Record<number, string> = {
  400: "request-validation",
  401: "unauthorized",
  403: "forbidden",
  404: "not-found",
  405: "method-not-allowed",
  406: "not-acceptable",
  415: "unsupported-media-type",
  429: "too-many-requests",
  500: "internal-server-error",
  503: "service-unavailable",
};

const DEFAULT_DESCRIPTIONS: Record<number, string> = {
  400: "Your request could not be accepted.",
  401: "Authentication failed.",
  403: "Access is denied.",
  404: "The requested resource was not found.",
  405: "Method not allowed.",
  406: "Not acceptable.",
  415: "Unsupported media type.",
  429: "Too many requests.",
  500: "Internal server error.",
  503: "Service unavailable.",
};

interface FieldError {
  fieldName: string;
  description: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly errors: string[],
    readonly fieldErrors: FieldError[] = [],
  ) {
    super(errors.join("; "));
  }
}

const E164 = /^\+[1-9]\d{1,14}$/;
const ALPHANUMERIC_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 +_&-]{1,11}$/;

/**
 * Constraints stated in the spec's prose rather than its schema keywords (descriptions of `to`,
 * `from`, `tag`, `expiration`). The real API enforces them, so the fake does too.
 */
function describedConstraintErrors(body: MessageRequestBody): FieldError[] {
  const errors: FieldError[] = [];
  for (const to of body.to) {
    if (!E164.test(to)) {
      errors.push({
        fieldName: "to",
        description: `'${to}' must be replaced with a valid E164 formatted telephone number`,
      });
    }
  }
  if (!E164.test(body.from) && !ALPHANUMERIC_SENDER.test(body.from)) {
    errors.push({
      fieldName: "from",
      description: `'${body.from}' must be an E164 formatted telephone number or an alphanumeric sender ID`,
    });
  }
  if (body.to.length === 0)
    errors.push({ fieldName: "to", description: "at least one recipient is required" });
  if (body.tag !== undefined && body.tag.length > 1024) {
    errors.push({ fieldName: "tag", description: "must be 1024 characters or less" });
  }
  if (body.expiration !== undefined && Date.parse(body.expiration) <= Date.now()) {
    errors.push({ fieldName: "expiration", description: "must be a date-time in the future" });
  }
  return errors;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function bodyForRecord(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  const text = raw.toString("utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function mediaTypeOf(header: string | undefined): string | undefined {
  return header?.split(";")[0]?.trim().toLowerCase() || undefined;
}

function acceptsJson(accept: string | undefined): boolean {
  if (accept === undefined) return true;
  return accept
    .split(",")
    .map((part) => mediaTypeOf(part))
    .some((type) => type === "application/json" || type === "application/*" || type === "*/*");
}

type Route =
  | { kind: "messages"; accountId: string }
  | { kind: "media"; accountId: string; mediaId: string }
  | { kind: "unknown" };

function matchRoute(pathname: string): Route {
  if (!pathname.startsWith(`${BASE_PATH}/`)) return { kind: "unknown" };
  const rest = pathname.slice(BASE_PATH.length);
  try {
    const messages = /^\/users\/([^/]+)\/messages$/.exec(rest);
    if (messages?.[1]) return { kind: "messages", accountId: decodeURIComponent(messages[1]) };
    // The SDK percent-encodes mediaId (slashes become %2F) while media URLs in callbacks use raw slashes.
    const media = /^\/users\/([^/]+)\/media\/(.+)$/.exec(rest);
    if (media?.[1] && media[2]) {
      return {
        kind: "media",
        accountId: decodeURIComponent(media[1]),
        mediaId: decodeURIComponent(media[2]),
      };
    }
  } catch {
    // Malformed percent-encoding: no such resource.
  }
  return { kind: "unknown" };
}

function encodeMediaPath(mediaId: string): string {
  return mediaId.split("/").map(encodeURIComponent).join("/");
}

export async function startFakeBandwidth(opts: FakeBandwidthOptions): Promise<FakeBandwidth> {
  const uploadableTypes = new Set(requestBodyContentTypes("uploadMediaRequest"));
  const expectedAuth = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString("base64")}`;

  let messages: RecordedMessage[] = [];
  let violations: Violation[] = [];
  let requests: RecordedRequest[] = [];
  let queuedFailures: InjectedFailure[] = [];
  let failureRule: FailureRule | null = null;
  let segmentCountRule: SegmentCountRule | null = null;
  let listFailure: { status: FailureStatus } | null = null;
  let answerDelayMs = 0;
  const media = new Map<string, StoredMedia>();
  const waiters = new Set<{
    n: number;
    resolve: (m: RecordedMessage[]) => void;
    reject: (e: Error) => void;
  }>();
  let closed = false;

  const notifyWaiters = (): void => {
    for (const waiter of waiters) {
      if (messages.length >= waiter.n) {
        waiters.delete(waiter);
        waiter.resolve([...messages]);
      }
    }
  };

  /** Sends a JSON body after checking it against the schema the spec declares for that response. */
  const sendJson = (
    res: ServerResponse,
    record: RecordedRequest,
    status: number,
    schema: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): void => {
    const selfCheck = validateSchema(schema, body);
    if (selfCheck.length > 0) {
      violations.push({
        method: record.method,
        path: record.path,
        errors: selfCheck.map((e) => `fake produced a ${status} body that violates ${schema}: ${e}`),
        body,
      });
    }
    record.status = status;
    res.writeHead(status, { "Content-Type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };

  const sendError = (
    res: ServerResponse,
    record: RecordedRequest,
    status: number,
    description: string,
    fieldErrors: FieldError[] = [],
    headers: Record<string, string> = {},
  ): void => {
    const type = ERROR_TYPES[status] ?? "error";
    if (status === 400 && record.path.endsWith("/messages")) {
      const body = fieldErrors.length > 0 ? { type, description, fieldErrors } : { type, description };
      sendJson(res, record, status, "createMessageRequestError", body, headers);
    } else {
      sendJson(res, record, status, "messagingRequestError", { type, description }, headers);
    }
  };

  const reject = (res: ServerResponse, record: RecordedRequest, error: HttpError): void => {
    violations.push({ method: record.method, path: record.path, errors: error.errors, body: record.body });
    sendError(res, record, error.status, error.errors.join("; "), error.fieldErrors);
  };

  const applyFailure = (res: ServerResponse, record: RecordedRequest, failure: InjectedFailure): void => {
    record.injected = true;
    if ("hang" in failure) return;
    if ("acceptThenDrop" in failure || "dropWithoutAccepting" in failure) {
      res.socket?.destroy();
      return;
    }
    const headers: Record<string, string> =
      failure.status === 429 ? { "Retry-After": String(failure.retryAfterSeconds ?? 1) } : {};
    const description = failure.description ?? DEFAULT_DESCRIPTIONS[failure.status] ?? "Error";
    sendError(res, record, failure.status, description, [], headers);
  };

  const authorize = (req: IncomingMessage, accountId: string): void => {
    if (req.headers.authorization !== expectedAuth) {
      throw new HttpError(401, ["missing or invalid HTTP Basic credentials"]);
    }
    if (accountId !== opts.accountId) {
      throw new HttpError(403, [`credentials are not valid for account '${accountId}'`]);
    }
  };

  const createMessage = (req: IncomingMessage, res: ServerResponse, record: RecordedRequest, raw: Buffer) => {
    const contentType = mediaTypeOf(req.headers["content-type"]);
    if (contentType !== "application/json") {
      throw new HttpError(415, [`Content-Type must be application/json, got '${contentType ?? "(none)"}'`]);
    }
    if (!acceptsJson(req.headers.accept)) {
      throw new HttpError(406, [`Accept '${req.headers.accept}' does not allow application/json`]);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString("utf8"));
    } catch {
      throw new HttpError(400, ["request body is not valid JSON"]);
    }
    const schemaProblems = schemaErrors("messageRequest", parsed);
    if (schemaProblems.length > 0) {
      throw new HttpError(
        400,
        schemaProblems.map((p) => p.message),
        schemaProblems.map((p) => ({ fieldName: p.field ?? "", description: p.message })),
      );
    }
    // Validated against messageRequest just above.
    const body = parsed as MessageRequestBody;
    const fieldErrors = describedConstraintErrors(body);
    if (opts.applicationId !== undefined && body.applicationId !== opts.applicationId) {
      fieldErrors.push({
        fieldName: "applicationId",
        description: `'${body.applicationId}' is not an application of account ${opts.accountId}`,
      });
    }
    if (fieldErrors.length > 0) {
      throw new HttpError(
        400,
        fieldErrors.map((f) => `${f.fieldName}: ${f.description}`),
        fieldErrors,
      );
    }

    const failure = queuedFailures.shift() ?? failureRule?.(body) ?? null;
    if (failure && !("acceptThenDrop" in failure)) return applyFailure(res, record, failure);

    const isMms = (body.media?.length ?? 0) > 0 || body.to.length > 1;
    const response: MessageResponseBody = {
      id: newMessageId(),
      owner: body.from,
      applicationId: body.applicationId,
      time: new Date().toISOString(),
      segmentCount: segmentCountRule?.(body) ?? estimateSegmentCount(body.text ?? "", isMms),
      direction: "out",
      to: [...body.to],
      from: body.from,
      ...(body.text !== undefined && { text: body.text }),
      ...(body.media !== undefined && { media: [...body.media] }),
      ...(body.tag !== undefined && { tag: body.tag }),
      ...(body.priority !== undefined && { priority: body.priority }),
      ...(body.expiration !== undefined && { expiration: body.expiration }),
    };
    messages.push({
      id: response.id,
      accountId: opts.accountId,
      body,
      response,
      receivedAt: record.receivedAt,
    });
    notifyWaiters();
    if (failure) return applyFailure(res, record, failure);
    if (answerDelayMs > 0) setTimeout(() => sendJson(res, record, 202, "message", response), answerDelayMs);
    else sendJson(res, record, 202, "message", response);
  };

  /**
   * List Messages (GET /users/{accountId}/messages): one row per recipient of each text taken, as
   * Bandwidth lists a group text to each destination. Query parameters are checked against the
   * spec's; the filters the app can use are applied, the others are accepted and ignored.
   */
  const listMessages = (req: IncomingMessage, res: ServerResponse, record: RecordedRequest) => {
    const query = new URL(req.url ?? "/", "http://fake").searchParams;
    const known = listMessagesParameters();
    const problems: string[] = [];
    for (const [name, value] of query) {
      const schema = known.get(name);
      if (!schema) problems.push(`unknown query parameter '${name}'`);
      else if (schema.type === "integer" && !/^-?\d+$/.test(value))
        problems.push(`${name} must be an integer`);
      else if (schema.enum && !schema.enum.includes(value))
        problems.push(`${name} must be one of ${schema.enum.join(", ")}`);
    }
    for (const name of ["fromDateTime", "toDateTime"]) {
      const value = query.get(name);
      if (value !== null && Number.isNaN(Date.parse(value))) problems.push(`${name} must be ISO 8601`);
    }
    if (problems.length > 0) throw new HttpError(400, problems);
    if (listFailure) {
      record.injected = true;
      return sendError(res, record, listFailure.status, DEFAULT_DESCRIPTIONS[listFailure.status] ?? "Error");
    }
    const numbers = (name: string) => query.get(name)?.split(",").filter(Boolean) ?? null;
    const sources = numbers("sourceTn");
    const destinations = numbers("destinationTn");
    const from = query.get("fromDateTime") ? Date.parse(query.get("fromDateTime") ?? "") : -Infinity;
    const to = query.get("toDateTime") ? Date.parse(query.get("toDateTime") ?? "") : Infinity;
    const direction = query.get("messageDirection");
    const rows = messages.flatMap((m) =>
      m.body.to.map((destination) => ({
        messageId: m.id,
        accountId: m.accountId,
        sourceTn: m.body.from,
        destinationTn: destination,
        messageStatus: "SENT" as const,
        messageDirection: "OUTBOUND" as const,
        messageType:
          m.body.to.length > 1 || (m.body.media?.length ?? 0) > 0 ? ("mms" as const) : ("sms" as const),
        segmentCount: m.response.segmentCount,
        receiveTime: m.receivedAt.toISOString(),
        carrierName: null,
        messageLength: m.body.text?.length ?? 0,
        attachmentCount: m.body.media?.length ?? 0,
        recipientCount: m.body.to.length,
      })),
    );
    const matching = rows.filter(
      (r) =>
        (!sources || sources.includes(r.sourceTn)) &&
        (!destinations || destinations.includes(r.destinationTn)) &&
        (!direction || direction === r.messageDirection) &&
        (!query.get("messageId") || query.get("messageId") === r.messageId) &&
        Date.parse(r.receiveTime) >= from &&
        Date.parse(r.receiveTime) <= to,
    );
    const offset = Number(query.get("pageToken") ?? "0") || 0;
    const limit = Number(query.get("limit") ?? "100") || 100;
    const page = matching.slice(offset, offset + limit);
    const next = offset + limit < matching.length ? String(offset + limit) : undefined;
    sendJson(res, record, 200, "messagesList", {
      totalCount: matching.length,
      pageInfo: next ? { nextPageToken: next } : {},
      messages: page,
    });
  };

  const handleMedia = (
    req: IncomingMessage,
    res: ServerResponse,
    record: RecordedRequest,
    mediaId: string,
    raw: Buffer,
  ) => {
    switch (req.method) {
      case "GET": {
        const stored = media.get(mediaId);
        if (!stored) throw new HttpError(404, [`media '${mediaId}' does not exist`]);
        record.status = 200;
        res.writeHead(200, { "Content-Type": stored.contentType, "Content-Length": stored.bytes.length });
        res.end(stored.bytes);
        return;
      }
      case "PUT": {
        const contentType = mediaTypeOf(req.headers["content-type"]);
        if (contentType === undefined || !uploadableTypes.has(contentType)) {
          throw new HttpError(415, [
            `Content-Type '${contentType ?? "(none)"}' is not a supported media type`,
          ]);
        }
        media.set(mediaId, { bytes: raw, contentType: req.headers["content-type"] ?? contentType });
        record.status = 204;
        res.writeHead(204).end();
        return;
      }
      case "DELETE": {
        if (!media.delete(mediaId)) throw new HttpError(404, [`media '${mediaId}' does not exist`]);
        record.status = 204;
        res.writeHead(204).end();
        return;
      }
      default:
        throw new HttpError(405, [`${req.method} is not supported on media`]);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? "GET";
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    const raw = await readBody(req);
    const record: RecordedRequest = {
      method,
      path,
      status: null,
      injected: false,
      body: bodyForRecord(raw),
      receivedAt: new Date(),
    };
    requests.push(record);
    const route = matchRoute(path);
    try {
      if (route.kind === "unknown")
        throw new HttpError(404, [`no Messaging API operation matches ${method} ${path}`]);
      if (route.kind === "messages" && method !== "POST" && method !== "GET") {
        throw new HttpError(405, [`${method} ${path} is not supported`]);
      }
      authorize(req, route.accountId);
      if (route.kind === "messages" && method === "GET") listMessages(req, res, record);
      else if (route.kind === "messages") createMessage(req, res, record, raw);
      else handleMedia(req, res, record, route.mediaId, raw);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      reject(res, record, error);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      violations.push({
        method: req.method ?? "",
        path: req.url ?? "",
        errors: [`fake crashed: ${message}`],
        body: undefined,
      });
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ type: "internal-server-error", description: message }));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}${BASE_PATH}`;

  return {
    url,
    accountId: opts.accountId,
    get messages() {
      return [...messages];
    },
    get violations() {
      return [...violations];
    },
    get requests() {
      return [...requests];
    },
    failNext(n, failure) {
      if (!Number.isInteger(n) || n < 0)
        throw new Error(`failNext: n must be a non-negative integer, got ${n}`);
      for (let i = 0; i < n; i++) queuedFailures.push(failure);
    },
    setFailure(rule) {
      failureRule = rule;
    },
    setSegmentCount(rule) {
      segmentCountRule = rule;
    },
    setListFailure(failure) {
      listFailure = failure;
    },
    setAnswerDelay(ms) {
      answerDelayMs = ms;
    },
    putMedia(mediaId, bytes, contentType) {
      media.set(mediaId, {
        bytes: typeof bytes === "string" ? Buffer.from(bytes) : Buffer.from(bytes),
        contentType,
      });
    },
    getMedia(mediaId) {
      return media.get(mediaId);
    },
    mediaUrl(mediaId) {
      return `${url}/users/${encodeURIComponent(opts.accountId)}/media/${encodeMediaPath(mediaId)}`;
    },
    waitForMessages(n, timeoutMs = 10_000) {
      if (messages.length >= n) return Promise.resolve([...messages]);
      if (closed) return Promise.reject(new Error("waitForMessages: fake Bandwidth is closed"));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const recentViolations = violations
            .slice(-5)
            .map((v) => `\n  ${v.method} ${v.path}: ${v.errors.join("; ")}`)
            .join("");
          reject(
            new Error(
              `waitForMessages: expected at least ${n} accepted message(s) within ${timeoutMs}ms, got ` +
                `${messages.length} (${requests.length} request(s) seen, ${violations.length} violation(s))` +
                recentViolations,
            ),
          );
        }, timeoutMs);
        const waiter = {
          n,
          resolve: (m: RecordedMessage[]) => {
            clearTimeout(timer);
            resolve(m);
          },
          reject: (e: Error) => {
            clearTimeout(timer);
            reject(e);
          },
        };
        waiters.add(waiter);
      });
    },
    reset() {
      messages = [];
      violations = [];
      requests = [];
      queuedFailures = [];
      failureRule = null;
      segmentCountRule = null;
      listFailure = null;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const waiter of waiters) waiter.reject(new Error("waitForMessages: fake Bandwidth was closed"));
      waiters.clear();
      const done = new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
      // Hung requests and keep-alive sockets would otherwise hold close() open forever.
      server.closeAllConnections();
      await done;
    },
  };
}
