import { usageChartUrl, verifyUsageChartSignature } from "../../../src/http/chartSignature";

describe("signed chart URLs", () => {
  const secret = "signing-secret";

  test("a URL the app made verifies; any change to it does not", () => {
    const url = new URL(usageChartUrl("https://texts.example.com/", secret, "2026-11", { a: 1 }));
    expect(url.origin + url.pathname).toBe("https://texts.example.com/charts/usage.png");
    const month = url.searchParams.get("month") ?? "";
    const v = url.searchParams.get("v") ?? "";
    const exp = url.searchParams.get("exp") ?? "";
    const sig = url.searchParams.get("sig") ?? "";
    expect(verifyUsageChartSignature(secret, month, v, exp, sig)).toBe(true);
    expect(verifyUsageChartSignature(secret, "2026-10", v, exp, sig)).toBe(false);
    expect(verifyUsageChartSignature(secret, month, "000000000000", exp, sig)).toBe(false);
    expect(verifyUsageChartSignature(secret, month, v, String(Number(exp) + 3600), sig)).toBe(false);
    expect(verifyUsageChartSignature("other-secret", month, v, exp, sig)).toBe(false);
    expect(verifyUsageChartSignature(secret, month, v, exp, sig.slice(1))).toBe(false);
    expect(verifyUsageChartSignature(secret, month, v, exp, "")).toBe(false);
  });

  test("the URL changes when the figures change, so Slack's image cache never shows old ones", () => {
    expect(usageChartUrl("https://x", secret, "2026-11", { a: 1 })).not.toBe(
      usageChartUrl("https://x", secret, "2026-11", { a: 2 }),
    );
    const now = Date.UTC(2026, 10, 5, 10, 0, 1);
    expect(usageChartUrl("https://x", secret, "2026-11", { a: 1 }, now)).toBe(
      usageChartUrl("https://x", secret, "2026-11", { a: 1 }, now + 30 * 60_000),
    );
  });
});
