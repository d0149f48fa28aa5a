/**
 * Reading requests and writing answers as Slack does. How WebClient 8 talks to Slack (read from
 * node_modules/@slack/web-api/dist/WebClient.js), which shapes what this server parses:
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
import type { IncomingMessage, ServerResponse } from "node:http";
import { SlackApiError } from "./types";

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

export type Json = Record<string, unknown>;

export function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function str(args: Json, key: string): string | undefined {
  const v = args[key];
  return typeof v === "string" && v !== "" ? v : undefined;
}

export function requireStr(args: Json, key: string, error = "invalid_arguments"): string {
  const v = str(args, key);
  if (v === undefined)
    throw new SlackApiError(error, {
      response_metadata: { messages: [`[ERROR] missing required field: ${key}`] },
    });
  return v;
}

export function decodeField(key: string, value: string): unknown {
  const trimmed = value.trimStart();
  const looksJson = trimmed.startsWith("{") || trimmed.startsWith("[");
  if (!looksJson || (TEXT_FIELDS.has(key) && !JSON_FIELDS.has(key))) return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

export interface ParsedMultipart {
  fields: Json;
  files: Array<{ field: string; filename: string; bytes: Buffer }>;
}

export async function parseMultipart(raw: Buffer, contentType: string): Promise<ParsedMultipart> {
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

export async function parseArgs(req: IncomingMessage, url: URL): Promise<Json> {
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

export function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  const m = typeof h === "string" ? /^Bearer\s+(\S+)$/i.exec(h) : null;
  return m?.[1];
}

export function sendJson(
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

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers });
  res.end(text);
}
