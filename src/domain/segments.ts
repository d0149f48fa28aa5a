import { z } from "zod";
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

/**
 * How carriers bill one send. A text to several numbers at once travels as one group MMS, billed
 * as one MMS per recipient whatever its length; so does anything with media. A text alone to one
 * number is SMS, one per GSM-7 or UCS-2 segment. MMS and SMS are priced apart, so they are kept apart.
 */
export interface SendEstimate {
  channel: "MMS" | "SMS";
  recipients: number;
  /** Billed messages: MMS per recipient, or SMS per recipient × segment. */
  messages: number;
  segments: number;
  encoding: Encoding;
}

export function estimateSend(recipients: number, text: string, mediaCount = 0): SendEstimate {
  const { segments, encoding } = countSegments(text);
  return { ...estimateSegments(recipients, segments, mediaCount), segments, encoding };
}

/** The billing rule itself, for a text whose segments are already known (stored usage). */
export function estimateSegments(
  recipients: number,
  segments: number,
  mediaCount = 0,
): Pick<SendEstimate, "channel" | "recipients" | "messages"> {
  if (recipients > 1 || mediaCount > 0) return { channel: "MMS", recipients, messages: recipients };
  return { channel: "SMS", recipients, messages: messageCost(recipients, segments) };
}

export function describeEstimate(estimate: SendEstimate): string {
  const { channel, recipients, messages, segments, encoding } = estimate;
  if (channel === "MMS") {
    return recipients > 1
      ? `${messages} MMS (group text: 1 per contact, any length)`
      : `${messages} MMS (1 contact, with media)`;
  }
  const parts = Math.max(segments, 1);
  const why = encoding === "UCS-2" && parts > 1 ? ", UCS-2" : "";
  return `${messages} SMS (${plural(recipients, "contact")} × ${plural(parts, "segment")}${why})`;
}

export function describeCost(recipients: number, text: string, mediaCount = 0): string {
  return describeEstimate(estimateSend(recipients, text, mediaCount));
}

/**
 * The same text sent to each contact on their own (one-to-one, multi-recipient): each is a text
 * to one number, SMS segments (or one MMS with media), never a group MMS.
 */
export function describeSeparateCost(recipients: number, text: string, mediaCount = 0): string {
  if (recipients <= 1) return describeCost(recipients, text, mediaCount);
  const one = estimateSend(1, text, mediaCount);
  if (one.channel === "MMS") return `${recipients} MMS (1 per contact, sent separately, with media)`;
  return `${describeEstimate({ ...one, recipients, messages: one.messages * recipients })}, each sent separately`;
}

/** Common characters outside GSM-7 that word processors and phones type, with a plain GSM-7 stand-in. */
const PLAIN_STAND_INS: ReadonlyMap<string, string> = new Map([
  ["\u2014", "-"], // em dash
  ["\u2013", "-"], // en dash
  ["\u2018", "'"],
  ["\u2019", "'"],
  ["\u201A", "'"],
  ["\u201C", '"'],
  ["\u201D", '"'],
  ["\u201E", '"'],
  ["\u2026", "..."],
  ["\u00A0", " "], // no-break space
  ["\u2022", "-"], // bullet
]);

/** The distinct characters that make a text UCS-2 (so 70 characters a segment instead of 160). */
export function ucs2Characters(text: string): string[] {
  const found = new Set<string>();
  for (const ch of text) {
    if (countSegments(ch).encoding === "UCS-2") found.add(ch);
  }
  return [...found];
}

/** The text with typographic punctuation replaced by plain characters; other characters are kept. */
export function withPlainPunctuation(text: string): string {
  return Array.from(text, (ch) => PLAIN_STAND_INS.get(ch) ?? ch).join("");
}

/** A segment count the database can hold (PostgreSQL integer); anything else is not Bandwidth's figure. */
export const segmentCountSchema = z.number().int().min(0).max(2_147_483_647);
