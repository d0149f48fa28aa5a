/**
 * The stand-in's one HTTP entry: Web API methods under /api/ go to the method tables (a test's own
 * handler first), the upload and download URLs and response_urls to their handlers.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { authMethods } from "./auth";
import { chatMethods } from "./chat";
import { conversationMethods } from "./conversations";
import { rateLimitWait, reject, takeFault } from "./faults";
import { fileMethods } from "./files";
import { reactionMethods } from "./reactions";
import { type MethodTable, notify, type SlackState } from "./state";
import { handleDownload, handleResponseUrl, handleUpload } from "./transfers";
import { type RecordedCall, SlackApiError } from "./types";
import { userMethods } from "./users";
import { viewMethods } from "./views";
import { bearer, type Json, parseArgs, sendJson, sendText } from "./wire";

export function methodTable(s: SlackState): MethodTable {
  return {
    ...authMethods,
    ...chatMethods(s),
    ...conversationMethods(s),
    ...fileMethods(s),
    ...reactionMethods(s),
    ...userMethods(s),
    ...viewMethods(s),
  };
}

/** Runs the method; a SlackApiError it throws becomes Slack's `{ ok: false, error }`. */
function answer(s: SlackState, methods: MethodTable, call: RecordedCall): Json {
  const handler = s.customHandlers.get(call.method) ?? methods[call.method];
  try {
    if (!handler) throw new SlackApiError("unknown_method");
    const result = handler(call.args, call);
    return "ok" in result ? result : { ok: true, ...result };
  } catch (err) {
    if (!(err instanceof SlackApiError)) throw err;
    return { ok: false, error: err.code, ...err.extra };
  }
}

/** Turned away before the method runs: no token, an injected fault, a channel over its rate. */
function turnedAway(s: SlackState, res: ServerResponse, call: RecordedCall): boolean {
  if (call.token === undefined) {
    reject(s, res, call, { error: "not_authed" }, "not_authed");
    return true;
  }
  if (call.method === "chat.postMessage" && typeof call.args.channel === "string") {
    const wait = rateLimitWait(s, call.args.channel, call.at);
    if (wait !== undefined) {
      reject(s, res, call, { status: 429, retryAfterSeconds: wait }, "rate_limited");
      return true;
    }
  }
  return false;
}

async function handleApi(
  s: SlackState,
  methods: MethodTable,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const method = decodeURIComponent(url.pathname.slice("/api/".length));
  const args = await parseArgs(req, url);
  const bodyToken = typeof args.token === "string" ? args.token : undefined;
  delete args.token;
  const token = bearer(req) ?? bodyToken;
  const call: RecordedCall = { method, args, at: Date.now(), ...(token !== undefined ? { token } : {}) };
  // A missing token is refused before any fault is taken from the queue.
  const fault = token === undefined ? undefined : takeFault(s, method);
  if (fault && !("dropAfterHandling" in fault)) return reject(s, res, call, fault, "injected");
  if (turnedAway(s, res, call)) return;
  const body = answer(s, methods, call);
  if (body.ok === false) call.error = typeof body.error === "string" ? body.error : "unknown_error";
  s.calls.push(call);
  const answerDelayMs = s.answerDelays.get(method) ?? 0;
  // dropAfterHandling: the method ran, then the connection drops before the answer.
  if (fault) res.socket?.destroy();
  else if (answerDelayMs > 0) {
    await new Promise((resolve) => setTimeout(resolve, answerDelayMs));
    if (!res.destroyed) sendJson(res, 200, body);
  } else if (s.postAnswerDelayMs > 0 && method === "chat.postMessage") {
    await new Promise((resolve) => setTimeout(resolve, s.postAnswerDelayMs));
    sendJson(res, 200, body);
  } else sendJson(res, 200, body);
  notify(s);
}

export async function route(
  s: SlackState,
  methods: MethodTable,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? "/", s.baseUrl);
  const path = url.pathname;
  if (path.startsWith("/api/") && (req.method === "POST" || req.method === "GET"))
    return handleApi(s, methods, req, res, url);
  const upload = /^\/upload\/v1\/([^/]+)$/.exec(path);
  if (upload?.[1] && req.method === "POST") return handleUpload(s, req, res, upload[1]);
  if (path.startsWith("/files-pri/") && (req.method === "GET" || req.method === "HEAD"))
    return handleDownload(s, req, res, decodeURIComponent(path.slice("/files-pri/".length)));
  const responseUrl = /^\/response-url\/([^/]+)$/.exec(path);
  if (responseUrl?.[1] && req.method === "POST") return handleResponseUrl(s, req, res, responseUrl[1]);
  sendText(res, 404, "Not Found");
}
