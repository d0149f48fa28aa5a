/** Texting usage per line and calendar month (UTC), counted the way carriers bill. */

import { estimateSegments } from "./segments";

export interface UsageMessage {
  lineId: string;
  kind: "INBOUND" | "OUTBOUND" | "NOTICE" | "COMPLIANCE";
  sendState: "NONE" | "QUEUED" | "SENDING" | "IN_DOUBT" | "SENT" | "FAILED" | "BLOCKED" | "UNCONFIRMED";
  /** How many numbers the text went to. */
  recipients: number;
  segments: number;
  /** Media attached (any makes it an MMS). */
  mediaCount: number;
  createdAt: Date;
}

export interface MonthUsage {
  /** Billable messages sent, MMS and SMS together. */
  sent: number;
  /** Group texts and texts with media: one MMS per recipient. */
  mms: number;
  /** Texts to one number without media: one SMS per segment. */
  sms: number;
  /** Texts received from contacts. */
  received: number;
}

export function emptyMonthUsage(): MonthUsage {
  return { sent: 0, mms: 0, sms: 0, received: 0 };
}

export interface LineUsage {
  lineId: string;
  thisMonth: MonthUsage;
  lastMonth: MonthUsage;
}

/** "YYYY-MM" of a date, in UTC. */
export function monthKey(date: Date): string {
  return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, "0")}`;
}

const MONTH_KEY = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isMonthKey(value: string): boolean {
  return MONTH_KEY.test(value);
}

/** [start, end) of a "YYYY-MM" month in UTC. */
export function monthRange(key: string): { start: Date; end: Date } {
  const m = MONTH_KEY.exec(key);
  if (!m) throw new Error(`not a month: ${key}`);
  const year = Number(m[1]);
  const month = Number(m[2]) - 1;
  return { start: new Date(Date.UTC(year, month, 1)), end: new Date(Date.UTC(year, month + 1, 1)) };
}

export function previousMonth(key: string): string {
  const { start } = monthRange(key);
  return monthKey(new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() - 1, 1)));
}

/** "November 2026" */
export function monthLabel(key: string): string {
  return monthRange(key).start.toLocaleString("en-US", { month: "long", year: "numeric", timeZone: "UTC" });
}

/**
 * What one stored message was billed, as carriers bill it (see estimateSend): only texts Bandwidth
 * accepted count.
 */
export function billed(
  message: Pick<UsageMessage, "kind" | "sendState" | "recipients" | "segments" | "mediaCount">,
): { mms: number; sms: number } {
  if (message.kind !== "OUTBOUND" && message.kind !== "COMPLIANCE") return { mms: 0, sms: 0 };
  if (message.sendState !== "SENT") return { mms: 0, sms: 0 };
  const { channel, messages } = estimateSegments(message.recipients, message.segments, message.mediaCount);
  return channel === "MMS" ? { mms: messages, sms: 0 } : { mms: 0, sms: messages };
}

/** Billable messages one stored message cost, MMS and SMS together. */
export function billableTexts(
  message: Pick<UsageMessage, "kind" | "sendState" | "recipients" | "segments" | "mediaCount">,
): number {
  const { mms, sms } = billed(message);
  return mms + sms;
}

/**
 * Sums messages into per-line usage for `month` ("this month") and the month before. Messages
 * outside those two months are ignored; every line in `lineIds` gets an entry, even with no
 * traffic, in that order.
 */
export function aggregateUsage(
  messages: Iterable<UsageMessage>,
  month: string,
  lineIds: string[],
): LineUsage[] {
  const current = monthRange(month);
  const previous = monthRange(previousMonth(month));
  const byLine = new Map<string, LineUsage>(
    lineIds.map((lineId) => [lineId, { lineId, thisMonth: emptyMonthUsage(), lastMonth: emptyMonthUsage() }]),
  );
  for (const message of messages) {
    const at = message.createdAt.getTime();
    const bucket =
      at >= current.start.getTime() && at < current.end.getTime()
        ? "thisMonth"
        : at >= previous.start.getTime() && at < previous.end.getTime()
          ? "lastMonth"
          : null;
    if (!bucket) continue;
    let usage = byLine.get(message.lineId);
    if (!usage) {
      usage = { lineId: message.lineId, thisMonth: emptyMonthUsage(), lastMonth: emptyMonthUsage() };
      byLine.set(message.lineId, usage);
    }
    if (message.kind === "INBOUND") usage[bucket].received += 1;
    else addBilled(usage[bucket], billed(message));
  }
  return [...byLine.values()];
}

/** Adds `billed` into `into` (sent is their sum). */
export function addBilled(into: MonthUsage, billedNow: { mms: number; sms: number }): void {
  into.mms += billedNow.mms;
  into.sms += billedNow.sms;
  into.sent += billedNow.mms + billedNow.sms;
}

/** Adds one month's figures into another. */
export function addMonthUsage(into: MonthUsage, from: MonthUsage): void {
  addBilled(into, from);
  into.received += from.received;
}
