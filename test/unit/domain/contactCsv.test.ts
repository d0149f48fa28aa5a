import { MAX_IMPORT_ROWS, parseContactsCsv } from "../../../src/domain/contactCsv";

describe("parseContactsCsv", () => {
  test("name,number rows without a header", () => {
    expect(parseContactsCsv("Dana,(212) 555-0101\nEvan,+1 212 555 0102\n")).toEqual({
      contacts: [
        { row: 1, name: "Dana", number: "+12125550101" },
        { row: 2, name: "Evan", number: "+12125550102" },
      ],
      rejected: [],
      error: null,
    });
  });

  test("a header names the columns, in any order; row numbers are the file's lines", () => {
    const parsed = parseContactsCsv("Phone,Notes,Full Name\n2125550101,vip,Dana\n\n2125550102,,Evan");
    expect(parsed.contacts).toEqual([
      { row: 2, name: "Dana", number: "+12125550101" },
      { row: 4, name: "Evan", number: "+12125550102" },
    ]);
  });

  test("number,name without a header is recognised from the first row", () => {
    expect(parseContactsCsv("212-555-0101,Dana\n212-555-0102,Evan").contacts.map((c) => c.name)).toEqual([
      "Dana",
      "Evan",
    ]);
  });

  test("a single column is a list of numbers", () => {
    expect(parseContactsCsv("2125550101\n2125550102").contacts).toEqual([
      { row: 1, name: null, number: "+12125550101" },
      { row: 2, name: null, number: "+12125550102" },
    ]);
  });

  test("missing, malformed and duplicate numbers are rejected with their row and reason", () => {
    const parsed = parseContactsCsv(
      [
        "name,number",
        "Dana,2125550101",
        "Nobody,",
        "Bad,12",
        "Again,(212) 555-0101",
        "Land,+1 800 555 0100",
      ].join("\n"),
    );
    expect(parsed.contacts).toEqual([{ row: 2, name: "Dana", number: "+12125550101" }]);
    expect(parsed.rejected).toEqual([
      { row: 3, reason: "No phone number." },
      { row: 4, reason: "“12” is not a valid phone number." },
      { row: 5, reason: "Duplicate of row 2 (same number)." },
      { row: 6, reason: expect.stringContaining("toll-free") },
    ]);
  });

  test("quoted fields, a BOM, semicolons and CRLF", () => {
    const parsed = parseContactsCsv(
      '\uFEFFname;number\r\n"Whitfield; Dana";"(212) 555-0101"\r\n"Multi\nLine",2125550102\r\n',
    );
    expect(parsed.contacts).toEqual([
      { row: 2, name: "Whitfield; Dana", number: "+12125550101" },
      { row: 3, name: "Multi Line", number: "+12125550102" },
    ]);
  });

  test("names are trimmed, collapsed and cut to 80 characters", () => {
    const [contact] = parseContactsCsv(`  ${"a  b ".repeat(40)} ,2125550101`).contacts;
    expect(contact?.name).toHaveLength(80);
    expect(contact?.name).not.toMatch(/\s\s/);
  });

  test("text that is not CSV is an error, not a partial import", () => {
    expect(parseContactsCsv('Dana,"2125550101\nEvan,2125550102')).toMatchObject({
      contacts: [],
      error: expect.stringContaining("not a CSV file"),
    });
  });

  test("stops after the row limit", () => {
    const rows = Array.from({ length: MAX_IMPORT_ROWS + 5 }, () => "x,");
    const parsed = parseContactsCsv(rows.join("\n"));
    expect(parsed.rejected).toHaveLength(MAX_IMPORT_ROWS + 1);
    expect(parsed.rejected.at(-1)?.reason).toContain("Only the first");
  });
});
