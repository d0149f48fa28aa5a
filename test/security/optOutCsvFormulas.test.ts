// Issue 9, finding 4: the opt-out CSV export must not carry spreadsheet formulas, and the
// contacts import must still read an exported file back.
import { parse } from "csv-parse/sync";
import type { Db } from "../../src/db/client";
import { parseContactsCsv } from "../../src/domain/contactCsv";
import { ConsentAdminService } from "../../src/services/consentAdmin";

const since = new Date("2026-05-03T10:00:00Z");
const optedOut = [
  { number: "+12125550143", name: '=HYPERLINK("https://evil.example","click")', reason: "@SUM(1+1)" },
  { number: "+16465550150", name: "-2+3", reason: "\tcmd|' /C calc'!A0" },
  { number: "+13125550199", name: "+Dana", reason: "\r=1+1" },
  { number: "+14155550123", name: "Evan", reason: "asked by email on 3 May" },
];

function service(): ConsentAdminService {
  const db = {
    consent: {
      findMany: async () =>
        optedOut.map((o, i) => ({ number: o.number, lastEventId: `e${i}`, updatedAt: since })),
    },
    consentEvent: {
      findMany: async () =>
        optedOut.map((o, i) => ({
          id: `e${i}`,
          createdAt: since,
          source: "ADMIN",
          actor: "UADMIN1",
          reason: o.reason,
        })),
    },
    contact: { findMany: async () => optedOut.map((o) => ({ number: o.number, name: o.name })) },
  } as unknown as Db;
  return new ConsentAdminService(db, async () => {});
}

const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

test("no exported cell starts a formula, numbers stay readable, and the import reads the file back", async () => {
  const csv = await service().exportOptOutsCsv("line-1");
  const cells = (parse(csv, { relax_column_count: true }) as string[][]).flat();
  expect(cells.filter((cell) => FORMULA_START.test(cell))).toEqual([]);

  const rows = parse(csv, { columns: true }) as Record<string, string>[];
  // A leading apostrophe keeps the cell text; a spreadsheet shows the number itself.
  expect(rows.map((r) => r.number)).toEqual(optedOut.map((o) => `'${o.number}`));
  expect(rows.map((r) => r.reason)).toEqual(
    optedOut.map((o) => (FORMULA_START.test(o.reason) ? `'${o.reason}` : o.reason)),
  );

  const imported = parseContactsCsv(csv);
  expect(imported.error).toBeNull();
  expect(imported.rejected).toEqual([]);
  expect(imported.contacts.map((c) => ({ name: c.name, number: c.number }))).toEqual(
    optedOut.map((o) => ({ name: o.name, number: o.number })),
  );
});
