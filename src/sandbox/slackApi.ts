/**
 * An in-process stand-in for the Slack Web API, so the real `@slack/web-api` WebClient (and Bolt's App,
 * which wraps it) can run unmodified in tests: `new WebClient(token, { slackApiUrl: fake.apiUrl })`.
 *
 * How WebClient 8 talks to Slack (read from node_modules/@slack/web-api/dist/WebClient.js), which shapes
 * what this server parses:
 *  - every method is `POST {slackApiUrl}{method}`, body `application/x-www-form-urlencoded`; arguments
 *    that are not string/number/boolean (blocks, view, files, metadata...) are JSON-stringified first, so
 *    numbers and booleans arrive as strings ("123", "true");
 *  - arguments containing a Buffer switch the whole body to multipart/form-data;
 *  - the token travels as `Authorization: Bearer`, and a per-call `token` option is sent in the body too;
 *  - `filesUploadV2` uploads the bytes to `upload_url` as multipart/form-data with a single file part named
 *    `body` (filename "Untitled"), and only treats HTTP 200 as success;
 *  - HTTP 429 with a numeric `Retry-After` pauses the client's queue for that many seconds and then retries
 *    through p-retry (whose own backoff adds roughly another 1-2 s); other non-200 statuses are retried by
 *    p-retry with the default policy (10 retries, exponential from ~1 s).
 */
import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const BOT_USER_ID = "UBOT";
export const BOT_ID = "BBOT";
export const TEAM_ID = "T1";
export const TEAM_DOMAIN = "example";
export const APP_ID = "A0REPLYALL";
/** Pseudo method name under which POSTs to a `files.getUploadURLExternal` upload_url are recorded. */
export const UPLOAD_CALL = "upload";

export interface FakeUser {
  name?: string;
  real_name?: string;
  is_admin?: boolean;
  is_owner?: boolean;
  is_bot?: boolean;
  deleted?: boolean;
  tz?: string;
}

export interface FakeChannel {
  name?: string;
  is_private?: boolean;
  is_member?: boolean;
  is_archived?: boolean;
  /** Who conversations.members lists (no one when unset). */
  members?: string[];
}

export interface FakeSlackOptions {
  users?: Record<string, FakeUser>;
  /** Channels known to conversations.info; any other plausible id (C.../G...) is synthesized. */
  channels?: Record<string, FakeChannel>;
  /** Keep only the latest N recorded calls (the sandbox runs for hours); all of them by default. */
  keepCalls?: number;
}

export interface RecordedCall {
  method: string;
  /** Decoded arguments: form fields holding JSON (blocks, view, files...) are parsed; `token` is moved out. */
  args: Record<string, unknown>;
  token?: string;
  at: number;
  /** Set when the fake answered `{ ok: false, error }` from its own Slack-like validation. */
  error?: string;
}

export interface RejectedCall extends RecordedCall {
  status: number;
  error: string;
  /** injected = failNext; rate_limited = rateLimitPerChannel; not_authed = missing bearer token. */
  reason: "injected" | "rate_limited" | "not_authed";
}

export type SlackFailure =
  | { status: 429; retryAfterSeconds: number }
  | { status: 500 | 503 }
  | { error: string }
  /** The method runs (a post is made) but the connection drops before the answer: an outcome in doubt. */
  | { dropAfterHandling: true };

export interface RegisteredFile {
  id: string;
  name: string;
  mimetype: string;
  bytes: Buffer | Uint8Array | string;
  /** Answer downloads with a 302 to this URL instead of the bytes. */
  redirectTo?: string;
  /** Send the bytes without a Content-Length (chunked), as a server that does not say the size. */
  unannouncedLength?: boolean;
}

/** A file object as it appears in a message event's `files` array. */
export interface SlackFileObject {
  id: string;
  created: number;
  timestamp: number;
  name: string;
  title: string;
  mimetype: string;
  filetype: string;
  pretty_type: string;
  user: string;
  user_team: string;
  editable: boolean;
  size: number;
  mode: "hosted";
  is_external: boolean;
  external_type: string;
  is_public: boolean;
  public_url_shared: boolean;
  display_as_bot: boolean;
  username: string;
  url_private: string;
  url_private_download: string;
  permalink: string;
  permalink_public: string;
  has_rich_preview: boolean;
  file_access: "visible";
}

export interface FileDownload {
  path: string;
  fileId?: string;
  token?: string;
  status: number;
  at: number;
}

export interface ResponseUrlPost {
  id: string;
  body: unknown;
  at: number;
}

/** A message this fake holds, in the shape chat.postMessage returns it under `message`. */
export type StoredMessage = Record<string, unknown> & { ts: string; channel: string };

/** Custom handler: return the response body (`ok: true` is added unless present) or throw SlackApiError. */
export type MethodHandler = (args: Record<string, unknown>, call: RecordedCall) => Record<string, unknown>;

