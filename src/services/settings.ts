import type { Db } from "../db/client";

/** Workspace-wide settings (one row, id 1). */
export class SettingsService {
  constructor(private readonly db: Db) {}

  get() {
    return this.db.settings.upsert({ where: { id: 1 }, create: { id: 1 }, update: {} });
  }

  /** Whether texts from a thread reply carry the teammate's name. */
  setAppendSenderName(value: boolean) {
    return this.db.settings.upsert({
      where: { id: 1 },
      create: { id: 1, appendSenderName: value },
      update: { appendSenderName: value },
    });
  }
}
