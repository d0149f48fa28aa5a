import { type ConversationKind, KIND_RULES, kindCost } from "./conversationKind";
import { normalizePhone, splitPhoneList } from "./phone";
import { ucs2Characters, withPlainPunctuation } from "./segments";

/** What the group modal shows under the message while it is typed. */
export interface ModalEstimate {
  /** Group when absent. */
  kind?: ConversationKind;
  /** The contacts counted so far: picked ones plus valid typed numbers. */
  recipients: number;
  /** As it will be billed, e.g. "9 MMS (group text: 1 per contact, any length)"; null until there is a text and a contact. */
  cost: string | null;
  /** The distinct characters that force UCS-2, in the order they first appear. */
  ucs2: string[];
  /** The text with plain punctuation, when that differs from the text (the button is offered then). */
  plain: string | null;
}

/**
 * Counts the contacts a form holds so far: distinct picked contacts plus distinct typed numbers
 * that parse. A typed number that is also a picked contact counts twice here; the submission says so.
 */
export function countRecipients(
  contactIds: readonly string[],
  typedNumbers: string,
  kind: ConversationKind = "group",
): number {
  const typed = new Set<string>();
  // The modal caps the field; a forged longer one is counted no further than the modal allows.
  for (const raw of splitPhoneList(typedNumbers.slice(0, KIND_RULES[kind].maxTypedLength))) {
    const result = normalizePhone(raw);
    if (result.ok) typed.add(result.e164);
  }
  return new Set(contactIds).size + typed.size;
}

export function modalEstimate(
  recipients: number,
  text: string,
  kind: ConversationKind = "group",
): ModalEstimate {
  const trimmed = text.trim();
  const plain = withPlainPunctuation(text);
  return {
    kind,
    recipients,
    cost: recipients > 0 && trimmed ? kindCost(kind, recipients, trimmed) : null,
    ucs2: ucs2Characters(text),
    plain: plain === text ? null : plain,
  };
}
