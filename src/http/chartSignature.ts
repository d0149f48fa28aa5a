import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** The path the usage chart is served from. */
export const USAGE_CHART_PATH = "/charts/usage.png";

function signature(secret: string, month: string, version: string): string {
  return createHmac("sha256", secret).update(`usage-chart|${month}|${version}`).digest("hex");
}

/**
 * A URL Slack can fetch without credentials. It is signed with the app's signing secret so only
 * URLs the app handed out are served; `version` (a digest of the figures) changes the URL when the
 * figures change, so Slack's image cache never shows an old chart.
 */
export function usageChartUrl(publicUrl: string, secret: string, month: string, figures: unknown): string {
  const version = createHash("sha256").update(JSON.stringify(figures)).digest("hex").slice(0, 12);
  const params = new URLSearchParams({ month, v: version, sig: signature(secret, month, version) });
  return `${publicUrl.replace(/\/+$/, "")}${USAGE_CHART_PATH}?${params.toString()}`;
}

export function verifyUsageChartSignature(
  secret: string,
  month: string,
  version: string,
  sig: string,
): boolean {
  const expected = Buffer.from(signature(secret, month, version), "utf8");
  const given = Buffer.from(sig, "utf8");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
