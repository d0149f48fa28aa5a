import { checkNoteMarker, DEFAULT_NOTE_MARKER, isInternalNote } from "../../../src/domain/notes";

describe("isInternalNote", () => {
  test.each([
    ["// who is this guy?", true],
    ["   //who is this guy?", true],
    ["//", true],
    ["\n// on a new line", true],
    ["who is this guy? // not a note", false],
    ["https://example.com is the link", false],
    ["/ one slash", false],
    ["", false],
  ])("%j with the default marker → %s", (text, note) => {
    expect(isInternalNote(text, DEFAULT_NOTE_MARKER)).toBe(note);
  });

  test("another marker", () => {
    expect(isInternalNote("#note call them back", "#note")).toBe(true);
    expect(isInternalNote("// call them back", "#note")).toBe(false);
  });

  test("an empty marker makes nothing a note", () => {
    expect(isInternalNote("anything", "")).toBe(false);
  });
});

describe("checkNoteMarker", () => {
  test.each(["//", "#note", "[internal]", " !! ", "%%"])("accepts %j", (input) => {
    expect(checkNoteMarker(input)).toEqual({ ok: true, marker: input.trim() });
  });

  test.each([
    ["", "cannot be empty"],
    ["   ", "cannot be empty"],
    ["// x", "cannot contain spaces"],
    ["note", "must not start with a letter or a digit"],
    ["1//", "must not start with a letter or a digit"],
    ["Émile", "must not start with a letter or a digit"],
    ["///////////", "at most 10 characters"],
  ])("refuses %j", (input, why) => {
    const result = checkNoteMarker(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(why);
  });
});
