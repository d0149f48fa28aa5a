import type { LineSeed } from "../config";
import type { Db } from "../db/client";

/**
 * BANDWIDTH_LINES seeds lines on start. A line already in the database keeps what admins changed
 * in the Home tab; only new numbers are added.
 */
export async function seedLines(db: Db, seeds: LineSeed[]): Promise<void> {
  await db.line.createMany({
    data: seeds.map((s) => ({
      number: s.number,
      name: s.name,
      groupEnabled: s.groupEnabled,
      defaultChannel: s.defaultChannel,
    })),
    skipDuplicates: true,
  });
  await db.settings.upsert({ where: { id: 1 }, create: { id: 1 }, update: {} });
}
