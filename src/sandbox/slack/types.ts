/** What the Slack stand-in offers its callers: its identity, options, records and the FakeSlack handle. */
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
