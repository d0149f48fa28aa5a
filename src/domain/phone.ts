import {
  type CountryCode,
  type PhoneNumber,
  type PhoneNumberType,
  parsePhoneNumberFromString,
} from "libphonenumber-js/max";

export type PhoneResult = { ok: true; e164: string } | { ok: false; input: string; reason: string };

/**
 * Number types that cannot join a group MMS thread, with the wording used to
 * tell the user why. Anything not listed (MOBILE, FIXED_LINE_OR_MOBILE, VOIP,
 * PERSONAL_NUMBER, or an unknown type) is given the benefit of the doubt,
 * because NANP metadata cannot tell landlines from mobiles and most US
 * numbers come back as FIXED_LINE_OR_MOBILE.
 */
const NON_MOBILE_TYPES: Partial<Record<PhoneNumberType, string>> = {
  TOLL_FREE: "a toll-free number",
  PREMIUM_RATE: "a premium-rate number",
  SHARED_COST: "a shared-cost number",
  VOICEMAIL: "a voicemail access number",
  UAN: "a universal access number",
  PAGER: "a pager number",
  FIXED_LINE: "a landline number",
};

/**
 * NANP 555-0100..555-0199 is reserved for fictional use, and the product's
 * own examples and demos use it. libphonenumber's `max` metadata accepts it
 * for every US/Canadian area code but not for several Caribbean ones (e.g.
 * +1 242 Bahamas), so it is accepted explicitly when the area code maps to a
 * real NANP country.
 */
const NANP_FICTIONAL = /^[2-9]\d{2}55501\d{2}$/;

function invalid(input: string, reason: string): PhoneResult {
  return { ok: false, input, reason };
}

function isFictionalNanp(parsed: PhoneNumber): boolean {
  return (
    parsed.countryCallingCode === "1" &&
    parsed.country !== undefined &&
    parsed.isPossible() &&
    NANP_FICTIONAL.test(parsed.nationalNumber)
  );
}

export function normalizePhone(input: string, defaultCountry: CountryCode = "US"): PhoneResult {
  const trimmed = input.trim();
  if (trimmed === "") return invalid(input, "No phone number was entered");

  let parsed: PhoneNumber | undefined;
  try {
    // extract:false makes parsing strict: "call 212-555-0143 now" is rejected
    // rather than silently reduced to the digits inside it.
    parsed = parsePhoneNumberFromString(trimmed, { defaultCountry, extract: false });
  } catch {
    parsed = undefined;
  }
  const notValid = `“${trimmed}” is not a valid phone number`;
  if (!parsed) return invalid(input, notValid);

  if (parsed.ext) {
    return invalid(input, `“${trimmed}” includes an extension, which can't receive texts`);
  }

  if (!parsed.isValid() && !isFictionalNanp(parsed)) return invalid(input, notValid);

  const type = parsed.getType();
  const nonMobile = type ? NON_MOBILE_TYPES[type] : undefined;
  if (nonMobile) {
    return invalid(input, `“${trimmed}” is ${nonMobile}, not a mobile number`);
  }

  return { ok: true, e164: parsed.number };
}

/**
 * Numbers formatted lately: every mirrored text labels its sender, and libphonenumber's parse (its
 * full metadata) costs more than the rest of taking the text in. Bounded: emptied when full.
 */
const formatted = new Map<string, string>();
const FORMATTED_KEPT = 10_000;

export function formatPhone(e164: string): string {
  const known = formatted.get(e164);
  if (known !== undefined) return known;
  const display = formatOnce(e164);
  if (formatted.size >= FORMATTED_KEPT) formatted.clear();
  formatted.set(e164, display);
  return display;
}

function formatOnce(e164: string): string {
  let parsed: PhoneNumber | undefined;
  try {
    parsed = parsePhoneNumberFromString(e164);
  } catch {
    parsed = undefined;
  }
  if (!parsed) return e164;
  return parsed.countryCallingCode === "1" ? parsed.formatNational() : parsed.formatInternational();
}

/**
 * Separators people use between numbers. Spaces, dots, dashes and
 * parentheses are deliberately absent: they occur inside a single number.
 * A slash only separates when spaced, since "030/1234567" is one (German)
 * number. Full-width and ideographic commas/semicolons cover CJK keyboards.
 */
const LIST_SEPARATOR = /[,;\r\n\uFF0C\uFF1B\u3001]+|\s+\/\s+/;

export function splitPhoneList(text: string): string[] {
  return text
    .split(LIST_SEPARATOR)
    .map((part) => part.trim())
    .filter((part) => part !== "");
}

/** How a contact is named in the thread's notices: "Ana Ruiz ((646) 555-0101)", or the number alone. */
export function contactLabel(name: string | null | undefined, e164: string): string {
  const trimmed = name?.trim();
  return trimmed ? `${trimmed} (${formatPhone(e164)})` : formatPhone(e164);
}
