import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";

/**
 * Where the group modal was opened from, carried in its private_metadata and signed with a key
 * derived from the app's signing secret. A submission is signed by Slack, but its
 * private_metadata is whatever the submitter's client sends back, so without this signature any
 * member could submit a modal opened for someone else, or (for a modal opened before the channel
 * picker, whose thread goes where the command was typed) aim its thread at another channel. Stateless on purpose: no row per opened modal, nothing to look up before the 3 s ack,
 * and it holds across instances and restarts.
 */
export interface ModalOrigin {
  /**
   * The channel the slash command was typed in: the channel picker's default, and the thread's
   * channel for a modal opened before the picker existed. Null from a global shortcut.
   */
  channelId: string | null;
  /** The member who typed it: only they can submit the modal. */
  userId: string;
}

/** Slack channel ids: C (public), G (private, older), D (direct message), then upper-case base 36. */
export const slackChannelId = z.string().regex(/^[CDG][A-Z0-9]{5,20}$/);
export const slackUserId = z.string().regex(/^[UW][A-Z0-9]{2,20}$/);

const MAX_METADATA_LENGTH = 3000;

const signedOrigin = z.object({
  channelId: slackChannelId.nullable(),
  userId: slackUserId,
  sig: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});

function signature(secret: string, origin: ModalOrigin): Buffer {
  // A key of its own, so this signature can never stand in for another one made with the secret.
  const key = createHmac("sha256", secret).update("reply-all:group-modal-origin:v1").digest();
  return createHmac("sha256", key)
    .update(`${origin.channelId ?? ""}\n${origin.userId}`)
    .digest();
}

export function encodeModalOrigin(secret: string, origin: ModalOrigin): string {
  return JSON.stringify({ ...origin, sig: signature(secret, origin).toString("base64url") });
}

/** The origin of a submitted modal, or null when the metadata is not one the app signed for `submitter`. */
export function verifyModalOrigin(secret: string, metadata: string, submitter: string): ModalOrigin | null {
  if (metadata.length > MAX_METADATA_LENGTH) return null;
  let json: unknown;
  try {
    json = JSON.parse(metadata);
  } catch {
    return null;
  }
  const parsed = signedOrigin.safeParse(json);
  if (!parsed.success || parsed.data.userId !== submitter) return null;
  const origin = { channelId: parsed.data.channelId, userId: parsed.data.userId };
  const given = Buffer.from(parsed.data.sig, "base64url");
  const expected = signature(secret, origin);
  return given.length === expected.length && timingSafeEqual(given, expected) ? origin : null;
}
