import { z } from "zod";
import type { Db } from "../db/client";

/** Slack shows at most 100 options in a select, static or external. */
export const MAX_CHOICES = 100;

/** What a teammate may type into a select's search box that the app looks at. */
const MAX_QUERY = 100;

export interface ContactChoice {
  id: string;
  name: string | null;
  number: string;
  /** Opted out of the line chosen in the modal, or of any line while none is chosen. */
  optedOut: boolean;
}

export interface LineChoice {
  id: string;
  name: string;
  number: string;
}

const contactRow = z.object({ id: z.string(), name: z.string().nullable(), number: z.string() });

/** `%`, `_` and `\` typed by someone are literal characters, not LIKE wildcards. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * The group modal's type-ahead: contacts and lines matching what was typed, best matches first.
 * Answers come within Slack's 3 s for options however many contacts there are: prefix matches use
 * the indexes of migration 20261201000400_contact_search, and every query stops at 100 rows.
 */
export class GroupChoicesService {
  constructor(private readonly db: Db) {}

  /**
   * Contacts whose name or number matches `query` (digits typed in any format match the number),
   * in this order: name starts with it, number starts with it, a word of the name starts with it,
   * name or number contains it. An empty query lists the most recently saved or changed contacts.
   */
  async searchContacts(query: string, lineId: string | null): Promise<ContactChoice[]> {
    const q = query.trim().replace(/\s+/g, " ").slice(0, MAX_QUERY).toLowerCase();
    // Digits count as a number only in what has no letters: "Apt 2" is a name, not area code 2xx.
    const digits = /\p{L}/u.test(q) ? "" : q.replace(/\D/g, "");
    const rows = q ? await this.matchingContacts(q, digits) : await this.recentContacts();
    const numbers = rows.map((r) => r.number);
    const optedOut = numbers.length
      ? await this.db.consent.findMany({
          where: {
            status: "OPTED_OUT",
            number: { in: numbers },
            ...(lineId && z.uuid().safeParse(lineId).success ? { lineId } : {}),
          },
          select: { number: true },
        })
      : [];
    const out = new Set(optedOut.map((o) => o.number));
    return rows.map((r) => ({ ...r, optedOut: out.has(r.number) }));
  }

  private recentContacts() {
    return this.db.contact.findMany({
      select: { id: true, name: true, number: true },
      orderBy: [{ updatedAt: "desc" }],
      take: MAX_CHOICES,
    });
  }

  private async matchingContacts(q: string, digits: string) {
    const prefix = `${likeLiteral(q)}%`;
    const wordStart = `% ${likeLiteral(q)}%`;
    const contains = `%${likeLiteral(q)}%`;
    // E.164 numbers: "646..." typed is a national prefix (+1646...), "+44 20..." or "1646..." a full one.
    const nationalPrefix = digits ? `+1${digits}%` : null;
    const fullPrefix = digits ? `+${digits}%` : null;
    // A fragment of two digits or fewer would match nearly every number anywhere inside it.
    const digitsInside = digits.length >= 3 ? `%${digits}%` : null;
    // Each branch is cut at 100 rows on its own, so no branch reads more than it can return; the
    // prefix branches walk an index in order. The last branch is a scan, stopped at 100 matches.
    const rows = await this.db.$queryRaw<unknown[]>`
      SELECT id::text AS id, name, number
      FROM (
        (SELECT id, name, number, 0 AS rank FROM "Contact"
          WHERE lower(name) LIKE ${prefix} ORDER BY lower(name) LIMIT ${MAX_CHOICES})
        UNION ALL
        (SELECT id, name, number, 1 AS rank FROM "Contact"
          WHERE ${nationalPrefix}::text IS NOT NULL
            AND (number LIKE ${nationalPrefix} OR number LIKE ${fullPrefix})
          ORDER BY number LIMIT ${MAX_CHOICES})
        UNION ALL
        (SELECT id, name, number, 2 AS rank FROM "Contact"
          WHERE lower(name) LIKE ${wordStart} ORDER BY lower(name) LIMIT ${MAX_CHOICES})
        UNION ALL
        (SELECT id, name, number, 3 AS rank FROM "Contact"
          WHERE lower(name) LIKE ${contains} OR number LIKE ${digitsInside}
          LIMIT ${MAX_CHOICES})
      ) AS matches
      GROUP BY id, name, number
      ORDER BY min(rank), lower(name) NULLS LAST, number
      LIMIT ${MAX_CHOICES}`;
    return z
      .array(contactRow.passthrough())
      .parse(rows)
      .map(({ id, name, number }) => ({ id, name, number }));
  }

  /** Active lines (group-enabled ones for a group) matching a name or number fragment, by name. */
  async searchLines(query: string, groupOnly = true): Promise<LineChoice[]> {
    const q = query.trim().slice(0, MAX_QUERY);
    const digits = q.replace(/\D/g, "");
    return this.db.line.findMany({
      where: {
        active: true,
        ...(groupOnly ? { groupEnabled: true } : {}),
        ...(q
          ? {
              OR: [
                { name: { contains: q, mode: "insensitive" as const } },
                ...(digits ? [{ number: { contains: digits } }] : []),
              ],
            }
          : {}),
      },
      select: { id: true, name: true, number: true },
      orderBy: [{ name: "asc" }, { number: "asc" }],
      take: MAX_CHOICES,
    });
  }
}
