/**
 * Largest group we text as one thread. Carriers cap group MMS recipients
 * (commonly 10 including the sender), so 9 contacts plus our line fits.
 */
export const MAX_GROUP_CONTACTS = 9;

/** A group's name: it heads the thread root and shows in the Home tab; the modal caps it too. */
export const MAX_GROUP_NAME_LENGTH = 80;

/** The modal's "new mobile numbers" field: room for 9 numbers in any format, with separators. */
export const MAX_TYPED_NUMBERS_LENGTH = 500;

function uniqueSorted(numbers: Iterable<string>): string[] {
  // Plain code-unit ordering keeps the key identical across runtimes and
  // locales; localeCompare could differ between ICU builds.
  return [...new Set(numbers)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Canonical identity of a group: the same people in any order, with any
 * repetition, must map to the same thread.
 */
export function participantKey(numbers: readonly string[]): string {
  return uniqueSorted(numbers).join(",");
}

/**
 * An inbound group MMS names the sender in `from` and every recipient,
 * our own line included, in `to`; the group is everyone except us.
 */
export function inboundParticipants(line: string, from: string, to: readonly string[]): string[] {
  return uniqueSorted([from, ...to]).filter((n) => n !== line);
}
