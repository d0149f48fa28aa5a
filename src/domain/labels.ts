import { formatPhone } from "./phone";

/**
 * Ordered so that neighbouring entries differ in colour and shape: when two
 * contacts hash to the same icon, the next free one is clearly different.
 */
export const SENDER_ICON_PALETTE: readonly string[] = [
  ":large_blue_circle:",
  ":large_orange_square:",
  ":large_green_circle:",
  ":large_purple_square:",
  ":red_circle:",
  ":large_yellow_square:",
  ":large_brown_circle:",
  ":large_blue_square:",
  ":large_orange_circle:",
  ":large_green_square:",
  ":large_purple_circle:",
  ":large_red_square:",
  ":large_yellow_circle:",
  ":large_brown_square:",
];

export function senderLabel(contactName: string | null | undefined, e164: string): string {
  const name = contactName?.trim();
  return name ? name : formatPhone(e164);
}

// FNV-1a: tiny, dependency-free and stable across processes and Node
// versions, which a per-contact icon needs (unlike e.g. object identity).
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function preferredIndex(e164: string): number {
  return fnv1a(e164) % SENDER_ICON_PALETTE.length;
}

function iconAt(index: number): string {
  // The modulo keeps index in range; the fallback only satisfies the type checker.
  return SENDER_ICON_PALETTE[index % SENDER_ICON_PALETTE.length] ?? ":bust_in_silhouette:";
}

/** A contact's icon on its own, the same in every group it appears in. */
export function senderIcon(e164: string): string {
  return iconAt(preferredIndex(e164));
}

/**
 * Icons for everyone in one group, distinct while the group is no larger
 * than the palette. Numbers are processed in sorted order so the result
 * depends only on the set of members, not on the order they were given in;
 * a collision moves the later number to the next free icon.
 */
export function senderIcons(numbers: string[]): Map<string, string> {
  const members = [...new Set(numbers)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const taken = new Set<number>();
  const result = new Map<string, string>();
  for (const n of members) {
    let index = preferredIndex(n);
    if (taken.size < SENDER_ICON_PALETTE.length) {
      while (taken.has(index)) index = (index + 1) % SENDER_ICON_PALETTE.length;
    }
    taken.add(index);
    result.set(n, iconAt(index));
  }
  return result;
}
