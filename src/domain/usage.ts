/** Texting usage per line and calendar month (UTC), counted the way carriers bill. */

export interface UsageMessage {
  lineId: string;
  kind: "INBOUND" | "OUTBOUND" | "NOTICE" | "COMPLIANCE";
  sendState: "NONE" | "QUEUED" | "SENDING" | "IN_DOUBT" | "SENT" | "FAILED" | "BLOCKED" | "UNCONFIRMED";
  /** How many numbers the text went to. */
  recipients: number;
  segments: number;
  createdAt: Date;
}

export interface MonthUsage {
  /** Billable texts sent: each recipient × segment (a media-only MMS counts as one). */
  sent: number;
  /** Texts received from contacts. */
  received: number;
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

/** Billable texts one stored message cost: only texts Bandwidth accepted count. */
export function billableTexts(message: Pick<UsageMessage, "kind" | "sendState" | "recipients" | "segments">) {
  if (message.kind !== "OUTBOUND" && message.kind !== "COMPLIANCE") return 0;
  if (message.sendState !== "SENT") return 0;
  return message.recipients * Math.max(message.segments, 1);
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
    lineIds.map((lineId) => [
      lineId,
      { lineId, thisMonth: { sent: 0, received: 0 }, lastMonth: { sent: 0, received: 0 } },
    ]),
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
      usage = {
        lineId: message.lineId,
        thisMonth: { sent: 0, received: 0 },
        lastMonth: { sent: 0, received: 0 },
      };
      byLine.set(message.lineId, usage);
    }
    if (message.kind === "INBOUND") usage[bucket].received += 1;
    else usage[bucket].sent += billableTexts(message);
  }
  return [...byLine.values()];
}
