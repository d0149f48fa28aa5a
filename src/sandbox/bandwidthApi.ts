/**
 * A local stand-in for Bandwidth's Messaging API v2 (https://messaging.bandwidth.com/api/v2), for the
 * sandbox: the app's real bandwidth-sdk client talks to it as it would to Bandwidth. It answers the
 * calls the app makes (create message, list messages, upload and download media) with Bandwidth's
 * status codes and body shapes, checks Basic auth, and tells the sandbox about every text it took so
 * the phones can show it and the delivery callbacks can follow.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { countSegments } from "../domain/segments";
import { BODY_LIMIT, BodyTooLarge, readBody } from "../http/body";

export interface TakenMessage {
  id: string;
  from: string;
  to: string[];
  text: string;
  media: string[];
  tag: string | null;
  segmentCount: number;
  time: string;
}

export interface BandwidthStandIn {
  /** The SDK's basePath, e.g. http://127.0.0.1:PORT/api/v2 */
  readonly url: string;
  /** Texts taken, oldest first. */
  readonly messages: readonly TakenMessage[];
  /** Stores a picture a phone sends and answers its media URL, as Bandwidth hosts inbound media. */
  putMedia(bytes: Buffer, contentType: string): string;
  media(mediaId: string): { bytes: Buffer; contentType: string } | undefined;
  /** The media id of one of this account's media URLs, or null for any other URL. */
  mediaIdOf(url: string): string | null;
  reset(): void;
  close(): Promise<void>;
}

export interface BandwidthStandInOptions {
  accountId: string;
  applicationId: string;
  username: string;
  password: string;
  /** Called once a text is taken (after the 202 is sent), as Bandwidth then starts delivering it. */
  onMessage(message: TakenMessage): void;
}

const E164 = /^\+[1-9]\d{1,14}$/;

const createMessageBody = z.object({
  applicationId: z.string().min(1),
  to: z.array(z.string().regex(E164, "must be an E164 telephone number")).min(1).max(50),
  from: z.string().regex(E164, "must be an E164 telephone number"),
  text: z.string().max(2048).optional(),
  media: z.array(z.string().url().max(4096)).max(50).optional(),
  tag: z.string().max(1024).optional(),
  priority: z.enum(["default", "high"]).optional(),
  expiration: z.string().optional(),
});

const MAX_MEDIA_BYTES = 3.5 * 1024 * 1024;

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

function error(res: ServerResponse, status: number, type: string, description: string): void {
  json(res, status, { type, description });
}

/** A message id shaped like Bandwidth's: a millisecond timestamp and random letters. */
function messageId(): string {
  return `${Date.now()}${randomBytes(8).toString("hex").slice(0, 16)}`;
}

/** What the stand-in holds: the texts it took and the media it hosts. */
interface StandIn {
  readonly options: BandwidthStandInOptions;
  readonly expectedAuth: string;
  /** The path every call of this account starts with. */
  readonly prefix: string;
  readonly messages: TakenMessage[];
  readonly media: Map<string, { bytes: Buffer; contentType: string }>;
}

