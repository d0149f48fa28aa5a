import http from "node:http";
import type { AddressInfo } from "node:net";
import { usageChartUrl } from "../../src/http/chartSignature";
import { createChartRoute } from "../../src/http/charts";
import { createLogger } from "../../src/logger";
import type { UsageReport, UsageService } from "../../src/services/usage";

/*
 * Issue 9, finding 9: signed chart URLs never expired, and a signature for any month was served.
 * A URL must stop working after its expiry, and only months the Home tab offers are drawn.
 */

const SECRET = "chart-signing-secret";
const HOUR = 60 * 60_000;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0); // 20 November 2026

let clock = NOW;
let server: http.Server;
let base: string;

const usage = {
  async report(month: string): Promise<UsageReport> {
    return {
      month,
      previous: month,
      lines: [
        {
          lineId: "l1",
          number: "+19195550100",
          name: "Sales",
          thisMonth: { sent: 3, received: 1 },
          lastMonth: { sent: 2, received: 0 },
        },
      ],
    } as unknown as UsageReport;
  },
} as unknown as UsageService;

beforeAll(async () => {
  const route = createChartRoute({ secret: SECRET, usage, logger: createLogger("silent"), now: () => clock });
  server = http.createServer((req, res) => void route(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** Fetches a URL the app signed (for publicUrl `base`) at time `at`. */
async function fetchAt(url: string, at: number): Promise<number> {
  clock = at;
  return (await fetch(url)).status;
}

test("a chart URL is served until its expiry and refused after it", async () => {
  const url = usageChartUrl(base, SECRET, "2026-11", { figures: 1 }, NOW);
  expect(await fetchAt(url, NOW)).toBe(200);
  expect(await fetchAt(url, NOW + 23 * HOUR)).toBe(200);
  expect(await fetchAt(url, NOW + 26 * HOUR)).toBe(403);
  expect(await fetchAt(url, NOW + 90 * 24 * HOUR)).toBe(403);
});

test("an expiry moved by hand breaks the signature", async () => {
  const url = new URL(usageChartUrl(base, SECRET, "2026-11", { figures: 1 }, NOW - 48 * HOUR));
  expect(await fetchAt(url.href, NOW)).toBe(403);
  url.searchParams.set("exp", String(Math.floor((NOW + 10 * HOUR) / 1000)));
  expect(await fetchAt(url.href, NOW)).toBe(403);
});

test("only this month and last month are drawn, even with a valid signature", async () => {
  expect(await fetchAt(usageChartUrl(base, SECRET, "2026-11", { f: 1 }, NOW), NOW)).toBe(200);
  expect(await fetchAt(usageChartUrl(base, SECRET, "2026-10", { f: 1 }, NOW), NOW)).toBe(200);
  for (const month of ["2026-09", "2025-11", "2026-12", "1999-01", "9999-12"])
    expect({ month, status: await fetchAt(usageChartUrl(base, SECRET, month, { f: 1 }, NOW), NOW) }).toEqual({
      month,
      status: 403,
    });
});
