import fc from "fast-check";
import { formatPhone, normalizePhone, splitPhoneList } from "../../../src/domain/phone";

describe("normalizePhone", () => {
  it.each([
    ["(212) 555-0143", "+12125550143"],
    ["212.555.0143", "+12125550143"],
    ["+1 212 555 0143", "+12125550143"],
    ["2125550143", "+12125550143"],
    ["1-212-555-0143", "+12125550143"],
    ["+1 (212) 555-0143", "+12125550143"],
    ["  212-555-0143  ", "+12125550143"],
    ["+12125550143", "+12125550143"],
    ["２１２５５５０１４３", "+12125550143"], // full-width digits
    ["+1 919 555 0100", "+19195550100"],
    ["(919) 555-0199", "+19195550199"],
    ["+1 416 555 0143", "+14165550143"], // Canada
    ["+1 242 555 0143", "+12425550143"], // Bahamas: fictional range needs the fallback
    ["+1 868 555 0100", "+18685550100"], // Trinidad: same
    ["+1 876 555 0100", "+18765550100"], // Jamaica, typed MOBILE
    ["+1 212 456 7890", "+12124567890"],
    ["+33 6 12 34 56 78", "+33612345678"], // French mobile
    ["+49 151 23456789", "+4915123456789"], // German mobile
    ["+61 4 1234 5678", "+61412345678"], // Australian mobile
    ["011 33 6 12 34 56 78", "+33612345678"], // US international dialling prefix
  ])("accepts %j as %s", (input, e164) => {
    expect(normalizePhone(input)).toEqual({ ok: true, e164 });
  });

  it("uses the default country for national numbers", () => {
    expect(normalizePhone("06 12 34 56 78", "FR")).toEqual({ ok: true, e164: "+33612345678" });
    expect(normalizePhone("07700 900123", "GB").ok).toBe(false); // Ofcom drama range, invalid
    expect(normalizePhone("07400 123456", "GB")).toEqual({ ok: true, e164: "+447400123456" });
  });

  it.each([
    ["12", "“12” is not a valid phone number"],
    ["hello", "“hello” is not a valid phone number"],
    ["call 212-555-0143 now", "“call 212-555-0143 now” is not a valid phone number"],
    ["212555014", "“212555014” is not a valid phone number"],
    ["21255501430", "“21255501430” is not a valid phone number"],
    ["+1 211 555 0100", "“+1 211 555 0100” is not a valid phone number"], // N11 area code
    ["+1 299 555 0100", "“+1 299 555 0100” is not a valid phone number"], // unassigned area code
    ["+1 555 555 0100", "“+1 555 555 0100” is not a valid phone number"],
    ["+1 212 155 0100", "“+1 212 155 0100” is not a valid phone number"], // exchange starts with 1
    ["1-800-FLOWERS", "“1-800-FLOWERS” is not a valid phone number"],
    ["+1 800 555 0100", "“+1 800 555 0100” is a toll-free number, not a mobile number"],
    ["(888) 555-0100", "“(888) 555-0100” is a toll-free number, not a mobile number"],
    ["+1 900 555 0100", "“+1 900 555 0100” is a premium-rate number, not a mobile number"],
    ["+44 20 7946 0958", "“+44 20 7946 0958” is a landline number, not a mobile number"],
    ["+49 30 1234567", "“+49 30 1234567” is a landline number, not a mobile number"],
    ["212-555-0143 ext. 12", "“212-555-0143 ext. 12” includes an extension, which can't receive texts"],
    ["", "No phone number was entered"],
    ["   ", "No phone number was entered"],
  ])("rejects %j", (input, reason) => {
    expect(normalizePhone(input)).toEqual({ ok: false, input, reason });
  });

  // One example per rejected type, each confirmed against the `max` metadata.
  it.each([
    ["+33 810 123 456", "a shared-cost number"],
    ["+61 1300 123 456", "a shared-cost number"],
    ["+44 843 123 4567", "a premium-rate number"],
    ["+44 7640 123456", "a pager number"],
    ["+44 55 1234 5678", "a universal access number"],
    ["+353 818 123 456", "a universal access number"],
    ["+47 812 09 958", "a voicemail access number"],
    ["+61 1800 123 456", "a toll-free number"],
  ])("rejects %s as %s", (input, kind) => {
    expect(normalizePhone(input)).toEqual({
      ok: false,
      input,
      reason: `“${input}” is ${kind}, not a mobile number`,
    });
  });

  it.each([
    ["+44 56 1234 5678"], // VOIP
    ["+852 8260 8882"], // PERSONAL_NUMBER
    ["+1 500 555 0100"], // NANP 5XX personal communication service
  ])("accepts %s, which may be able to receive texts", (input) => {
    expect(normalizePhone(input).ok).toBe(true);
  });

  it("accepts every NANP fictional 555-01xx number for a real area code", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("212", "919", "415", "312", "617", "416", "604", "242", "441", "868", "787"),
        fc.integer({ min: 0, max: 99 }),
        (area, line) => {
          const tail = String(line).padStart(2, "0");
          const result = normalizePhone(`(${area}) 555-01${tail}`);
          expect(result).toEqual({ ok: true, e164: `+1${area}55501${tail}` });
        },
      ),
    );
  });

  it("is idempotent on its own output", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), (n) => {
        const first = normalizePhone(`212 555 ${String(n).padStart(4, "0")}`);
        if (first.ok) expect(normalizePhone(first.e164)).toEqual(first);
      }),
    );
  });

  it("never throws on arbitrary input", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const r = normalizePhone(s);
        if (r.ok) expect(r.e164).toMatch(/^\+[1-9]\d{6,14}$/);
        else expect(r.input).toBe(s);
      }),
    );
  });
});

