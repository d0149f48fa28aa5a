import type { Db } from "../db/client";
import {
  addMonthUsage,
  aggregateUsage,
  emptyMonthUsage,
  type LineUsage,
  type MonthUsage,
  monthKey,
  monthRange,
  previousMonth,
  type UsageMessage,
} from "../domain/usage";

export interface UsageReport {
  /** "YYYY-MM": this month; `previous` is the month before. */
  month: string;
  previous: string;
  lines: (LineUsage & { name: string; number: string; active: boolean })[];
  totals: { thisMonth: MonthUsage; lastMonth: MonthUsage };
}

const BATCH = 5_000;

/** Texts sent and received per line, this month and last (UTC calendar months). */
export class UsageService {
  constructor(private readonly db: Db) {}

  async report(month: string = monthKey(new Date())): Promise<UsageReport> {
    const previous = previousMonth(month);
    const from = monthRange(previous).start;
    const to = monthRange(month).end;
    const lines = await this.db.line.findMany({ orderBy: [{ active: "desc" }, { name: "asc" }] });
    const lineIds = lines.map((l) => l.id);
    const sums = new Map<string, LineUsage>(aggregateUsage([], month, lineIds).map((u) => [u.lineId, u]));
    // Read in slices by seq, summing each, so a busy month never loads one huge result set.
    let after = -1n;
    for (;;) {
      const batch = await this.db.message.findMany({
        where: {
          seq: { gt: after },
          createdAt: { gte: from, lt: to },
          kind: { in: ["INBOUND", "OUTBOUND", "COMPLIANCE"] },
        },
        orderBy: { seq: "asc" },
        take: BATCH,
        select: {
          seq: true,
          kind: true,
          sendState: true,
          recipients: true,
          segments: true,
          media: true,
          createdAt: true,
          conversation: { select: { lineId: true } },
        },
      });
      const slice: UsageMessage[] = batch.map((m) => ({
        lineId: m.conversation.lineId,
        kind: m.kind,
        sendState: m.sendState,
        recipients: m.recipients.length,
        segments: m.segments,
        mediaCount: m.media.length,
        createdAt: m.createdAt,
      }));
      for (const u of aggregateUsage(slice, month, [])) {
        const sum = sums.get(u.lineId);
        if (!sum) continue;
        for (const bucket of ["thisMonth", "lastMonth"] as const) addMonthUsage(sum[bucket], u[bucket]);
      }
      const last = batch[batch.length - 1];
      if (!last || batch.length < BATCH) break;
      after = last.seq;
    }
    const usage = [...sums.values()];
    const byId = new Map(lines.map((l) => [l.id, l]));
    const totals = { thisMonth: emptyMonthUsage(), lastMonth: emptyMonthUsage() };
    for (const u of usage) {
      addMonthUsage(totals.thisMonth, u.thisMonth);
      addMonthUsage(totals.lastMonth, u.lastMonth);
    }
    return {
      month,
      previous,
      lines: usage.flatMap((u) => {
        const line = byId.get(u.lineId);
        return line ? [{ ...u, name: line.name, number: line.number, active: line.active }] : [];
      }),
      totals,
    };
  }
}
