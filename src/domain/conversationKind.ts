import { MAX_GROUP_CONTACTS, MAX_TYPED_NUMBERS_LENGTH } from "./participants";
import { describeCost, describeSeparateCost } from "./segments";

/**
 * What the modal starts. A group is one shared MMS thread; one-to-one is a single contact; a
 * multi-recipient send texts the same message to each contact on their own, each continuing or
 * opening that contact's one-to-one conversation (nobody sees the others).
 */
export const CONVERSATION_KINDS = ["group", "one", "many"] as const;
export type ConversationKind = (typeof CONVERSATION_KINDS)[number];

/**
 * Texts in one multi-recipient send. Each is its own request to Bandwidth and its own thread in
 * the channel: past this, a send is better split, or made a campaign outside Slack.
 */
export const MAX_MULTI_RECIPIENTS = 100;

/** The "new mobile numbers" field of a multi-recipient send: room for 100 numbers in any format. */
export const MAX_MULTI_TYPED_NUMBERS_LENGTH = 3000;

export interface KindRules {
  maxContacts: number;
  /** Group MMS needs a line enabled for it; a text to one number goes from any active line. */
  groupLinesOnly: boolean;
  maxTypedLength: number;
  /**
   * A group or one-to-one text names its contacts one by one, so an opted-out one is refused in the
   * form; a multi-recipient send leaves them out and says how many it skipped.
   */
  optedOut: "refuse" | "skip";
}

export const KIND_RULES: Readonly<Record<ConversationKind, KindRules>> = {
  group: {
    maxContacts: MAX_GROUP_CONTACTS,
    groupLinesOnly: true,
    maxTypedLength: MAX_TYPED_NUMBERS_LENGTH,
    optedOut: "refuse",
  },
  one: {
    maxContacts: 1,
    groupLinesOnly: false,
    maxTypedLength: MAX_TYPED_NUMBERS_LENGTH,
    optedOut: "refuse",
  },
  many: {
    maxContacts: MAX_MULTI_RECIPIENTS,
    groupLinesOnly: false,
    maxTypedLength: MAX_MULTI_TYPED_NUMBERS_LENGTH,
    optedOut: "skip",
  },
};

/** A kind from a form or an action; anything else (a modal from before kinds, a forged value) is a group. */
export function parseKind(value: unknown): ConversationKind {
  return CONVERSATION_KINDS.find((kind) => kind === value) ?? "group";
}

const COMMAND_WORDS: Readonly<Record<string, ConversationKind>> = {
  group: "group",
  one: "one",
  many: "many",
};

/**
 * `/grouptext one Hi Ana` opens the one-to-one form with "Hi Ana"; `many` and `group` likewise.
 * The word must stand alone, in any case; anything else is the first message, for a group.
 */
export function commandKind(text: string): { kind: ConversationKind | null; text: string } {
  const match = /^\s*([A-Za-z]+)(?:\s+([\s\S]*))?$/.exec(text);
  const kind = match?.[1] ? COMMAND_WORDS[match[1].toLowerCase()] : undefined;
  if (!match || !kind) return { kind: null, text };
  return { kind, text: match[2] ?? "" };
}

/**
 * How one message of this kind is billed: a group travels as one group MMS, billed one MMS per
 * contact whatever its length; the other kinds text each contact on their own, as SMS segments
 * (or one MMS each with media).
 */
export function kindCost(kind: ConversationKind, recipients: number, text: string, mediaCount = 0): string {
  return kind === "group"
    ? describeCost(recipients, text, mediaCount)
    : describeSeparateCost(recipients, text, mediaCount);
}