describe("formatPhone", () => {
  it.each([
    ["+12125550143", "(212) 555-0143"],
    ["+14165550143", "(416) 555-0143"],
    ["+12425550143", "(242) 555-0143"],
    ["+447400123456", "+44 7400 123456"],
    ["+33612345678", "+33 6 12 34 56 78"],
    ["not a number", "not a number"],
    ["", ""],
  ])("formats %s as %s, the second time from what it remembers", (e164, formatted) => {
    expect(formatPhone(e164)).toBe(formatted);
    expect(formatPhone(e164)).toBe(formatted);
  });

  it("stays right past the numbers it remembers", () => {
    for (let n = 0; n < 10_050; n++) formatPhone(`+1212555${String(n % 10_000).padStart(4, "0")}`);
    expect(formatPhone("+447400123456")).toBe("+44 7400 123456");
    expect(formatPhone("+12125550143")).toBe("(212) 555-0143");
  });

  it("round-trips through normalizePhone", () => {
    for (const e164 of ["+12125550143", "+19195550100", "+33612345678", "+4915123456789"]) {
      expect(normalizePhone(formatPhone(e164))).toEqual({ ok: true, e164 });
    }
  });
});

describe("splitPhoneList", () => {
  it.each<[string, string[]]>([
    ["(212) 555-0143, 212.555.0143", ["(212) 555-0143", "212.555.0143"]],
    ["+1 212 555 0143;2125550143", ["+1 212 555 0143", "2125550143"]],
    [
      "(212) 555-0143\n(919) 555-0100\r\n+1 415 555 0101",
      ["(212) 555-0143", "(919) 555-0100", "+1 415 555 0101"],
    ],
    ["212-555-0143 / 919-555-0100", ["212-555-0143", "919-555-0100"]],
    ["030/1234567", ["030/1234567"]],
    ["  , ;\n\n , ", []],
    ["", []],
    ["1-212-555-0143,,, ,(919) 555-0100,", ["1-212-555-0143", "(919) 555-0100"]],
    ["212 555 0143", ["212 555 0143"]],
    ["２１２５５５０１４３，９１９５５５０１００", ["２１２５５５０１４３", "９１９５５５０１００"]],
  ])("splits %j", (text, parts) => {
    expect(splitPhoneList(text)).toEqual(parts);
  });

  it("recovers any list of numbers joined by a separator", () => {
    const number = fc.stringMatching(/^\+?[0-9][0-9 ().-]{5,15}[0-9]$/);
    const sep = fc.constantFrom(",", ", ", ";", "\n", "\r\n", " / ", " ,\n ");
    fc.assert(
      fc.property(fc.array(number, { maxLength: 10 }), sep, (numbers, s) => {
        expect(splitPhoneList(numbers.join(s))).toEqual(numbers.map((n) => n.trim()));
      }),
    );
  });
});