export async function startBandwidthStandIn(options: BandwidthStandInOptions): Promise<BandwidthStandIn> {
  const standIn: StandIn = {
    options,
    expectedAuth: `Basic ${Buffer.from(`${options.username}:${options.password}`).toString("base64")}`,
    prefix: `/api/v2/users/${encodeURIComponent(options.accountId)}`,
    messages: [],
    media: new Map(),
  };
  const server: Server = createServer((req, res) => {
    handle(standIn, req, res).catch((err: unknown) => {
      if (err instanceof BodyTooLarge) error(res, 413, "request-entity-too-large", "The body is too large.");
      else if (!res.headersSent) error(res, 500, "internal-server-error", "Internal server error.");
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/api/v2`;
  const mediaUrlPrefix = `${url}/users/${encodeURIComponent(options.accountId)}/media/`;
  const { messages, media } = standIn;
  return {
    url,
    messages,
    putMedia(bytes, contentType) {
      const id = `sandbox/${randomBytes(8).toString("hex")}`;
      media.set(id, { bytes, contentType });
      return `${mediaUrlPrefix}${id}`;
    },
    media: (mediaId) => media.get(mediaId),
    mediaIdOf: (mediaUrl) =>
      mediaUrl.startsWith(mediaUrlPrefix) ? mediaUrl.slice(mediaUrlPrefix.length) : null,
    reset() {
      messages.length = 0;
      media.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(standIn: StandIn, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const target = new URL(req.url ?? "/", "http://localhost");
  const path = target.pathname;
  if (!path.startsWith(`${standIn.prefix}/`)) {
    error(res, 404, "not-found", "The requested resource was not found.");
    return;
  }
  if (!sameSecret(req.headers.authorization ?? "", standIn.expectedAuth)) {
    error(res, 401, "unauthorized", "Authentication failed.");
    return;
  }
  const rest = path.slice(standIn.prefix.length);
  if (rest === "/messages" && req.method === "POST") return createMessage(standIn, req, res);
  if (rest === "/messages" && req.method === "GET") return listMessages(standIn, target, res);
  if (rest.startsWith("/media/")) return handleMedia(standIn, req, res, rest.slice("/media/".length));
  error(res, 405, "method-not-allowed", "Method not allowed.");
}

/** PUT stores media (what the app uploads for an MMS), GET answers it; nothing else is allowed. */
async function handleMedia(
  standIn: StandIn,
  req: IncomingMessage,
  res: ServerResponse,
  encodedId: string,
): Promise<void> {
  let mediaId: string;
  try {
    mediaId = decodeURIComponent(encodedId);
  } catch {
    error(res, 404, "not-found", "The requested resource was not found.");
    return;
  }
  if (req.method === "PUT") {
    const bytes = await readBody(req, MAX_MEDIA_BYTES);
    standIn.media.set(mediaId, {
      bytes,
      contentType: req.headers["content-type"] ?? "application/octet-stream",
    });
    res.writeHead(204).end();
    return;
  }
  if (req.method !== "GET") {
    error(res, 405, "method-not-allowed", "Method not allowed.");
    return;
  }
  const found = standIn.media.get(mediaId);
  if (!found) error(res, 404, "not-found", "The requested resource was not found.");
  else res.writeHead(200, { "content-type": found.contentType }).end(found.bytes);
}

/** The body of a create-message request, or undefined once it has been refused as Bandwidth would. */
async function validMessageBody(
  standIn: StandIn,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<z.infer<typeof createMessageBody> | undefined> {
  let raw: unknown;
  try {
    raw = JSON.parse((await readBody(req, BODY_LIMIT)).toString("utf8"));
  } catch (err) {
    if (err instanceof BodyTooLarge) throw err;
    error(res, 400, "request-validation", "The body is not JSON.");
    return undefined;
  }
  const parsed = createMessageBody.safeParse(raw);
  if (!parsed.success) {
    json(res, 400, {
      type: "request-validation",
      description: "Your request could not be accepted.",
      fieldErrors: parsed.error.issues.map((i) => ({
        fieldName: String(i.path[0]),
        description: i.message,
      })),
    });
    return undefined;
  }
  const body = parsed.data;
  if (body.applicationId !== standIn.options.applicationId) {
    error(res, 400, "request-validation", `Application ${body.applicationId} does not exist.`);
    return undefined;
  }
  if (!body.text && !body.media?.length) {
    error(res, 400, "request-validation", "A message needs text or media.");
    return undefined;
  }
  return body;
}

async function createMessage(standIn: StandIn, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await validMessageBody(standIn, req, res);
  if (!body) return;
  const to = [...new Set(body.to)];
  const isMms = to.length > 1 || (body.media?.length ?? 0) > 0;
  const taken: TakenMessage = {
    id: messageId(),
    from: body.from,
    to,
    text: body.text ?? "",
    media: body.media ?? [],
    tag: body.tag ?? null,
    segmentCount: isMms ? 1 : countSegments(body.text ?? "").segments,
    time: new Date().toISOString(),
  };
  standIn.messages.push(taken);
  json(res, 202, {
    id: taken.id,
    owner: taken.from,
    applicationId: standIn.options.applicationId,
    time: taken.time,
    segmentCount: taken.segmentCount,
    direction: "out",
    to: taken.to,
    from: taken.from,
    text: taken.text,
    ...(taken.media.length ? { media: taken.media } : {}),
    ...(taken.tag !== null ? { tag: taken.tag } : {}),
    priority: body.priority ?? "default",
  });
  standIn.options.onMessage(taken);
}

/** List Messages: one row per recipient, filtered by source, destination and time. */
function listMessages(standIn: StandIn, target: URL, res: ServerResponse): void {
  const q = target.searchParams;
  const from = q.get("sourceTn");
  const to = q.get("destinationTn");
  const since = Date.parse(q.get("fromDateTime") ?? "") || 0;
  const until = Date.parse(q.get("toDateTime") ?? "") || Number.POSITIVE_INFINITY;
  const rows = standIn.messages.flatMap((m) =>
    m.to
      .filter((recipient) => !to || recipient === to)
      .filter(() => !from || m.from === from)
      .filter(() => Date.parse(m.time) >= since && Date.parse(m.time) <= until)
      .map((recipient) => ({
        messageId: m.id,
        accountId: standIn.options.accountId,
        sourceTn: m.from,
        destinationTn: recipient,
        messageStatus: "DELIVERED",
        messageDirection: "OUTBOUND",
        messageType: m.to.length > 1 || m.media.length ? "mms" : "sms",
        segmentCount: m.segmentCount,
        errorCode: 0,
        receiveTime: m.time,
        carrierName: null,
        messageSize: m.text.length,
        messageLength: m.text.length,
        attachmentCount: m.media.length,
        recipientCount: m.to.length,
        campaignClass: null,
        campaignId: null,
      })),
  );
  json(res, 200, { totalCount: rows.length, pageInfo: {}, messages: rows });
}
