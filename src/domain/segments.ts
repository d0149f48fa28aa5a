/** Bandwidth rejects message text longer than this many characters. */
export const MAX_TEXT_LENGTH = 2048;

export type Encoding = "GSM-7" | "UCS-2";

export interface SegmentCount {
  encoding: Encoding;
  /** Septets for GSM-7 (extension characters count 2), UTF-16 code units for UCS-2. */
  units: number;
  segments: number;
}

// GSM 03.38 default alphabet. ESC (0x1B) is left out: it is the escape
// prefix for the extension table, not a character a user can send.
const GSM_BASIC = new Set(
  Array.from(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
      "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
  ),
);
// Extension table: each is sent as ESC + char, so costs two septets.
const GSM_EXTENDED = new Set(Array.from("\f^{}\\[~]|€"));

const GSM_SINGLE = 160;
const GSM_MULTI = 153; // 7 septets per part go to the concatenation header
const UCS2_SINGLE = 70;
const UCS2_MULTI = 67;

/**
 * Packs characters greedily into concatenated parts. A character is never
 * split across parts (an ESC+char pair, or a UTF-16 surrogate pair), as
 * handsets and carriers do, so a part may end a unit short of capacity and
 * the result can exceed ceil(units / capacity) by one.
 */
function packSegments(widths: readonly number[], units: number, single: number, multi: number): number {
  if (units === 0) return 0;
  if (units <= single) return 1;
  let segments = 1;
  let used = 0;
  for (const w of widths) {
    if (used + w > multi) {
      segments += 1;
      used = 0;
    }
    used += w;
  }
  return segments;
}

export function countSegments(text: string): SegmentCount {
  // Iterating by code point keeps surrogate pairs together for UCS-2
  // packing, while `units` still counts UTF-16 code units as carriers bill.
  const chars = Array.from(text);
  const gsmWidths: number[] = [];
  let isGsm = true;
  for (const ch of chars) {
    if (GSM_BASIC.has(ch)) gsmWidths.push(1);
    else if (GSM_EXTENDED.has(ch)) gsmWidths.push(2);
    else {
      isGsm = false;
      break;
    }
  }

  if (isGsm) {
    const units = gsmWidths.reduce((sum, w) => sum + w, 0);
    return { encoding: "GSM-7", units, segments: packSegments(gsmWidths, units, GSM_SINGLE, GSM_MULTI) };
  }
  const ucsWidths = chars.map((ch) => ch.length);
  const units = text.length;
  return { encoding: "UCS-2", units, segments: packSegments(ucsWidths, units, UCS2_SINGLE, UCS2_MULTI) };
}

/**
 * Billable messages for one send. A media-only MMS has no text segments
 * but is still one message per recipient.
 */
export function messageCost(recipients: number, segments: number): number {
  return recipients * Math.max(segments, 1);
}

function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : pluralForm}`;
}

export function describeCost(recipients: number, text: string): string {
  const segments = Math.max(countSegments(text).segments, 1);
  const total = messageCost(recipients, segments);
  return `${plural(total, "text")} (${plural(recipients, "contact")} × ${plural(segments, "segment")})`;
}
