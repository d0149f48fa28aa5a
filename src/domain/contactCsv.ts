import { parse } from "csv-parse/sync";
import { normalizePhone } from "./phone";

/** A row of the file that can be imported. `row` is the line of the file it starts on (1-based). */
export interface CsvContact {
  row: number;
  name: string | null;
  number: string;
}

export interface CsvRejection {
  row: number;
  reason: string;
}

export interface ParsedContactsCsv {
  contacts: CsvContact[];
  rejected: CsvRejection[];
  /** Set when the text is not CSV at all (unbalanced quotes...); nothing is imported then. */
  error: string | null;
}

export const MAX_IMPORT_ROWS = 10_000;
export const MAX_CONTACT_NAME = 80;

const NAME_HEADERS = new Set(["name", "full name", "fullname", "contact", "contact name", "display name"]);
const NUMBER_HEADERS = new Set(["number", "phone", "phone number", "mobile", "mobile number", "cell", "tel"]);

function headerColumns(cells: string[]): { name: number; number: number } | null {
  const lower = cells.map((c) => c.trim().toLowerCase());
  const number = lower.findIndex((c) => NUMBER_HEADERS.has(c));
  if (number < 0) return null;
  return { number, name: lower.findIndex((c) => NAME_HEADERS.has(c)) };
}

/**
 * A `'` before a character a spreadsheet would run as a formula is the mark CSV writers (this
 * app's opt-out export among them, per OWASP) add so the cell stays text; the value is what follows.
 */
const FORMULA_ESCAPE = /^'(?=[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20])/;

function unescapeFormula(cell: string): string {
  return cell.replace(FORMULA_ESCAPE, "");
}

/**
 * Parses a contacts CSV: `name,number` rows, with or without a header row (a header may name the
 * columns in any order: name/number/phone/mobile; without one, `number,name` is recognised from
 * the first row). A one-column file is a list of numbers. Rows are
 * rejected, with the reason, when the number is missing or not a valid mobile number, or when the
 * same number already appeared earlier in the file.
 */
export function parseContactsCsv(text: string): ParsedContactsCsv {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text.replace(/^\uFEFF/, ""), {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      delimiter: [",", ";", "\t"],
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    // csv-parse's own message names its internals; the line it stopped at is what helps.
    const line = (error as { lines?: unknown }).lines;
    const where = typeof line === "number" && line > 0 ? ` near line ${line}` : "";
    return {
      contacts: [],
      rejected: [],
      error: `This is not a CSV file I can read: something${where} is not valid CSV (a quote left open, perhaps).`,
    };
  }
  const contacts: CsvContact[] = [];
  const rejected: CsvRejection[] = [];
  const seen = new Map<string, number>();
  let columns = { name: 0, number: 1 };
  let first = true;
  for (const { record: cells, info } of records) {
    const record = cells.map(unescapeFormula);
    // info.lines is the line the record ends on; a record spanning lines starts earlier.
    const row = info.lines - record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0);
    if (record.every((cell) => cell === "")) continue;
    if (first) {
      first = false;
      const header = headerColumns(record);
      if (header) {
        columns = header;
        continue;
      }
      if (record.length === 1) columns = { name: -1, number: 0 };
      // "number,name" without a header: the first cell is a phone number and the second is not.
      else if (normalizePhone(record[0] ?? "").ok && !normalizePhone(record[1] ?? "").ok) {
        columns = { name: 1, number: 0 };
      }
    }
    if (contacts.length + rejected.length >= MAX_IMPORT_ROWS) {
      rejected.push({ row, reason: `Only the first ${MAX_IMPORT_ROWS} rows of a file are imported.` });
      break;
    }
    const rawNumber = record[columns.number]?.trim() ?? "";
    const rawName = columns.name >= 0 ? (record[columns.name]?.trim() ?? "") : "";
    if (!rawNumber) {
      rejected.push({ row, reason: "No phone number." });
      continue;
    }
    const phone = normalizePhone(rawNumber);
    if (!phone.ok) {
      rejected.push({ row, reason: `${phone.reason}.` });
      continue;
    }
    const earlier = seen.get(phone.e164);
    if (earlier !== undefined) {
      rejected.push({ row, reason: `Duplicate of row ${earlier} (same number).` });
      continue;
    }
    seen.set(phone.e164, row);
    const name = rawName.replace(/\s+/g, " ").slice(0, MAX_CONTACT_NAME) || null;
    contacts.push({ row, name, number: phone.e164 });
  }
  return { contacts, rejected, error: null };
}
