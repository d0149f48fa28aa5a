import { randomUUID } from "node:crypto";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { Logger } from "../logger";

/** Handles one request on a route; `path` is the exact path matched (no query). */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, path: string) => void | Promise<void>;

export interface Route {
  /** Methods served, upper case. A GET route also answers HEAD (Node drops the body). */
  methods: readonly string[];
  /** The exact path: no prefix matching, no trailing-slash or case folding, no decoding. */
  path: string;
  handler: RouteHandler;
}

/** The longest path worth echoing into a debug log line. */
const LOGGED_PATH_CHARS = 120;

/** The path of a request target, without its query; null when it is not an origin-form path. */
export function requestPath(url: string | undefined): string | null {
  if (!url?.startsWith("/")) return null;
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * The caller's X-Request-Id when it looks like one (a proxy's correlation id), else a new one: the
 * header is the client's to fill, and whatever it holds lands in every log line of the request.
 */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers["x-request-id"];
  return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
}

function answer(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  const text = status === 404 ? "not found" : status === 405 ? "method not allowed" : "internal error";
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers }).end(text);
}

/**
 * The HTTP front: every request is matched against the route table before anything else sees it.
 * Anything not served is answered 404 (unknown path) or 405 (known path, other method) here, so
 * Bolt only ever receives what it serves. A handler that throws or rejects is answered 500 and
 * logged without its request; the server keeps serving.
 */
export function createFront(routes: readonly Route[], logger: Logger): RequestListener {
  const table = new Map<string, Route>();
  for (const route of routes) {
    if (table.has(route.path)) throw new Error(`two routes for ${route.path}`);
    const methods = route.methods.map((m) => m.toUpperCase());
    if (methods.includes("GET") && !methods.includes("HEAD")) methods.push("HEAD");
    table.set(route.path, { ...route, methods });
  }

  return (req, res) => {
    const path = requestPath(req.url);
    const route = path === null ? undefined : table.get(path);
    if (!route || path === null) {
      logger.debug({ method: req.method, path: path?.slice(0, LOGGED_PATH_CHARS) ?? null }, "not served");
      answer(res, 404);
      return;
    }
    if (!route.methods.includes(req.method ?? "")) {
      answer(res, 405, { allow: route.methods.join(", ") });
      return;
    }
    const failed = (error: unknown) => {
      // The error only: the request's headers and body stay out of the logs.
      logger.error({ err: error, method: req.method, path }, "request failed");
      if (!res.headersSent) answer(res, 500, { connection: "close" });
      else if (!res.writableEnded) res.destroy();
    };
    try {
      const done = route.handler(req, res, path);
      if (done) done.catch(failed);
    } catch (error) {
      failed(error);
    }
  };
}
