import { PNG } from "pngjs";

export interface ChartGroup {
  /** Shown under the group: its number in the figures listed beside the chart. */
  label: string;
  /** Bar heights in series order. */
  values: number[];
}

export interface ChartSeries {
  name: string;
  color: [number, number, number];
}

// A 3×5 pixel font: enough for numbers, labels and a legend without shipping a font file.
const GLYPHS: Record<string, string> = {
  "0": "111101101101111",
  "1": "010110010010111",
  "2": "111001111100111",
  "3": "111001111001111",
  "4": "101101111001001",
  "5": "111100111001111",
  "6": "111100111101111",
  "7": "111001001001001",
  "8": "111101111101111",
  "9": "111101111001111",
  A: "010101111101101",
  B: "110101110101110",
  C: "011100100100011",
  D: "110101101101110",
  E: "111100110100111",
  F: "111100110100100",
  G: "011100101101011",
  H: "101101111101101",
  I: "111010010010111",
  J: "001001001101010",
  K: "101101110101101",
  L: "100100100100111",
  M: "101111111101101",
  N: "110101101101101",
  O: "010101101101010",
  P: "110101110100100",
  Q: "010101101110011",
  R: "110101110101101",
  S: "011100010001110",
  T: "111010010010010",
  U: "101101101101111",
  V: "101101101101010",
  W: "101101111111101",
  X: "101101010101101",
  Y: "101101010010010",
  Z: "111001010100111",
  "-": "000000111000000",
  ".": "000000000000010",
  "/": "001001010100100",
  " ": "000000000000000",
};

const SCALE = 2;
const GLYPH_W = 3 * SCALE;
const GLYPH_H = 5 * SCALE;
const ADVANCE = GLYPH_W + SCALE;

type RGB = [number, number, number];

class Canvas {
  readonly png: PNG;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.png = new PNG({ width, height });
    this.fill(0, 0, width, height, [255, 255, 255]);
  }

  fill(x: number, y: number, w: number, h: number, [r, g, b]: RGB): void {
    const x0 = Math.max(0, Math.floor(x));
    const y0 = Math.max(0, Math.floor(y));
    const x1 = Math.min(this.width, Math.floor(x + w));
    const y1 = Math.min(this.height, Math.floor(y + h));
    if (x1 <= x0) return;
    // One fill per row with the RGBA pattern: far faster than writing bytes one by one.
    const pixel = Buffer.from([r, g, b, 255]);
    for (let py = y0; py < y1; py++) {
      this.png.data.fill(pixel, (py * this.width + x0) * 4, (py * this.width + x1) * 4);
    }
  }

  text(x: number, y: number, text: string, color: RGB): void {
    let cx = x;
    for (const ch of text.toUpperCase()) {
      const glyph = GLYPHS[ch] ?? GLYPHS[" "] ?? "";
      for (let i = 0; i < 15; i++) {
        if (glyph[i] === "1")
          this.fill(cx + (i % 3) * SCALE, y + Math.floor(i / 3) * SCALE, SCALE, SCALE, color);
      }
      cx += ADVANCE;
    }
  }
}

export function textWidth(text: string): number {
  return text.length * ADVANCE - SCALE;
}

/** 1234 → "1.2K", 12345 → "12K", 2500000 → "2.5M". */
export function shortNumber(n: number): string {
  if (n < 1000) return String(n);
  const [value, unit] = n < 1_000_000 ? [n / 1000, "K"] : [n / 1_000_000, "M"];
  return `${value < 10 ? (Math.floor(value * 10) / 10).toString() : Math.floor(value).toString()}${unit}`;
}

/** The smallest "nice" axis maximum (1, 2 or 5 × 10^k) at or above `max`. */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

const AXIS: RGB = [120, 120, 120];
const GRID: RGB = [228, 228, 228];
const INK: RGB = [40, 40, 40];

/** A grouped bar chart as PNG bytes: one group per line, one bar per series, with a legend. */
export function renderBarChart(groups: ChartGroup[], series: ChartSeries[]): Buffer {
  const barW = 8;
  const groupGap = 14;
  const groupW = series.length * barW + groupGap;
  const left = 52;
  const right = 16;
  const legendH = 30;
  const top = legendH + 12;
  const bottom = 26;
  const plotH = 170;
  const legendW = series.reduce((w, s) => w + 14 + textWidth(s.name) + 18, 0);
  const width = Math.max(left + right + Math.max(groups.length, 1) * groupW, legendW + 24, 320);
  const height = top + plotH + bottom;
  const canvas = new Canvas(width, height);

  // Legend
  let lx = 12;
  for (const s of series) {
    canvas.fill(lx, 10, 10, 10, s.color);
    canvas.text(lx + 14, 10, s.name, INK);
    lx += 14 + textWidth(s.name) + 18;
  }

  const max = niceMax(Math.max(0, ...groups.flatMap((g) => g.values)));
  const baseY = top + plotH;
  for (const fraction of [0, 0.5, 1]) {
    const y = Math.round(baseY - fraction * plotH);
    canvas.fill(left, y, width - left - right, 1, fraction === 0 ? AXIS : GRID);
    const label = shortNumber(Math.round(max * fraction));
    canvas.text(left - 6 - textWidth(label), y - Math.floor(GLYPH_H / 2), label, INK);
  }
  canvas.fill(left, top, 1, plotH + 1, AXIS);

  groups.forEach((group, gi) => {
    const gx = left + 8 + gi * groupW;
    series.forEach((s, si) => {
      const value = group.values[si] ?? 0;
      const h = value > 0 ? Math.max(1, Math.round((value / max) * plotH)) : 0;
      canvas.fill(gx + si * barW, baseY - h, barW - 1, h, s.color);
    });
    const labelX = gx + (series.length * barW - textWidth(group.label)) / 2;
    canvas.text(Math.round(labelX), baseY + 8, group.label, INK);
  });
  // The "Sub" filter suits flat colour runs; trying every filter per row is ~100× slower.
  return PNG.sync.write(canvas.png, { filterType: 1 });
}
