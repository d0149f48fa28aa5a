import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** The path the usage chart is served from. */
export const USAGE_CHART_PATH = "/charts/usage.png";

const HOUR_MS = 60 * 60_000;

/**
 * How long a chart URL is served. Opening the Home tab publishes it again with a fresh URL, so a
 * day covers Slack's fetches and caching; a URL copied out of Slack stops working after it.
 */
export const CHART_URL_TTL_MS = 24 * HOUR_MS;

function signature(secret: string, month: string, version: string, expires: string): string {
  return createHmac("sha256", secret).update(`usage-chart|${month}|${version}|${expires}`).digest("hex");
}

/**
 * A URL Slack can fetch without credentials. It is signed with the app's signing secret so only
 * URLs the app handed out are served, and carries its expiry (Unix seconds, rounded up to the hour
 * so the URL stays the same for an hour and Slack's cache keeps working). `version` (a digest of
 * the figures) changes the URL when the figures change, so Slack's image cache never shows an old
 * chart.
 */
export function usageChartUrl(
  publicUrl: string,
  secret: string,
  month: string,
  figures: unknown,
  now: number = Date.now(),
): string {
  const version = createHash("sha256").update(JSON.stringify(figures)).digest("hex").slice(0, 12);
  const expires = String((Math.ceil((now + CHART_URL_TTL_MS) / HOUR_MS) * HOUR_MS) / 1000);
  const params = new URLSearchParams({
    month,
    v: version,
    exp: expires,
    sig: signature(secret, month, version, expires),
  });
  return `${publicUrl.replace(/\/+$/, "")}${USAGE_CHART_PATH}?${params.toString()}`;
}

/** Whether the app signed exactly these values (the expiry is checked by the caller). */
export function verifyUsageChartSignature(
  secret: string,
  month: string,
  version: string,
  expires: string,
  sig: string,
): boolean {
  const expected = Buffer.from(signature(secret, month, version, expires), "utf8");
  const given = Buffer.from(sig, "utf8");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Whether a signed expiry (Unix seconds) still holds at `now`. An expiry further ahead than the
 * app ever signs is refused too.
 */
export function chartUrlLive(expires: string, now: number): boolean {
  if (!/^\d{1,12}$/.test(expires)) return false;
  const at = Number(expires) * 1000;
  return at > now && at <= now + CHART_URL_TTL_MS + HOUR_MS;
}
