export type KeywordKind = "opt-out" | "opt-in" | "help";

export interface KeywordLists {
  optOut: string[];
  optIn: string[];
  help: string[];
}

export const DEFAULT_KEYWORDS: KeywordLists = {
  optOut: ["STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"],
  optIn: ["START", "UNSTOP", "YES"],
  help: ["HELP", "INFO"],
};

// Punctuation, symbols (emoji included), separators and the invisible
// joiners/selectors that ride along with emoji. Combining marks in general
// are kept, since they can be part of a non-Latin keyword an admin adds.
// (Variation selectors and the keycap mark sit outside the class because
// they combine with the preceding character.)
const NOISE = String.raw`(?:[\p{P}\p{S}\p{Z}\p{Cf}\s]|\uFE0E|\uFE0F|\u20E3)+`;
const EDGE_NOISE = new RegExp(`^${NOISE}|${NOISE}$`, "gu");

/**
 * NFKC folds full-width and compatibility forms ("ＳＴＯＰ") onto the plain
 * letters people mean, so they compare equal to the configured keyword.
 */
export function normalizeKeyword(word: string): string {
  return word.normalize("NFKC").trim().replace(/\s+/gu, " ").toUpperCase();
}

function normalizeMessage(text: string): string {
  return normalizeKeyword(text.normalize("NFKC").replace(EDGE_NOISE, ""));
}

function matches(message: string, keywords: readonly string[]): boolean {
  // Keywords get the same edge stripping as messages, so an admin-entered
  // "STOP!" still matches a plain "stop".
  return keywords.some((k) => {
    const keyword = normalizeMessage(k);
    return keyword !== "" && keyword === message;
  });
}

/**
 * A keyword counts only when it is the entire message, so "stop the music"
 * in ordinary conversation doesn't unsubscribe anyone. Opt-out is checked
 * first: if an admin puts the same word in two lists, honouring the opt-out
 * is the compliant choice.
 */
export function classifyKeyword(text: string, lists: KeywordLists = DEFAULT_KEYWORDS): KeywordKind | null {
  const message = normalizeMessage(text);
  if (message === "") return null;
  if (matches(message, lists.optOut)) return "opt-out";
  if (matches(message, lists.optIn)) return "opt-in";
  if (matches(message, lists.help)) return "help";
  return null;
}
