import { PNG } from "pngjs";
import { usageChartData } from "../../../src/http/charts";
import { niceMax, renderBarChart, shortNumber } from "../../../src/http/usageChart";
import type { UsageReport } from "../../../src/services/usage";

function report(lines: number): UsageReport {
  return {
    month: "2026-11",
    previous: "2026-10",
    lines: Array.from({ length: lines }, (_, i) => ({
      lineId: `l${i}`,
      name: `Line ${i}`,
      number: "+19195550100",
      active: true,
      thisMonth: { sent: i * 10, mms: i * 10, sms: 0, received: i },
      lastMonth: { sent: i * 5, mms: 0, sms: i * 5, received: 0 },
    })),
    totals: {
      thisMonth: { sent: 0, mms: 0, sms: 0, received: 0 },
      lastMonth: { sent: 0, mms: 0, sms: 0, received: 0 },
    },
  };
}

describe("the usage chart", () => {
  test("is a PNG with one group per line and bars in the series' colours", () => {
    const { groups, series } = usageChartData(report(3));
    const png = PNG.sync.read(renderBarChart(groups, series));
    expect(groups.map((g) => g.label)).toEqual(["1", "2", "3"]);
    expect(groups[2]?.values).toEqual([10, 20, 0, 2]);
    expect(series.map((s) => s.name)).toEqual(["Sent Oct", "Sent Nov", "Recd Oct", "Recd Nov"]);
    expect(png.width).toBeGreaterThanOrEqual(320);
    // The tallest bar (line 3, sent this month) is drawn in its series' colour.
    const colours = new Set<string>();
    for (let i = 0; i < png.data.length; i += 4)
      colours.add(`${png.data[i]},${png.data[i + 1]},${png.data[i + 2]}`);
    for (const s of series) expect(colours).toContain(s.color.join(","));
  });

  test("draws at most 12 lines, the busiest, keeping their list numbers", () => {
    const { groups } = usageChartData(report(20));
    expect(groups).toHaveLength(12);
    expect(groups.map((g) => g.label)).toEqual([
      "9",
      "10",
      "11",
      "12",
      "13",
      "14",
      "15",
      "16",
      "17",
      "18",
      "19",
      "20",
    ]);
  });

  test("renders an empty report", () => {
    const { groups, series } = usageChartData(report(0));
    expect(PNG.sync.read(renderBarChart(groups, series)).height).toBeGreaterThan(100);
  });

  test("axis helpers", () => {
    expect([0, 1, 3, 7, 10, 11, 180, 999, 1001].map(niceMax)).toEqual([1, 1, 5, 10, 10, 20, 200, 1000, 2000]);
    expect([0, 999, 1000, 1234, 12345, 2_500_000].map(shortNumber)).toEqual([
      "0",
      "999",
      "1K",
      "1.2K",
      "12K",
      "2.5M",
    ]);
  });
});
