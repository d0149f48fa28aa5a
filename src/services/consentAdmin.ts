import { stringify } from "csv-stringify/sync";
import type { Db } from "../db/client";
import { normalizePhone } from "../domain/phone";
import { changeConsent } from "./consent";

export interface ManualConsentChange {
  lineId: string;
  /** As typed by the admin; normalised here. */
  number: string;
  status: "OPTED_IN" | "OPTED_OUT";
  /** Slack user id of the admin. */
  actor: string;
  reason: string;
}

export type ManualConsentResult =
  | { ok: true; changed: boolean; number: string }
  | { ok: false; field: "number" | "reason" | "line"; error: string };

/**
 * Consent changed by hand (a request made by phone or email). Recorded with who did it and why,
 * and shown in every thread of that line the number is in. No text is sent: the contact did not
 * text a keyword.
 */
export class ConsentAdminService {
  constructor(
    private readonly db: Db,
    private readonly requestThreadSync: (conversationId: string) => Promise<void>,
  ) {}

  async change(input: ManualConsentChange): Promise<ManualConsentResult> {
    const phone = normalizePhone(input.number);
    if (!phone.ok) return { ok: false, field: "number", error: phone.reason };
    const reason = input.reason.trim();
    if (!reason)
      return { ok: false, field: "reason", error: "Say why (for example: “asked by email on 3 May”)." };
    const line = await this.db.line.findUnique({ where: { id: input.lineId } });
    if (!line) return { ok: false, field: "line", error: "That line no longer exists." };
    const result = await this.db.$transaction((tx) =>
      changeConsent(tx, {
        lineId: line.id,
        number: phone.e164,
        status: input.status,
        source: "ADMIN",
        actor: input.actor,
        reason: reason.slice(0, 500),
      }),
    );
    for (const id of result?.affected ?? []) await this.requestThreadSync(id);
    return { ok: true, changed: result !== null, number: phone.e164 };
  }

  /** Numbers currently opted out of a line, newest first. */
  async optedOut(lineId: string, take = 200) {
    const consents = await this.db.consent.findMany({
      where: { lineId, status: "OPTED_OUT" },
      orderBy: { updatedAt: "desc" },
      take,
    });
    const [events, contacts] = await Promise.all([
      this.db.consentEvent.findMany({ where: { id: { in: consents.map((c) => c.lastEventId) } } }),
      this.db.contact.findMany({ where: { number: { in: consents.map((c) => c.number) } } }),
    ]);
    return consents.map((c) => {
      const event = events.find((e) => e.id === c.lastEventId);
      return {
        number: c.number,
        name: contacts.find((x) => x.number === c.number)?.name ?? null,
        since: event?.createdAt ?? c.updatedAt,
        source: event?.source ?? "KEYWORD",
        actor: event?.actor ?? null,
        reason: event?.reason ?? null,
      };
    });
  }

  /**
   * The opt-out list of a line as CSV, for carriers' and auditors' requests. Cells that a
   * spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR: every `+1…` number, an
   * admin's reason) get a leading `'` (OWASP's CSV-injection advice): spreadsheets then show the
   * cell as text, numbers included, and the contacts import strips the mark when reading it back.
   */
  async exportOptOutsCsv(lineId: string): Promise<string> {
    const rows = await this.optedOut(lineId, 100_000);
    return stringify(
      rows.map((r) => [
        r.number,
        r.name ?? "",
        r.since.toISOString(),
        r.source.toLowerCase(),
        r.actor ?? "",
        r.reason ?? "",
      ]),
      {
        header: true,
        columns: ["number", "name", "opted_out_at", "source", "changed_by", "reason"],
        escape_formulas: true,
      },
    );
  }

  /** Every consent change of one number on one line, oldest first. */
  async history(lineId: string, number: string) {
    return this.db.consentEvent.findMany({ where: { lineId, number }, orderBy: { createdAt: "asc" } });
  }
}
