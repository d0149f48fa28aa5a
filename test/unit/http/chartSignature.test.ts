import { usageChartUrl, verifyUsageChartSignature } from "../../../src/http/chartSignature";

describe("signed chart URLs", () => {
  const secret = "signing-secret";

  test("a URL the app made verifies; any change to it does not", () => {
    const url = new URL(usageChartUrl("https://texts.example.com/", secret, "2026-11", { a: 1 }));
    expect(url.origin + url.pathname).toBe("https://texts.example.com/charts/usage.png");
    const month = url.searchParams.get("month") ?? "";
    const v = url.searchParams.get("v") ?? "";
    const sig = url.searchParams.get("sig") ?? "";
    expect(verifyUsageChartSignature(secret, month, v, sig)).toBe(true);
    expect(verifyUsageChartSignature(secret, "2026-10", v, sig)).toBe(false);
    expect(verifyUsageChartSignature(secret, month, "000000000000", sig)).toBe(false);
    expect(verifyUsageChartSignature("other-secret", month, v, sig)).toBe(false);
    expect(verifyUsageChartSignature(secret, month, v, sig.slice(1))).toBe(false);
    expect(verifyUsageChartSignature(secret, month, v, "")).toBe(false);
  });

  test("the URL changes when the figures change, so Slack's image cache never shows old ones", () => {
    expect(usageChartUrl("https://x", secret, "2026-11", { a: 1 })).not.toBe(
      usageChartUrl("https://x", secret, "2026-11", { a: 2 }),
    );
    expect(usageChartUrl("https://x", secret, "2026-11", { a: 1 })).toBe(
      usageChartUrl("https://x", secret, "2026-11", { a: 1 }),
    );
  });
});
