import type { Db } from "../db/client";
import { checkNoteMarker } from "../domain/notes";

/** Workspace-wide settings (one row, id 1). */
export class SettingsService {
  constructor(private readonly db: Db) {}

  get() {
    return this.db.settings.upsert({ where: { id: 1 }, create: { id: 1 }, update: {} });
  }

  /** The note marker, if `input` is a usable one (see domain/notes). */
  async setNoteMarker(input: string): Promise<{ ok: true; marker: string } | { ok: false; error: string }> {
    const checked = checkNoteMarker(input);
    if (!checked.ok) return checked;
    await this.db.settings.upsert({
      where: { id: 1 },
      create: { id: 1, noteMarker: checked.marker },
      update: { noteMarker: checked.marker },
    });
    return checked;
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