export interface FakeSlack {
  /** e.g. http://127.0.0.1:PORT */
  readonly baseUrl: string;
  /** e.g. http://127.0.0.1:PORT/api/ — pass as WebClient's `slackApiUrl`. */
  readonly apiUrl: string;
  readonly port: number;
  /** Every request that reached a method (successes and Slack-style `ok:false` answers), in arrival order. */
  readonly calls: readonly RecordedCall[];
  /** Attempts turned away before reaching the method: injected faults, rate limits, missing token. */
  readonly rejected: readonly RejectedCall[];
  /** Bytes received on upload URLs, by file_id. */
  readonly uploadedFiles: ReadonlyMap<string, Buffer>;
  /** GETs of registered files (url_private / url_private_download). */
  readonly downloads: readonly FileDownload[];
  /** JSON posted to URLs from responseUrl() (Bolt's `respond()`). */
  readonly responses: readonly ResponseUrlPost[];
  callsTo(method: string): RecordedCall[];
  /**
   * Fail the next n requests to `method` ('*' = any API method; the upload URL is only matched by UPLOAD_CALL).
   * Rules queue up in order; a failed attempt lands in `rejected`, not `calls`.
   */
  failNext(method: string, n: number, failure: SlackFailure): void;
  /** Allow at most N chat.postMessage per channel in any 1 s window, answering 429 + Retry-After beyond; null = off. */
  rateLimitPerChannel(postsPerSecond: number | null): void;
  /** Waits this long after making a post before answering: the window in which a crash leaves it in doubt. */
  setPostAnswerDelay(ms: number): void;
  /**
   * Slack completes an upload asynchronously: for `ms` after files.completeUploadExternal the file
   * has no type yet (files.info: empty mimetype) and an image block naming it is refused.
   */
  setFileProcessing(ms: number): void;
  /** Answers `method` only after `ms` (0: at once again): a slow Slack, for callers with a deadline. */
  delayAnswers(method: string, ms: number): void;
  waitFor(
    predicate: (calls: readonly RecordedCall[]) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedCall[]>;
  waitForCalls(method: string, n: number, timeoutMs?: number): Promise<RecordedCall[]>;
  /** Override or add a method. */
  handle(method: string, handler: MethodHandler): void;
  addUser(id: string, user: FakeUser): void;
  addChannel(id: string, channel: FakeChannel): void;
  /**
   * Make a message exist as if posted before the test, so chat.update/chat.delete can find it. `user` defaults
   * to the bot; pass someone else's id and chat.update answers cant_update_message, as Slack does.
   */
  seedMessage(message: {
    channel: string;
    ts: string;
    text?: string;
    user?: string;
    thread_ts?: string;
  }): void;
  messagesIn(channel: string): StoredMessage[];
  /** Posts a message as a person (not the app), as Slack stores one typed in its client; returns it with its ts. */
  postAsUser(input: {
    channel: string;
    user: string;
    text: string;
    threadTs?: string;
    files?: unknown[];
  }): StoredMessage;
  /** The reaction names on one message, in the order they were added. */
  reactionsOn(channel: string, ts: string): string[];
  /** Ephemeral messages posted in a channel (only their addressee sees them in Slack). */
  ephemeralsIn(channel: string): StoredMessage[];
  /** A view as last opened, pushed, updated or published. */
  viewById(id: string): Record<string, unknown> | undefined;
  /** The modal a views.open or views.push with this trigger_id opened. */
  viewOpenedBy(triggerId: string): Record<string, unknown> | undefined;
  /**
   * Shows a view an app answered with (response_action update or push), as Slack does: `id` keeps
   * the modal's id (update), none makes a new one (push).
   */
  showView(view: unknown, id?: string): Record<string, unknown>;
  /** The Home tab last published for a user. */
  homeViewOf(userId: string): Record<string, unknown> | undefined;
  /** The bytes of an uploaded or registered file, for showing it. */
  fileContent(id: string): { bytes: Buffer; mimetype: string; name: string } | undefined;
  fileUrl(path: string): string;
  registerFile(file: RegisteredFile): SlackFileObject;
  responseUrl(id?: string): string;
  /** Forget recorded calls, fault injection and Slack state (messages, views, uploads); keeps users, channels, registered files. */
  reset(): void;
  close(): Promise<void>;
}

/** Thrown by handlers to answer `{ ok: false, error, ...extra }`. */
export class SlackApiError extends Error {
  constructor(
    readonly code: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(code);
  }
}

// Fields Slack documents as JSON-encoded when sent form-encoded. Other fields are decoded only if they
// look like JSON objects/arrays and are not free text (a message text of "[1,2]" must stay a string).
const JSON_FIELDS = new Set([
  "blocks",
  "attachments",
  "view",
  "metadata",
  "files",
  "file_uploads",
  "user_auth_blocks",
  "unfurls",
  "options",
  "option_groups",
  "profile",
  "chunks",
]);
const TEXT_FIELDS = new Set([
  "text",
  "markdown_text",
  "initial_comment",
  "title",
  "alt_text",
  "name",
  "content",
]);

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function str(args: Json, key: string): string | undefined {
  const v = args[key];
  return typeof v === "string" && v !== "" ? v : undefined;
}

function requireStr(args: Json, key: string, error = "invalid_arguments"): string {
  const v = str(args, key);
  if (v === undefined)
    throw new SlackApiError(error, {
      response_metadata: { messages: [`[ERROR] missing required field: ${key}`] },
    });
  return v;
}

function decodeField(key: string, value: string): unknown {
  const trimmed = value.trimStart();
  const looksJson = trimmed.startsWith("{") || trimmed.startsWith("[");
  if (!looksJson || (TEXT_FIELDS.has(key) && !JSON_FIELDS.has(key))) return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

interface ParsedMultipart {
  fields: Json;
  files: Array<{ field: string; filename: string; bytes: Buffer }>;
}

async function parseMultipart(raw: Buffer, contentType: string): Promise<ParsedMultipart> {
  // undici (Node's fetch) already implements a spec-compliant multipart parser; reuse it via Response.
  const form = await new Response(raw, { headers: { "content-type": contentType } }).formData();
  const out: ParsedMultipart = { fields: {}, files: [] };
  for (const [field, value] of form.entries()) {
    if (typeof value === "string") out.fields[field] = decodeField(field, value);
    else {
      const bytes = Buffer.from(await value.arrayBuffer());
      out.files.push({ field, filename: value.name, bytes });
      out.fields[field] = bytes;
    }
  }
  return out;
}

async function parseArgs(req: IncomingMessage, url: URL): Promise<Json> {
  const args: Json = {};
  for (const [k, v] of url.searchParams) args[k] = decodeField(k, v);
  if (req.method !== "POST") return args;
  const raw = await readBody(req);
  const contentType = req.headers["content-type"] ?? "";
  if (raw.length === 0) return args;
  if (contentType.startsWith("application/json")) {
    const parsed: unknown = JSON.parse(raw.toString("utf8"));
    if (isRecord(parsed)) Object.assign(args, parsed);
  } else if (contentType.startsWith("multipart/form-data")) {
    Object.assign(args, (await parseMultipart(raw, contentType)).fields);
  } else {
    for (const [k, v] of new URLSearchParams(raw.toString("utf8"))) args[k] = decodeField(k, v);
  }
  return args;
}

function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  const m = typeof h === "string" ? /^Bearer\s+(\S+)$/i.exec(h) : null;
  return m?.[1];
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers });
  res.end(text);
}

function filetypeOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot >= 0 ? name.slice(dot + 1).toLowerCase() : "binary";
}

// Limits Slack enforces that apps commonly trip over; checked so tests fail the way production would.
const MAX_MESSAGE_BLOCKS = 50;
const MAX_VIEW_BLOCKS = 100;
const MAX_SECTION_TEXT = 3000;
const MAX_VIEW_TITLE = 24;
const MAX_PRIVATE_METADATA = 3000;

