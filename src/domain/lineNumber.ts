import { type PhoneNumber, parsePhoneNumberFromString } from "libphonenumber-js/max";
import { normalizePhone, type PhoneResult } from "./phone";

/**
 * A Bandwidth number the app texts from. Mobile-capable numbers go through normalizePhone like any
 * contact's; on top of that a line may be a text-enabled toll-free or landline number (businesses
 * text from those), which normalizePhone refuses for contacts. Toll-free numbers cannot take part
 * in group MMS, so they are refused for group-enabled lines.
 */
export function parseLineNumber(input: string, groupEnabled: boolean): PhoneResult {
  const mobile = normalizePhone(input);
  if (mobile.ok) return mobile;
  let parsed: PhoneNumber | undefined;
  try {
    parsed = parsePhoneNumberFromString(input.trim(), { defaultCountry: "US", extract: false });
  } catch {
    parsed = undefined;
  }
  const type = parsed?.isValid() && !parsed.ext ? parsed.getType() : undefined;
  if (!parsed || (type !== "TOLL_FREE" && type !== "FIXED_LINE")) return mobile;
  if (type === "TOLL_FREE" && groupEnabled) {
    return {
      ok: false,
      input,
      reason: `“${input.trim()}” is a toll-free number; toll-free numbers can't send group texts`,
    };
  }
  return { ok: true, e164: parsed.number };
}
