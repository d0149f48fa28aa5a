import http from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { createFront, requestPath } from "../../../src/http/router";
import { createLogger } from "../../../src/logger";

const lines: string[] = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    lines.push(String(chunk));
    done();
  },
});
let server: http.Server;
let base: string;

beforeAll(async () => {
  const front = createFront(
    [
      { methods: ["GET"], path: "/ok", handler: (_req, res) => void res.writeHead(200).end("ok") },
      {
        methods: ["POST"],
        path: "/throws",
        handler() {
          throw Object.assign(new Error("boom"), { req: { headers: { authorization: "Basic c2VjcmV0" } } });
        },
      },
      { methods: ["POST"], path: "/rejects", handler: async () => Promise.reject(new Error("later boom")) },
    ],
    createLogger("debug", sink),
  );
  server = http.createServer(front);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

test("exact paths only: no trailing slash, case or prefix matching", async () => {
  expect((await fetch(`${base}/ok`)).status).toBe(200);
  expect((await fetch(`${base}/ok?x=1`)).status).toBe(200);
  for (const path of ["/", "/ok/", "/OK", "/ok/more", "/%6Fk", "//ok"])
    expect({ path, status: (await fetch(`${base}${path}`)).status }).toEqual({ path, status: 404 });
});

test("a known path with another method is 405 with Allow; GET routes answer HEAD", async () => {
  const response = await fetch(`${base}/ok`, { method: "DELETE" });
  expect(response.status).toBe(405);
  expect(response.headers.get("allow")).toBe("GET, HEAD");
  expect((await fetch(`${base}/ok`, { method: "HEAD" })).status).toBe(200);
  expect((await fetch(`${base}/throws`)).status).toBe(405);
});

test("a handler that throws or rejects is answered 500, logged without the request, and the server serves on", async () => {
  expect((await fetch(`${base}/throws`, { method: "POST" })).status).toBe(500);
  expect((await fetch(`${base}/rejects`, { method: "POST" })).status).toBe(500);
  expect((await fetch(`${base}/ok`)).status).toBe(200);
  const logged = lines.join("");
  expect(logged).toContain("boom");
  expect(logged).toContain("later boom");
  expect(logged).not.toContain("c2VjcmV0");
});

test("requestPath takes origin-form targets only", () => {
  expect(requestPath("/a?b")).toBe("/a");
  expect(requestPath("/a")).toBe("/a");
  expect(requestPath("http://evil/a")).toBeNull();
  expect(requestPath("*")).toBeNull();
  expect(requestPath(undefined)).toBeNull();
});