function validateBlocks(blocks: unknown, max: number, where: string): string | undefined {
  if (blocks === undefined) return undefined;
  if (!Array.isArray(blocks)) return `${where} must be an array`;
  if (blocks.length > max) return `${where} must have no more than ${max} items`;
  const ids = new Set<string>();
  for (const [i, block] of blocks.entries()) {
    if (!isRecord(block) || typeof block.type !== "string") return `${where}/${i} must have a string type`;
    if (typeof block.block_id === "string") {
      if (ids.has(block.block_id)) return `${where}/${i} has a duplicate block_id ${block.block_id}`;
      ids.add(block.block_id);
    }
    const text = block.text;
    if (
      block.type === "section" &&
      isRecord(text) &&
      typeof text.text === "string" &&
      text.text.length > MAX_SECTION_TEXT
    ) {
      return `${where}/${i}/text/text must be at most ${MAX_SECTION_TEXT} characters`;
    }
  }
  return undefined;
}

function validateView(view: unknown): Json {
  if (!isRecord(view))
    throw new SlackApiError("invalid_arguments", {
      response_metadata: { messages: ["[ERROR] missing view"] },
    });
  const problems: string[] = [];
  if (view.type !== "modal" && view.type !== "home") problems.push("view/type must be modal or home");
  const title = view.title;
  if (view.type === "modal") {
    if (!isRecord(title) || typeof title.text !== "string")
      problems.push("view/title is required for modals");
    else if (title.text.length > MAX_VIEW_TITLE)
      problems.push(`view/title/text must be at most ${MAX_VIEW_TITLE} characters`);
    for (const key of ["submit", "close"]) {
      const b = view[key];
      if (isRecord(b) && typeof b.text === "string" && b.text.length > MAX_VIEW_TITLE) {
        problems.push(`view/${key}/text must be at most ${MAX_VIEW_TITLE} characters`);
      }
    }
  }
  if (typeof view.private_metadata === "string" && view.private_metadata.length > MAX_PRIVATE_METADATA) {
    problems.push(`view/private_metadata must be at most ${MAX_PRIVATE_METADATA} characters`);
  }
  const blockProblem = validateBlocks(view.blocks ?? [], MAX_VIEW_BLOCKS, "view/blocks");
  if (blockProblem) problems.push(blockProblem);
  if (problems.length > 0) {
    throw new SlackApiError("invalid_arguments", {
      response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) },
    });
  }
  return view;
}

interface FileRecord {
  id: string;
  filename: string;
  title: string;
  length: number;
  bytes?: Buffer;
  mimetype: string;
  channel_id?: string;
  thread_ts?: string;
  initial_comment?: string;
  alt_text?: string;
  completed: boolean;
  created: number;
  /** When Slack has finished processing it (completion is asynchronous); until then it is half-made. */
  processedAt?: number;
}

/** The file types an image block shows (Slack: png, jpg, jpeg, gif), told by the file's name here. */
const IMAGE_BLOCK_FILE = /\.(png|jpe?g|gif)$/i;

interface FaultRule {
  method: string;
  remaining: number;
  failure: SlackFailure;
}

