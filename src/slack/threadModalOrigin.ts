import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { slackUserId } from "./modalOrigin";

/**
 * Which conversation a modal opened from a thread root acts on, and for whom, carried in its
 * private_metadata and signed (a key of its own, derived from the signing secret). The submitter's
 * client sends private_metadata back as it likes: unsigned, anyone could aim a rename or a
 * participant change at a conversation whose channel they are not in. The service checks the
 * channel again on submission anyway; the signature keeps the modal bound to who opened it.
 */
export interface ThreadModalOrigin {
  conversationId: string;
  userId: string;
}

const signed = z.object({
  conversationId: z.uuid(),
  userId: slackUserId,
  sig: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});

function signature(secret: string, origin: ThreadModalOrigin): Buffer {
  const key = createHmac("sha256", secret).update("reply-all:thread-modal-origin:v1").digest();
  return createHmac("sha256", key).update(`${origin.conversationId}\n${origin.userId}`).digest();
}

export function encodeThreadModalOrigin(secret: string, origin: ThreadModalOrigin): string {
  return JSON.stringify({ ...origin, sig: signature(secret, origin).toString("base64url") });
}

/** The origin of a submitted thread modal, or null when the app did not sign it for `submitter`. */
export function verifyThreadModalOrigin(
  secret: string,
  metadata: string,
  submitter: string,
): ThreadModalOrigin | null {
  if (metadata.length > 500) return null;
  let json: unknown;
  try {
    json = JSON.parse(metadata);
  } catch {
    return null;
  }
  const parsed = signed.safeParse(json);
  if (!parsed.success || parsed.data.userId !== submitter) return null;
  const origin = { conversationId: parsed.data.conversationId, userId: parsed.data.userId };
  const given = Buffer.from(parsed.data.sig, "base64url");
  const expected = signature(secret, origin);
  return given.length === expected.length && timingSafeEqual(given, expected) ? origin : null;
}
