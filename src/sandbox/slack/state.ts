/**
 * What the Slack stand-in remembers between calls, shared by every method family. Reset clears the
 * Slack side of it (calls, messages, views, uploads) and keeps the workspace (users, channels,
 * registered files).
 */
import { EventEmitter } from "node:events";
import type {
  FakeChannel,
  FakeSlackOptions,
  FakeUser,
  FileDownload,
  MethodHandler,
  RecordedCall,
  RegisteredFile,
  RejectedCall,
  ResponseUrlPost,
  SlackFailure,
  StoredMessage,
} from "./types";
import type { Json } from "./wire";

/** A file uploaded through files.getUploadURLExternal, as Slack holds it. */
export interface FileRecord {
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

/** A file made to exist in Slack before the test (a teammate's upload), with its bytes. */
export type StoredRegisteredFile = RegisteredFile & { bytes: Buffer; created: number };

export interface FaultRule {
  method: string;
  remaining: number;
  failure: SlackFailure;
}

export interface SlackState {
  readonly baseUrl: string;
  readonly keepCalls: number | undefined;
  readonly users: Map<string, FakeUser>;
  readonly channels: Map<string, FakeChannel>;
  readonly calls: RecordedCall[];
  readonly rejected: RejectedCall[];
  readonly downloads: FileDownload[];
  readonly responses: ResponseUrlPost[];
  readonly uploadedFiles: Map<string, Buffer>;
  readonly registered: Map<string, StoredRegisteredFile>;
  readonly files: Map<string, FileRecord>;
  /** By channel, then by ts. */
  readonly messages: Map<string, Map<string, StoredMessage>>;
  readonly views: Map<string, Json>;
  readonly homeViewIds: Map<string, string>;
  /** `channel/ts/name` of every reaction present. */
  readonly reactions: Set<string>;
  readonly ephemerals: StoredMessage[];
  /** The view a trigger_id opened. */
  readonly openedBy: Map<string, string>;
  readonly customHandlers: Map<string, MethodHandler>;
  readonly faults: FaultRule[];
  readonly postTimes: Map<string, number[]>;
  readonly answerDelays: Map<string, number>;
  readonly changes: EventEmitter;
  postsPerSecond: number | null;
  postAnswerDelayMs: number;
  fileProcessingMs: number;
  seq: number;
}

export function createSlackState(opts: FakeSlackOptions, baseUrl: string): SlackState {
  const changes = new EventEmitter();
  changes.setMaxListeners(0);
  return {
    baseUrl,
    keepCalls: opts.keepCalls,
    users: new Map(Object.entries(opts.users ?? {})),
    channels: new Map(Object.entries(opts.channels ?? {})),
    calls: [],
    rejected: [],
    downloads: [],
    responses: [],
    uploadedFiles: new Map(),
    registered: new Map(),
    files: new Map(),
    messages: new Map(),
    views: new Map(),
    homeViewIds: new Map(),
    reactions: new Set(),
    ephemerals: [],
    openedBy: new Map(),
    customHandlers: new Map(),
    faults: [],
    postTimes: new Map(),
    answerDelays: new Map(),
    changes,
    postsPerSecond: null,
    postAnswerDelayMs: 0,
    fileProcessingMs: 0,
    seq: 0,
  };
}

/** Clears in place: tests may hold references to these arrays and maps. */
export function resetSlackState(s: SlackState): void {
  s.calls.length = 0;
  s.rejected.length = 0;
  s.downloads.length = 0;
  s.responses.length = 0;
  s.faults.length = 0;
  s.uploadedFiles.clear();
  s.files.clear();
  s.messages.clear();
  s.views.clear();
  s.homeViewIds.clear();
  s.reactions.clear();
  s.ephemerals.length = 0;
  s.openedBy.clear();
  s.customHandlers.clear();
  s.postTimes.clear();
  s.answerDelays.clear();
  s.fileProcessingMs = 0;
  s.postsPerSecond = null;
}

function next(s: SlackState): number {
  s.seq += 1;
  return s.seq;
}

export function newId(s: SlackState, prefix: string): string {
  return `${prefix}${String(next(s)).padStart(10, "0")}`;
}

/** A single global counter keeps ts values unique everywhere and increasing within each channel. */
export function newTs(s: SlackState): string {
  const n = next(s);
  return `${1_700_000_000 + Math.floor(n / 10_000)}.${String((n % 10_000) * 100).padStart(6, "0")}`;
}

export function newHash(s: SlackState): string {
  return `1700000000.${next(s).toString(16).padStart(8, "0")}`;
}

/** Tells waiters something was recorded (and trims the record to keepCalls). */
export function notify(s: SlackState): void {
  if (s.keepCalls !== undefined && s.calls.length > s.keepCalls)
    s.calls.splice(0, s.calls.length - s.keepCalls);
  s.changes.emit("change");
}

export function fileUrl(s: SlackState, path: string): string {
  return `${s.baseUrl}/files-pri/${path.replace(/^\/+/, "")}`;
}

export function channelMessages(s: SlackState, channel: string): Map<string, StoredMessage> {
  let m = s.messages.get(channel);
  if (!m) {
    m = new Map();
    s.messages.set(channel, m);
  }
  return m;
}

/** Slack completes an upload asynchronously: until then the file has no type. */
export function processing(f: FileRecord): boolean {
  return f.processedAt !== undefined && Date.now() < f.processedAt;
}

export type MethodTable = Record<string, MethodHandler>;