export async function startFakeSlack(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
  const users = new Map<string, FakeUser>(Object.entries(opts.users ?? {}));
  const channels = new Map<string, FakeChannel>(Object.entries(opts.channels ?? {}));
  const calls: RecordedCall[] = [];
  const rejected: RejectedCall[] = [];
  const downloads: FileDownload[] = [];
  const responses: ResponseUrlPost[] = [];
  const uploadedFiles = new Map<string, Buffer>();
  const registered = new Map<string, RegisteredFile & { bytes: Buffer; created: number }>();
  const files = new Map<string, FileRecord>();
  const messages = new Map<string, Map<string, StoredMessage>>();
  const views = new Map<string, Json>();
  const homeViewIds = new Map<string, string>();
  const reactions = new Set<string>();
  const ephemerals: StoredMessage[] = [];
  const openedBy = new Map<string, string>();
  const customHandlers = new Map<string, MethodHandler>();
  const faults: FaultRule[] = [];
  const postTimes = new Map<string, number[]>();
  const answerDelays = new Map<string, number>();
  const changes = new EventEmitter();
  changes.setMaxListeners(0);
  let postsPerSecond: number | null = null;
  let seq = 0;

  const next = (): number => {
    seq += 1;
    return seq;
  };
  const newId = (prefix: string): string => `${prefix}${String(next()).padStart(10, "0")}`;
  // A single global counter keeps ts values unique everywhere and increasing within each channel.
  const newTs = (): string => {
    const n = next();
    return `${1_700_000_000 + Math.floor(n / 10_000)}.${String((n % 10_000) * 100).padStart(6, "0")}`;
  };
  const newHash = (): string => `1700000000.${next().toString(16).padStart(8, "0")}`;
  const notify = (): void => {
    if (opts.keepCalls !== undefined && calls.length > opts.keepCalls)
      calls.splice(0, calls.length - opts.keepCalls);
    changes.emit("change");
  };

  const server: Server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      // A bug in the fake itself; surface it loudly rather than as a Slack error the app might swallow.
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
      if (!res.headersSent) sendText(res, 599, `fakeSlack internal error: ${message}`);
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;
  const apiUrl = `${baseUrl}/api/`;

  const fileUrl = (path: string): string => `${baseUrl}/files-pri/${path.replace(/^\/+/, "")}`;

  const takeFault = (method: string): SlackFailure | undefined => {
    const rule = faults.find(
      (f) => f.remaining > 0 && (f.method === method || (f.method === "*" && method !== UPLOAD_CALL)),
    );
    if (!rule) return undefined;
    rule.remaining -= 1;
    return rule.failure;
  };

  const reject = (
    res: ServerResponse,
    call: RecordedCall,
    failure: SlackFailure,
    reason: RejectedCall["reason"],
  ): void => {
    if ("dropAfterHandling" in failure) {
      // Only API methods handle it (see handleApi); elsewhere the connection just drops.
      rejected.push({ ...call, status: 0, error: "connection_dropped", reason });
      res.socket?.destroy();
    } else if ("error" in failure) {
      rejected.push({ ...call, status: 200, error: failure.error, reason });
      sendJson(res, 200, { ok: false, error: failure.error });
    } else if (failure.status === 429) {
      rejected.push({ ...call, status: 429, error: "ratelimited", reason });
      sendJson(
        res,
        429,
        { ok: false, error: "ratelimited" },
        { "retry-after": String(failure.retryAfterSeconds) },
      );
    } else {
      rejected.push({ ...call, status: failure.status, error: `http_${failure.status}`, reason });
      sendText(res, failure.status, failure.status === 503 ? "Service Unavailable" : "Internal Server Error");
    }
    notify();
  };

  /** Sliding one-second window per channel; answers how long to wait, or undefined if the post may go. */
  const rateLimitWait = (channel: string, now: number): number | undefined => {
    if (postsPerSecond === null) return undefined;
    const recent = (postTimes.get(channel) ?? []).filter((t) => now - t < 1000);
    postTimes.set(channel, recent);
    if (recent.length < postsPerSecond) {
      recent.push(now);
      return undefined;
    }
    const oldest = recent[0] ?? now;
    return Math.max(1, Math.ceil((oldest + 1000 - now) / 1000));
  };

  const channelMessages = (channel: string): Map<string, StoredMessage> => {
    let m = messages.get(channel);
    if (!m) {
      m = new Map();
      messages.set(channel, m);
    }
    return m;
  };

  const userObject = (id: string, u: FakeUser): Json => {
    const name = u.name ?? id.toLowerCase();
    const realName = u.real_name ?? name;
    return {
      id,
      team_id: TEAM_ID,
      name,
      deleted: u.deleted ?? false,
      real_name: realName,
      tz: u.tz ?? "America/New_York",
      tz_label: "Eastern Standard Time",
      tz_offset: -18000,
      profile: {
        real_name: realName,
        real_name_normalized: realName,
        display_name: name,
        display_name_normalized: name,
        image_48: `https://avatars.example.com/${id}_48.png`,
        image_72: `https://avatars.example.com/${id}_72.png`,
        team: TEAM_ID,
      },
      is_admin: u.is_admin ?? false,
      is_owner: u.is_owner ?? false,
      is_primary_owner: false,
      is_restricted: false,
      is_ultra_restricted: false,
      is_bot: u.is_bot ?? false,
      is_app_user: false,
      updated: 1_700_000_000,
    };
  };

  const fileObject = (f: FileRecord): Json => ({
    id: f.id,
    created: f.created,
    timestamp: f.created,
    name: f.filename,
    title: f.title,
    mimetype: processing(f) ? "" : f.mimetype,
    filetype: processing(f) ? "" : filetypeOf(f.filename),
    user: BOT_USER_ID,
    size: f.bytes?.length ?? f.length,
    mode: "hosted",
    is_external: false,
    is_public: f.channel_id?.startsWith("C") ?? false,
    url_private: fileUrl(`${TEAM_ID}-${f.id}/${encodeURIComponent(f.filename)}`),
    url_private_download: fileUrl(`${TEAM_ID}-${f.id}/download/${encodeURIComponent(f.filename)}`),
    permalink: `https://${TEAM_DOMAIN}.slack.com/files/${BOT_USER_ID}/${f.id}/${encodeURIComponent(f.filename)}`,
    channels: f.channel_id?.startsWith("C") ? [f.channel_id] : [],
    groups: f.channel_id?.startsWith("G") ? [f.channel_id] : [],
    ims: [],
    shares: {},
    file_access: "visible",
  });

  const storeView = (view: Json, id: string, extra: Json = {}): Json => {
    const stored: Json = {
      id,
      team_id: TEAM_ID,
      type: view.type,
      blocks: view.blocks ?? [],
      private_metadata: view.private_metadata ?? "",
      callback_id: view.callback_id ?? "",
      state: { values: {} },
      hash: newHash(),
      title: view.title ?? null,
      clear_on_close: view.clear_on_close ?? false,
      notify_on_close: view.notify_on_close ?? false,
      close: view.close ?? null,
      submit: view.submit ?? null,
      previous_view_id: null,
      root_view_id: id,
      app_id: APP_ID,
      external_id: view.external_id ?? "",
      app_installed_team_id: TEAM_ID,
      bot_id: BOT_ID,
      ...extra,
    };
    views.set(id, stored);
    return stored;
  };

  /** views.open and views.push: a new view, remembered under the trigger that opened it. */
  const openView = (args: Json): Json => {
    const trigger = requireStr(args, "trigger_id", "invalid_trigger_id");
    const stored = storeView(validateView(args.view), newId("V"));
    openedBy.set(trigger, String(stored.id));
    return { view: stored };
  };

  const checkHash = (args: Json, existing: Json | undefined): void => {
    const hash = str(args, "hash");
    if (hash !== undefined && existing !== undefined && existing.hash !== hash)
      throw new SlackApiError("hash_conflict");
  };

  /**
   * Image blocks as Slack checks them: alt text, and exactly one source; a `slack_file` must name a
   * file whose upload was completed (or one registered as already in Slack) and that is a picture.
   * Slack refuses the whole message otherwise (invalid_blocks).
   */
  const imageBlockProblem = (blocks: unknown): string | undefined => {
    if (!Array.isArray(blocks)) return undefined;
    for (const [i, block] of blocks.entries()) {
      if (!isRecord(block) || block.type !== "image") continue;
      const where = `blocks/${i}`;
      if (typeof block.alt_text !== "string" || block.alt_text.length === 0 || block.alt_text.length > 2000)
        return `${where}/alt_text must be a string of 1 to 2000 characters`;
      const file = block.slack_file;
      if ((block.image_url === undefined) === (file === undefined))
        return `${where} must have exactly one of image_url and slack_file`;
      if (file === undefined) continue;
      if (!isRecord(file) || (file.id === undefined) === (file.url === undefined))
        return `${where}/slack_file must have exactly one of id and url`;
      if (typeof file.id !== "string") continue;
      const uploaded = files.get(file.id);
      const name = uploaded?.completed ? uploaded.filename : registered.get(file.id)?.name;
      if (name === undefined || (uploaded && processing(uploaded)))
        return `invalid slack file [json-pointer:/${where}/slack_file]`;
      if (!IMAGE_BLOCK_FILE.test(name))
        return `${where}/slack_file: ${file.id} is not a png, jpg or gif image`;
    }
    return undefined;
  };

  const postMessageLike = (args: Json, kind: "message" | "ephemeral"): StoredMessage => {
    const channel = requireStr(args, "channel", "channel_not_found");
    const text = str(args, "text") ?? "";
    if (text === "" && args.blocks === undefined && args.attachments === undefined)
      throw new SlackApiError("no_text");
    const blockProblem =
      validateBlocks(args.blocks, MAX_MESSAGE_BLOCKS, "blocks") ?? imageBlockProblem(args.blocks);
    if (blockProblem)
      throw new SlackApiError("invalid_blocks", {
        response_metadata: { messages: [`[ERROR] ${blockProblem}`] },
      });
    const ts = newTs();
    const message: StoredMessage = {
      channel,
      ts,
      type: "message",
      text,
      user: BOT_USER_ID,
      bot_id: BOT_ID,
      app_id: APP_ID,
      team: TEAM_ID,
      bot_profile: { id: BOT_ID, app_id: APP_ID, name: "Reply-All Texts", deleted: false, team_id: TEAM_ID },
    };
    for (const key of ["blocks", "attachments", "thread_ts", "username", "metadata", "reply_broadcast"]) {
      if (args[key] !== undefined) message[key] = args[key];
    }
    if (args.icon_url !== undefined || args.icon_emoji !== undefined) {
      message.icons = { image_48: args.icon_url, emoji: args.icon_emoji };
    }
    if (kind === "message") channelMessages(channel).set(ts, message);
    else ephemerals.push({ ...message, ...(typeof args.user === "string" ? { to: args.user } : {}) });
    return message;
  };

  const findOwnMessage = (args: Json, tsKey: string): StoredMessage => {
    const channel = requireStr(args, "channel", "channel_not_found");
    const ts = requireStr(args, tsKey, "message_not_found");
    const message = messages.get(channel)?.get(ts);
    if (!message) throw new SlackApiError("message_not_found");
    if (message.user !== BOT_USER_ID) throw new SlackApiError("cant_update_message");
    return message;
  };

  const registeredFileObject = (f: RegisteredFile & { bytes: Buffer; created: number }): SlackFileObject => {
    const name = encodeURIComponent(f.name);
    return {
      id: f.id,
      created: f.created,
      timestamp: f.created,
      name: f.name,
      title: f.name,
      mimetype: f.mimetype,
      filetype: filetypeOf(f.name),
      pretty_type: filetypeOf(f.name).toUpperCase(),
      user: "UFILEOWNER",
      user_team: TEAM_ID,
      editable: false,
      size: f.bytes.length,
      mode: "hosted",
      is_external: false,
      external_type: "",
      is_public: true,
      public_url_shared: false,
      display_as_bot: false,
      username: "",
      url_private: fileUrl(`${TEAM_ID}-${f.id}/${name}`),
      url_private_download: fileUrl(`${TEAM_ID}-${f.id}/download/${name}`),
      permalink: `https://${TEAM_DOMAIN}.slack.com/files/UFILEOWNER/${f.id}/${name}`,
      permalink_public: `https://slack-files.com/${TEAM_ID}-${f.id}-0000000000`,
      has_rich_preview: false,
      file_access: "visible",
    };
  };

  let postAnswerDelayMs = 0;
  let fileProcessingMs = 0;
  const processing = (f: FileRecord) => f.processedAt !== undefined && Date.now() < f.processedAt;
  const byTs = (a: StoredMessage, b: StoredMessage): number => Number(a.ts) - Number(b.ts);

  /** oldest/latest (exclusive unless inclusive), limit and an offset cursor, as Slack pages. */
  const pageOfMessages = (list: StoredMessage[], args: Json): Record<string, unknown> => {
    const oldest = Number(str(args, "oldest") ?? "0");
    const latest = Number(str(args, "latest") ?? "Infinity");
    const inclusive = String(args.inclusive) === "true" || args.inclusive === true;
    const withMetadata = String(args.include_all_metadata) === "true" || args.include_all_metadata === true;
    const inRange = list.filter((m) => {
      const t = Number(m.ts);
      return inclusive ? t >= oldest && t <= latest : t > oldest && t < latest;
    });
    const start = Number(str(args, "cursor") ?? "0") || 0;
    const limit = Math.min(1000, Math.max(1, Number(str(args, "limit") ?? "100") || 100));
    const page = inRange
      .slice(start, start + limit)
      .map(({ channel: _channel, metadata, ...rest }) =>
        withMetadata && metadata !== undefined ? { ...rest, metadata } : rest,
      );
    const more = start + limit < inRange.length;
    return {
      messages: page,
      has_more: more,
      response_metadata: { next_cursor: more ? String(start + limit) : "" },
    };
  };

  const builtins = new Map<string, MethodHandler>([
    ["api.test", (args) => ({ args })],
    [
      "auth.test",
      () => ({
        url: `https://${TEAM_DOMAIN}.slack.com/`,
        team: "Example Workspace",
        user: "replyall",
        team_id: TEAM_ID,
        user_id: BOT_USER_ID,
        bot_id: BOT_ID,
        is_enterprise_install: false,
      }),
    ],
    [
      "chat.postMessage",
      (args) => {
        const message = postMessageLike(args, "message");
        const { channel, ...rest } = message;
        return { channel, ts: message.ts, message: rest };
      },
    ],
    [
      "chat.postEphemeral",
      (args) => {
        requireStr(args, "user", "user_not_in_channel");
        return { message_ts: postMessageLike(args, "ephemeral").ts };
      },
    ],
    [
      "chat.update",
      (args) => {
        const message = findOwnMessage(args, "ts");
        const blockProblem =
          validateBlocks(args.blocks, MAX_MESSAGE_BLOCKS, "blocks") ?? imageBlockProblem(args.blocks);
        if (blockProblem)
          throw new SlackApiError("invalid_blocks", {
            response_metadata: { messages: [`[ERROR] ${blockProblem}`] },
          });
        for (const key of ["text", "blocks", "attachments", "metadata"]) {
          if (args[key] !== undefined) message[key] = args[key];
        }
        message.edited = { user: BOT_USER_ID, ts: newTs() };
        const { channel, ...rest } = message;
        return { channel, ts: message.ts, text: message.text, message: rest };
      },
    ],
    [
      "chat.delete",
      (args) => {
        const message = findOwnMessage(args, "ts");
        messages.get(message.channel)?.delete(message.ts);
        return { channel: message.channel, ts: message.ts };
      },
    ],
    [
      "chat.getPermalink",
      (args) => {
        const channel = requireStr(args, "channel", "channel_not_found");
        const ts = requireStr(args, "message_ts", "message_not_found");
        return {
          channel,
          permalink: `https://${TEAM_DOMAIN}.slack.com/archives/${channel}/p${ts.replace(".", "")}`,
        };
      },
    ],
    [
      "reactions.add",
      (args) => {
        const channel = requireStr(args, "channel", "channel_not_found");
        const ts = requireStr(args, "timestamp", "message_not_found");
        const name = requireStr(args, "name", "invalid_name");
        const key = `${channel}/${ts}/${name}`;
        if (reactions.has(key)) throw new SlackApiError("already_reacted");
        reactions.add(key);
        return {};
      },
    ],
    [
      "reactions.remove",
      (args) => {
        const key = `${requireStr(args, "channel")}/${requireStr(args, "timestamp")}/${requireStr(args, "name")}`;
        if (!reactions.delete(key)) throw new SlackApiError("no_reaction");
        return {};
      },
    ],
    [
      "users.info",
      (args) => {
        const id = requireStr(args, "user", "user_not_found");
        if (id === BOT_USER_ID)
          return { user: userObject(id, { name: "replyall", real_name: "Reply-All Texts", is_bot: true }) };
        const u = users.get(id);
        if (!u) throw new SlackApiError("user_not_found");
        return { user: userObject(id, u) };
      },
    ],
    [
      "conversations.info",
      (args) => {
        const id = requireStr(args, "channel", "channel_not_found");
        const known = channels.get(id);
        if (!known && !/^[CG][A-Z0-9]+$/.test(id)) throw new SlackApiError("channel_not_found");
        const c = known ?? {};
        const isPrivate = c.is_private ?? id.startsWith("G");
        return {
          channel: {
            id,
            name: c.name ?? id.toLowerCase(),
            is_channel: !isPrivate,
            is_group: false,
            is_im: false,
            is_mpim: false,
            is_private: isPrivate,
            is_archived: c.is_archived ?? false,
            is_general: false,
            is_member: c.is_member ?? true,
            is_ext_shared: false,
            is_shared: false,
            is_org_shared: false,
            context_team_id: TEAM_ID,
            created: 1_700_000_000,
            creator: "UCREATOR",
            topic: { value: "", creator: "", last_set: 0 },
            purpose: { value: "", creator: "", last_set: 0 },
          },
        };
      },
    ],
    [
      "conversations.members",
      (args) => {
        const id = requireStr(args, "channel", "channel_not_found");
        const known = channels.get(id);
        if (!known && !/^[CG][A-Z0-9]+$/.test(id)) throw new SlackApiError("channel_not_found");
        return { members: known?.members ?? [], response_metadata: { next_cursor: "" } };
      },
    ],
    [
      // As Slack: a bot joins public channels only (channels:join); a private one needs an invitation.
      "conversations.join",
      (args) => {
        const id = requireStr(args, "channel", "channel_not_found");
        const known = channels.get(id);
        if (!known && !/^C[A-Z0-9]+$/.test(id)) throw new SlackApiError("channel_not_found");
        const c = known ?? {};
        if (c.is_private ?? id.startsWith("G"))
          throw new SlackApiError("method_not_supported_for_channel_type");
        if (c.is_archived) throw new SlackApiError("is_archived");
        channels.set(id, { ...c, is_member: true });
        return { channel: { id, name: c.name ?? id.toLowerCase(), is_channel: true, is_member: true } };
      },
    ],
    [
      // A thread: its parent first, then replies oldest first. Message metadata is returned only with
      // include_all_metadata, so a caller relying on it must ask for it.
      "conversations.replies",
      (args) => {
        const channel = requireStr(args, "channel", "channel_not_found");
        const ts = requireStr(args, "ts", "thread_not_found");
        const all = [...(messages.get(channel)?.values() ?? [])];
        const parent = all.find((m) => m.ts === ts);
        if (!parent) throw new SlackApiError("thread_not_found");
        const thread = [parent, ...all.filter((m) => m.thread_ts === ts && m.ts !== ts).sort(byTs)];
        return pageOfMessages(thread, args);
      },
    ],
    [
      // Top-level messages of a channel, newest first.
      "conversations.history",
      (args) => {
        const channel = requireStr(args, "channel", "channel_not_found");
        const top = [...(messages.get(channel)?.values() ?? [])]
          .filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts)
          .sort((a, b) => byTs(b, a));
        return pageOfMessages(top, args);
      },
    ],
    // A pushed view is stored and answered as an opened one.
    ["views.open", openView],
    ["views.push", openView],
    [
      "views.update",
      (args) => {
        const view = validateView(args.view);
        const externalId = str(args, "external_id");
        let id = str(args, "view_id");
        if (id === undefined && externalId !== undefined) {
          id = [...views.values()].find((v) => v.external_id === externalId)?.id as string | undefined;
          if (id === undefined) throw new SlackApiError("not_found");
        }
        if (id === undefined) throw new SlackApiError("invalid_arguments");
        // Unknown view ids are accepted: tests often build interaction payloads for views the fake never opened.
        const existing = views.get(id);
        checkHash(args, existing);
        const keep: Json = existing
          ? { previous_view_id: existing.previous_view_id, root_view_id: existing.root_view_id }
          : {};
        return { view: storeView(view, id, keep) };
      },
    ],
    [
      "views.publish",
      (args) => {
        const userId = requireStr(args, "user_id", "invalid_arguments");
        const view = validateView(args.view);
        if (view.type !== "home") throw new SlackApiError("invalid_arguments");
        let id = homeViewIds.get(userId);
        if (id === undefined) {
          id = newId("V");
          homeViewIds.set(userId, id);
        }
        checkHash(args, views.get(id));
        return { view: storeView(view, id) };
      },
    ],
    [
      "files.getUploadURLExternal",
      (args) => {
        const filename = requireStr(args, "filename");
        const length = Number(requireStr(args, "length"));
        if (!Number.isInteger(length) || length < 1) throw new SlackApiError("invalid_arguments");
        const id = newId("F");
        const altText = str(args, "alt_text");
        files.set(id, {
          id,
          filename,
          title: filename,
          length,
          ...(altText !== undefined ? { alt_text: altText } : {}),
          mimetype: "application/octet-stream",
          completed: false,
          created: Math.floor(Date.now() / 1000),
        });
        return { upload_url: `${baseUrl}/upload/v1/${id}`, file_id: id };
      },
    ],
    [
      "files.completeUploadExternal",
      (args) => {
        const list = args.files;
        if (!Array.isArray(list) || list.length === 0) throw new SlackApiError("invalid_arguments");
        const records = list.map((entry) => {
          const id = isRecord(entry) && typeof entry.id === "string" ? entry.id : undefined;
          const record = id === undefined ? undefined : files.get(id);
          if (!record?.bytes) throw new SlackApiError("file_not_found");
          if (isRecord(entry) && typeof entry.title === "string") record.title = entry.title;
          return record;
        });
        const channelId = str(args, "channel_id") ?? str(args, "channels");
        for (const record of records) {
          record.completed = true;
          record.processedAt = Date.now() + fileProcessingMs;
          record.channel_id = channelId;
          record.thread_ts = str(args, "thread_ts");
          record.initial_comment = str(args, "initial_comment");
        }
        return { files: records.map((r) => ({ id: r.id, title: r.title })) };
      },
    ],
    [
      "files.info",
      (args) => {
        const id = requireStr(args, "file", "file_not_found");
        const record = files.get(id);
        if (record?.completed)
          return { file: fileObject(record), comments: [], response_metadata: { next_cursor: "" } };
        const reg = registered.get(id);
        if (reg)
          return { file: registeredFileObject(reg), comments: [], response_metadata: { next_cursor: "" } };
        throw new SlackApiError("file_not_found");
      },
    ],
    // Retired by Slack in 2025; answering like production catches code that still uses it.
    [
      "files.upload",
      () => {
        throw new SlackApiError("method_deprecated");
      },
    ],
  ]);

  async function handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    url: URL,
  ): Promise<void> {
    const args = await parseArgs(req, url);
    const bodyToken = typeof args.token === "string" ? args.token : undefined;
    delete args.token;
    const token = bearer(req) ?? bodyToken;
    const call: RecordedCall = { method, args, at: Date.now(), ...(token !== undefined ? { token } : {}) };

    if (token === undefined) {
      reject(res, call, { error: "not_authed" }, "not_authed");
      return;
    }
    const fault = takeFault(method);
    if (fault && !("dropAfterHandling" in fault)) {
      reject(res, call, fault, "injected");
      return;
    }
    if (method === "chat.postMessage" && typeof args.channel === "string") {
      const wait = rateLimitWait(args.channel, call.at);
      if (wait !== undefined) {
        reject(res, call, { status: 429, retryAfterSeconds: wait }, "rate_limited");
        return;
      }
    }

    const handler = customHandlers.get(method) ?? builtins.get(method);
    let body: Json;
    try {
      if (!handler) throw new SlackApiError("unknown_method");
      const result = handler(args, call);
      body = "ok" in result ? result : { ok: true, ...result };
    } catch (err) {
      if (!(err instanceof SlackApiError)) throw err;
      body = { ok: false, error: err.code, ...err.extra };
    }
    if (body.ok === false) call.error = typeof body.error === "string" ? body.error : "unknown_error";
    calls.push(call);
    const answerDelayMs = answerDelays.get(method) ?? 0;
    if (fault) res.socket?.destroy();
    else if (answerDelayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, answerDelayMs));
      if (!res.destroyed) sendJson(res, 200, body);
    } else if (postAnswerDelayMs > 0 && method === "chat.postMessage") {
      await new Promise((resolve) => setTimeout(resolve, postAnswerDelayMs));
      sendJson(res, 200, body);
    } else sendJson(res, 200, body);
    notify();
  }

  async function handleUpload(req: IncomingMessage, res: ServerResponse, fileId: string): Promise<void> {
    const raw = await readBody(req);
    const contentType = req.headers["content-type"] ?? "";
    let bytes = raw;
    let filename: string | undefined;
    // WebClient sends multipart with one file part; a raw POST body (what curl-style clients send) works too.
    if (contentType.startsWith("multipart/form-data")) {
      const parsed = await parseMultipart(raw, contentType);
      const part = parsed.files[0];
      if (part) {
        bytes = part.bytes;
        filename = part.filename;
      }
    }
    const token = bearer(req);
    const call: RecordedCall = {
      method: UPLOAD_CALL,
      args: { file_id: fileId, size: bytes.length, ...(filename !== undefined ? { filename } : {}) },
      at: Date.now(),
      ...(token !== undefined ? { token } : {}),
    };
    const fault = takeFault(UPLOAD_CALL);
    if (fault) {
      if ("error" in fault) {
        rejected.push({ ...call, status: 400, error: fault.error, reason: "injected" });
        sendText(res, 400, fault.error);
        notify();
      } else reject(res, call, fault, "injected");
      return;
    }
    const record = files.get(fileId);
    if (!record) {
      call.error = "file_not_found";
      calls.push(call);
      sendText(res, 404, "Not Found");
      notify();
      return;
    }
    record.bytes = bytes;
    uploadedFiles.set(fileId, bytes);
    calls.push(call);
    sendText(res, 200, `OK - ${bytes.length}`);
    notify();
  }

  function handleDownload(req: IncomingMessage, res: ServerResponse, path: string): void {
    const token = bearer(req);
    // Paths look like T1-F123/name or T1-F123/download/name, mirroring files.slack.com.
    const fileId = /^[^/]*-([A-Z0-9]+)\//.exec(path)?.[1];
    const reg = fileId === undefined ? undefined : registered.get(fileId);
    const uploaded = fileId === undefined ? undefined : files.get(fileId);
    const bytes = reg?.bytes ?? (uploaded?.completed ? uploaded.bytes : undefined);
    const mimetype = reg?.mimetype ?? uploaded?.mimetype ?? "application/octet-stream";
    const status = token === undefined ? 401 : bytes === undefined ? 404 : 200;
    downloads.push({
      path,
      at: Date.now(),
      status,
      ...(fileId !== undefined ? { fileId } : {}),
      ...(token !== undefined ? { token } : {}),
    });
    notify();
    // Real Slack answers an unauthenticated file GET with an HTML login page; a 401 makes that bug obvious instead.
    if (status === 401) {
      sendText(res, 401, "not_authed: files-pri requires Authorization: Bearer <token>");
    } else if (bytes === undefined) {
      sendText(res, 404, "file_not_found");
    } else if (reg?.redirectTo) {
      res.writeHead(302, { location: reg.redirectTo }).end();
    } else if (reg?.unannouncedLength) {
      res.writeHead(200, { "content-type": mimetype });
      res.end(req.method === "HEAD" ? undefined : bytes);
    } else {
      res.writeHead(200, { "content-type": mimetype, "content-length": String(bytes.length) });
      res.end(req.method === "HEAD" ? undefined : bytes);
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", baseUrl);
    const path = url.pathname;
    if (path.startsWith("/api/") && (req.method === "POST" || req.method === "GET")) {
      return handleApi(req, res, decodeURIComponent(path.slice("/api/".length)), url);
    }
    const upload = /^\/upload\/v1\/([^/]+)$/.exec(path);
    if (upload?.[1] && req.method === "POST") return handleUpload(req, res, upload[1]);
    if (path.startsWith("/files-pri/") && (req.method === "GET" || req.method === "HEAD")) {
      handleDownload(req, res, decodeURIComponent(path.slice("/files-pri/".length)));
      return;
    }
    const responseUrl = /^\/response-url\/([^/]+)$/.exec(path);
    if (responseUrl?.[1] && req.method === "POST") {
      const raw = (await readBody(req)).toString("utf8");
      let body: unknown = raw;
      try {
        body = JSON.parse(raw) as unknown;
      } catch {
        // keep the raw text; Bolt always sends JSON but a test might not
      }
      responses.push({ id: responseUrl[1], body, at: Date.now() });
      notify();
      sendJson(res, 200, { ok: true });
      return;
    }
    sendText(res, 404, "Not Found");
  }

  const waitFor = (
    predicate: (calls: readonly RecordedCall[]) => boolean,
    timeoutMs = 10_000,
  ): Promise<RecordedCall[]> =>
    new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cleanup = (): void => {
        if (timer) clearTimeout(timer);
        changes.off("change", check);
      };
      function check(): void {
        try {
          if (predicate(calls)) {
            cleanup();
            resolve(calls.slice());
          }
        } catch (err) {
          cleanup();
          reject(err);
        }
      }
      changes.on("change", check);
      timer = setTimeout(() => {
        cleanup();
        const seen = calls.map((c) => (c.error ? `${c.method}(${c.error})` : c.method)).join(", ") || "none";
        const turnedAway = rejected.map((c) => `${c.method}(${c.error})`).join(", ") || "none";
        reject(
          new Error(
            `fakeSlack.waitFor timed out after ${timeoutMs}ms; calls: ${seen}; rejected: ${turnedAway}`,
          ),
        );
      }, timeoutMs);
      check();
    });

  const fake: FakeSlack = {
    baseUrl,
    apiUrl,
    port,
    calls,
    rejected,
    uploadedFiles,
    downloads,
    responses,
    callsTo: (method) => calls.filter((c) => c.method === method),
    failNext: (method, n, failure) => {
      faults.push({ method, remaining: n, failure });
    },
    setPostAnswerDelay: (ms) => {
      postAnswerDelayMs = ms;
    },
    setFileProcessing: (ms) => {
      fileProcessingMs = ms;
    },
    delayAnswers: (method, ms) => {
      if (ms > 0) answerDelays.set(method, ms);
      else answerDelays.delete(method);
    },
    rateLimitPerChannel: (n) => {
      postsPerSecond = n;
      postTimes.clear();
    },
    waitFor,
    waitForCalls: async (method, n, timeoutMs = 10_000) => {
      await waitFor((all) => all.filter((c) => c.method === method).length >= n, timeoutMs);
      return calls.filter((c) => c.method === method);
    },
    handle: (method, handler) => {
      customHandlers.set(method, handler);
    },
    addUser: (id, user) => {
      users.set(id, user);
    },
    addChannel: (id, channel) => {
      channels.set(id, channel);
    },
    seedMessage: ({ channel, ts, text, user, thread_ts }) => {
      const message: StoredMessage = {
        channel,
        ts,
        type: "message",
        text: text ?? "",
        user: user ?? BOT_USER_ID,
        team: TEAM_ID,
      };
      if (message.user === BOT_USER_ID) message.bot_id = BOT_ID;
      if (thread_ts !== undefined) message.thread_ts = thread_ts;
      channelMessages(channel).set(ts, message);
    },
    messagesIn: (channel) => [...(messages.get(channel)?.values() ?? [])],
    postAsUser: ({ channel, user, text, threadTs, files: shared }) => {
      const ts = newTs();
      const message: StoredMessage = { channel, ts, type: "message", text, user, team: TEAM_ID };
      if (threadTs !== undefined) message.thread_ts = threadTs;
      if (shared !== undefined && shared.length > 0) {
        message.subtype = "file_share";
        message.files = shared;
      }
      channelMessages(channel).set(ts, message);
      notify();
      return message;
    },
    reactionsOn: (channel, ts) =>
      [...reactions]
        .filter((key) => key.startsWith(`${channel}/${ts}/`))
        .map((key) => key.split("/")[2] ?? ""),
    ephemeralsIn: (channel) => ephemerals.filter((m) => m.channel === channel),
    viewById: (id) => views.get(id),
    viewOpenedBy: (triggerId) => {
      const id = openedBy.get(triggerId);
      return id === undefined ? undefined : views.get(id);
    },
    showView: (view, id) => {
      const existing = id === undefined ? undefined : views.get(id);
      const keep: Json = existing
        ? { previous_view_id: existing.previous_view_id, root_view_id: existing.root_view_id }
        : {};
      return storeView(validateView(view), id ?? newId("V"), keep);
    },
    homeViewOf: (userId) => {
      const id = homeViewIds.get(userId);
      return id === undefined ? undefined : views.get(id);
    },
    fileContent: (id) => {
      const reg = registered.get(id);
      if (reg) return { bytes: reg.bytes, mimetype: reg.mimetype, name: reg.name };
      const uploaded = files.get(id);
      if (uploaded?.completed && uploaded.bytes)
        return { bytes: uploaded.bytes, mimetype: uploaded.mimetype, name: uploaded.filename };
      return undefined;
    },
    fileUrl,
    registerFile: (file) => {
      const bytes = typeof file.bytes === "string" ? Buffer.from(file.bytes) : Buffer.from(file.bytes);
      const stored = { ...file, bytes, created: Math.floor(Date.now() / 1000) };
      registered.set(file.id, stored);
      return registeredFileObject(stored);
    },
    responseUrl: (id) => `${baseUrl}/response-url/${id ?? newId("R")}`,
    reset: () => {
      // Clear in place: tests may hold references to these arrays/maps.
      calls.length = 0;
      rejected.length = 0;
      downloads.length = 0;
      responses.length = 0;
      faults.length = 0;
      uploadedFiles.clear();
      files.clear();
      messages.clear();
      views.clear();
      homeViewIds.clear();
      reactions.clear();
      ephemerals.length = 0;
      openedBy.clear();
      customHandlers.clear();
      postTimes.clear();
      answerDelays.clear();
      fileProcessingMs = 0;
      postsPerSecond = null;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        // WebClient's fetch keeps connections alive; without this close() would wait for them to time out.
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
  return fake;
}
