import { parseLineNumber } from "../../../src/domain/lineNumber";

describe("parseLineNumber", () => {
  test("mobile-capable numbers, as for contacts", () => {
    expect(parseLineNumber("(919) 555-0100", true)).toEqual({ ok: true, e164: "+19195550100" });
    expect(parseLineNumber("+44 7911 123456", false)).toEqual({ ok: true, e164: "+447911123456" });
  });

  test("toll-free lines text 1:1 but cannot do group texts", () => {
    expect(parseLineNumber("+1 800 555 0100", false)).toEqual({ ok: true, e164: "+18005550100" });
    expect(parseLineNumber("+1 800 555 0100", true)).toMatchObject({
      ok: false,
      reason: expect.stringContaining("toll-free"),
    });
  });

  test("a landline may be a (text-enabled) line", () => {
    expect(parseLineNumber("+44 20 7946 0958", false)).toEqual({ ok: true, e164: "+442079460958" });
  });

  test("garbage, extensions and empty input are refused", () => {
    for (const input of ["", "555-01", "hello", "+1 919 555 0100 ext. 12"]) {
      expect(parseLineNumber(input, false).ok).toBe(false);
    }
  });
});
