import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../logger";
import { createFront, type Route } from "./router";

export interface HttpServer {
  port: number;
  /** Stops accepting, and ends the connections still open. */
  close(): Promise<void>;
}

/** Serves `routes` on `port` (0: any free one) and resolves once it listens. */
export async function listen(routes: Route[], port: number, logger: Logger): Promise<HttpServer> {
  const server = http.createServer(createFront(routes, logger));
  // A client that trickles its headers or body is cut off (408) rather than holding a handler:
  // Slack and Bandwidth send a few kilobytes at once.
  server.headersTimeout = 15_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(port, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
