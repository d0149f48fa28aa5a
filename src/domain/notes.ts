/**
 * Internal notes: a thread reply that begins with the note marker stays in Slack and is never
 * texted, so a team can talk about a conversation inside its thread.
 */

export const DEFAULT_NOTE_MARKER = "//";
export const NOTE_MARKER_MAX_LENGTH = 10;
/** The reaction that marks a note in its thread (a Slack emoji name). */
export const INTERNAL_NOTE_REACTION = "lock";

/** Whether a reply (its plain text, or a file's comment) is an internal note. */
export function isInternalNote(plainText: string, marker: string): boolean {
  return marker.length > 0 && plainText.trimStart().startsWith(marker);
}

export type NoteMarkerCheck = { ok: true; marker: string } | { ok: false; error: string };

/**
 * A marker must be something nobody starts a text with by accident: no spaces, and not a letter
 * or digit first (a marker "ok" would keep every "ok, see you then" from the customers).
 */
export function checkNoteMarker(input: string): NoteMarkerCheck {
  const marker = input.trim();
  if (!marker) return { ok: false, error: "The note marker cannot be empty." };
  if (marker.length > NOTE_MARKER_MAX_LENGTH) {
    return { ok: false, error: `The note marker can be at most ${NOTE_MARKER_MAX_LENGTH} characters.` };
  }
  if (/\s/u.test(marker)) return { ok: false, error: "The note marker cannot contain spaces." };
  if (/^[\p{L}\p{N}]/u.test(marker)) {
    return {
      ok: false,
      error: "The note marker must not start with a letter or a digit, such as // or #note.",
    };
  }
  return { ok: true, marker };
}
