import type { IncomingMessage, ServerResponse } from "node:http";
import { isMonthKey, monthKey, monthLabel, previousMonth } from "../domain/usage";
import type { Logger } from "../logger";
import type { UsageReport, UsageService } from "../services/usage";
import { chartUrlLive, USAGE_CHART_PATH, verifyUsageChartSignature } from "./chartSignature";
import { type ChartGroup, type ChartSeries, renderBarChart } from "./usageChart";

const CACHE_MS = 5 * 60_000;
const CACHE_MAX = 50;

/** Lines drawn in the chart at most; the figures beside it list every line. */
export const MAX_CHART_LINES = 12;

/** The chart's groups: the busiest lines, labelled with their number in the report's list. */
export function usageChartData(report: UsageReport): { groups: ChartGroup[]; series: ChartSeries[] } {
  const short = (month: string) => monthLabel(month).slice(0, 3);
  const series: ChartSeries[] = [
    { name: `Sent ${short(report.previous)}`, color: [158, 197, 254] },
    { name: `Sent ${short(report.month)}`, color: [29, 111, 216] },
    { name: `Recd ${short(report.previous)}`, color: [163, 228, 183] },
    { name: `Recd ${short(report.month)}`, color: [31, 157, 85] },
  ];
  const traffic = (l: UsageReport["lines"][number]) =>
    l.thisMonth.sent + l.lastMonth.sent + l.thisMonth.received + l.lastMonth.received;
  const shown = report.lines
    .map((line, index) => ({ line, index }))
    .sort((a, b) => traffic(b.line) - traffic(a.line) || a.index - b.index)
    .slice(0, MAX_CHART_LINES)
    .sort((a, b) => a.index - b.index);
  return {
    series,
    groups: shown.map(({ line, index }) => ({
      label: String(index + 1),
      values: [line.lastMonth.sent, line.thisMonth.sent, line.lastMonth.received, line.thisMonth.received],
    })),
  };
}

/**
 * GET /charts/usage.png?month=YYYY-MM&v=…&exp=…&sig=…: the usage chart, for Slack to fetch into the
 * Home tab. No login (Slack fetches images anonymously), so only URLs signed by the app are served,
 * until they expire.
 */
export function createChartRoute(deps: {
  secret: string;
  usage: UsageService;
  logger: Logger;
  now?: () => number;
}) {
  // Rendered charts by signed URL for a few minutes: Slack (and anyone holding a URL) may fetch
  // one many times, and each render reads two months of messages.
  const cache = new Map<string, { png: Buffer; expires: number }>();
  const now = deps.now ?? Date.now;
  const render = async (month: string, version: string): Promise<Buffer> => {
    const key = `${month}|${version}`;
    const hit = cache.get(key);
    if (hit && hit.expires > now()) return hit.png;
    const { groups, series } = usageChartData(await deps.usage.report(month));
    const png = renderBarChart(groups, series);
    for (const [k, v] of cache) if (v.expires <= now() || cache.size >= CACHE_MAX) cache.delete(k);
    cache.set(key, { png, expires: now() + CACHE_MS });
    return png;
  };
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    const url = new URL(req.url ?? "/", "http://localhost");
    const month = url.searchParams.get("month") ?? "";
    const version = url.searchParams.get("v") ?? "";
    const expires = url.searchParams.get("exp") ?? "";
    const sig = url.searchParams.get("sig") ?? "";
    const refuse = (status: number, why: string) =>
      res.writeHead(status, { "content-type": "text/plain; charset=utf-8" }).end(why);
    if (!verifyUsageChartSignature(deps.secret, month, version, expires, sig))
      return void refuse(403, "bad signature");
    if (!chartUrlLive(expires, now())) return void refuse(403, "link expired");
    if (!isMonthKey(month)) return void refuse(400, "bad month");
    // The Home tab only ever charts this month, so no other month is drawn for anyone; last month
    // stays valid so a URL handed out just before the month turned still works.
    const current = monthKey(new Date(now()));
    if (month !== current && month !== previousMonth(current)) return void refuse(403, "month not offered");
    try {
      const png = await render(month, version);
      res.writeHead(200, {
        "content-type": "image/png",
        "content-length": String(png.length),
        "cache-control": "public, max-age=300",
      });
      res.end(req.method === "HEAD" ? undefined : png);
    } catch (error) {
      deps.logger.error({ err: error }, "usage chart failed");
      if (!res.headersSent) res.writeHead(500).end();
    }
  };
}

export { USAGE_CHART_PATH };
