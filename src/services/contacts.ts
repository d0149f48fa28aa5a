import { type Db, isUniqueViolation, type Prisma } from "../db/client";
import { type CsvRejection, MAX_CONTACT_NAME, parseContactsCsv } from "../domain/contactCsv";
import { formatPhone, normalizePhone } from "../domain/phone";
import type { Contact } from "../generated/prisma/client";
import { type EditResult, errorsOrNull } from "./edits";

export type ContactField = "number" | "name";

export interface ContactPage {
  contacts: Contact[];
  total: number;
  page: number;
  pages: number;
  pageSize: number;
  query: string;
}

export interface ImportSummary {
  added: number;
  updated: number;
  unchanged: number;
  rejected: CsvRejection[];
  /** The file could not be read as CSV; nothing was imported. */
  error: string | null;
}

function cleanName(name: string | null | undefined): string | null {
  return name?.trim().replace(/\s+/g, " ").slice(0, MAX_CONTACT_NAME) || null;
}

/** The address book: search, add, rename, import. Names are what thread labels show. */
export class ContactService {
  constructor(private readonly db: Db) {}

  /** Contacts matching a name or number fragment, by name, one page at a time (page is 0-based). */
  async search(query: string, page: number, pageSize: number): Promise<ContactPage> {
    const q = query.trim().slice(0, 100);
    const digits = q.replace(/\D/g, "");
    const where: Prisma.ContactWhereInput = q
      ? {
          OR: [
            { name: { contains: q, mode: "insensitive" } },
            ...(digits.length >= 3 ? [{ number: { contains: digits } }] : []),
          ],
        }
      : {};
    const total = await this.db.contact.count({ where });
    const pages = Math.max(1, Math.ceil(total / pageSize));
    const current = Math.min(Math.max(0, Math.floor(page)), pages - 1);
    const contacts = await this.db.contact.findMany({
      where,
      orderBy: [{ name: { sort: "asc", nulls: "last" } }, { number: "asc" }],
      skip: current * pageSize,
      take: pageSize,
    });
    return { contacts, total, page: current, pages, pageSize, query: q };
  }

  get(id: string) {
    return this.db.contact.findUnique({ where: { id } });
  }

  async create(
    input: { number: string; name: string },
    actor: string,
  ): Promise<EditResult<Contact, ContactField>> {
    const errors: Partial<Record<ContactField, string>> = {};
    const phone = normalizePhone(input.number);
    if (!phone.ok) errors.number = `${phone.reason}.`;
    else {
      const [existing, line] = await Promise.all([
        this.db.contact.findUnique({ where: { number: phone.e164 } }),
        this.db.line.findUnique({ where: { number: phone.e164 } }),
      ]);
      if (line) errors.number = `${formatPhone(phone.e164)} is the line “${line.name}”, not a contact.`;
      else if (existing) {
        errors.number = `${formatPhone(phone.e164)} is already saved${existing.name ? ` as ${existing.name}` : ""}.`;
      }
    }
    if (input.name.trim().length > MAX_CONTACT_NAME) errors.name = `At most ${MAX_CONTACT_NAME} characters.`;
    const invalid = errorsOrNull(errors);
    if (invalid || !phone.ok) return { status: "invalid", errors: invalid ?? {} };
    try {
      const contact = await this.db.contact.create({
        data: { number: phone.e164, name: cleanName(input.name), createdBy: actor },
      });
      return { status: "saved", value: contact };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return {
        status: "invalid",
        errors: { number: `${formatPhone(phone.e164)} was just saved by someone else.` },
      };
    }
  }

  /** Renames a contact if it is still at `version` (its updatedAt). An empty name clears it. */
  async rename(id: string, version: Date, name: string): Promise<EditResult<Contact, ContactField>> {
    if (name.trim().length > MAX_CONTACT_NAME) {
      return { status: "invalid", errors: { name: `At most ${MAX_CONTACT_NAME} characters.` } };
    }
    const updated = await this.db.contact.updateMany({
      where: { id, updatedAt: version },
      data: { name: cleanName(name) },
    });
    const current = await this.get(id);
    if (!current) return { status: "missing" };
    return updated.count === 1 ? { status: "saved", value: current } : { status: "stale", current };
  }

  /**
   * Imports `name,number` rows. New numbers are added; a known number takes the file's name when the
   * file gives one that differs; a number that is one of the app's lines is rejected.
   */
  async importCsv(text: string, actor: string): Promise<ImportSummary> {
    const parsed = parseContactsCsv(text);
    const summary: ImportSummary = {
      added: 0,
      updated: 0,
      unchanged: 0,
      rejected: [...parsed.rejected],
      error: parsed.error,
    };
    if (parsed.error) return summary;
    const lines = await this.db.line.findMany({
      where: { number: { in: parsed.contacts.map((c) => c.number) } },
    });
    const rows = parsed.contacts.filter((row) => {
      const line = lines.find((l) => l.number === row.number);
      if (line)
        summary.rejected.push({
          row: row.row,
          reason: `${formatPhone(row.number)} is the line “${line.name}”.`,
        });
      return !line;
    });
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500);
      await this.db.$transaction(async (tx) => {
        const existing = await tx.contact.findMany({ where: { number: { in: chunk.map((r) => r.number) } } });
        const known = new Map(existing.map((c) => [c.number, c]));
        const fresh = chunk.filter((r) => !known.has(r.number));
        if (fresh.length) {
          const created = await tx.contact.createMany({
            data: fresh.map((r) => ({ number: r.number, name: r.name, createdBy: actor })),
            skipDuplicates: true,
          });
          summary.added += created.count;
          // Saved by someone else between the read and the insert: counted as already there.
          summary.unchanged += fresh.length - created.count;
        }
        for (const row of chunk) {
          const contact = known.get(row.number);
          if (!contact) continue;
          if (row.name && row.name !== contact.name) {
            await tx.contact.update({ where: { id: contact.id }, data: { name: row.name } });
            summary.updated += 1;
          } else summary.unchanged += 1;
        }
      });
    }
    summary.rejected.sort((a, b) => a.row - b.row);
    return summary;
  }
}
