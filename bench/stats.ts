/** Nearest-rank percentile of `values` (ms); NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export interface Summary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary {
  return {
    count: values.length,
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    max: values.length ? Math.max(...values) : Number.NaN,
  };
}

export function ms(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  return value < 10 ? `${value.toFixed(1)} ms` : `${Math.round(value)} ms`;
}

export function seconds(valueMs: number): string {
  return Number.isFinite(valueMs) ? `${(valueMs / 1000).toFixed(2)} s` : "n/a";
}

export interface Row {
  figure: string;
  measured: string;
  baseline: string;
  target: string;
  verdict: "met" | "MISSED" | "-";
}

/** A plain-text table with aligned columns. */
export function table(rows: readonly Row[]): string {
  const header: Row = {
    figure: "Figure",
    measured: "Measured (app)",
    baseline: "Baseline (same run)",
    target: "Target",
    verdict: "-",
  };
  const all = [header, ...rows];
  const widths = {
    figure: Math.max(...all.map((r) => r.figure.length)),
    measured: Math.max(...all.map((r) => r.measured.length)),
    baseline: Math.max(...all.map((r) => r.baseline.length)),
    target: Math.max(...all.map((r) => r.target.length)),
  };
  const line = (r: Row, verdict: string) =>
    `| ${r.figure.padEnd(widths.figure)} | ${r.measured.padEnd(widths.measured)} | ${r.baseline.padEnd(
      widths.baseline,
    )} | ${r.target.padEnd(widths.target)} | ${verdict.padEnd(6)} |`;
  const rule = `|${"-".repeat(widths.figure + 2)}|${"-".repeat(widths.measured + 2)}|${"-".repeat(
    widths.baseline + 2,
  )}|${"-".repeat(widths.target + 2)}|--------|`;
  return [line(header, "Result"), rule, ...rows.map((r) => line(r, r.verdict))].join("\n");
}
