import { z } from "zod";
import type { LockSession } from "../db/locks";
import { senderLabel } from "../domain/labels";
import type { ThreadEntryView } from "./ports";

const pendingEntry = z.object({
  id: z.string(),
  kind: z.string(),
  postState: z.string(),
  text: z.string(),
  media: z.array(z.string()),
  sender: z.string().nullable(),
  senderName: z.string().nullable(),
  notifyAssignee: z.string().nullable(),
  /** Stored by the statement that read it: this process's own to post, not in doubt. */
  fresh: z.boolean(),
});

export const threadState = z.object({
  id: z.string(),
  /** Whether the statement that read it took the thread's lock (someone else holds it otherwise). */
  held: z.boolean(),
  channelId: z.string().nullable(),
  threadTs: z.string().nullable(),
  rootDirty: z.boolean(),
  defaultChannel: z.string().nullable(),
  participants: z.array(z.string()),
  pending: z.array(pendingEntry),
});

/** What posting a conversation's waiting entries needs to know, read for many conversations at once. */
export type ThreadState = z.infer<typeof threadState>;
export type PendingEntry = z.infer<typeof pendingEntry>;

/** The advisory lock key of a conversation's thread: one poster at a time, on any instance. */
export function threadLockKey(conversationId: string): string {
  return `thread:${conversationId}`;
}

/**
 * Marks posted entries with their Slack message and releases the session's thread locks, with one
 * statement. Should it fail, the entries stay POSTING (whoever drains next finds the posts in the
 * thread and adopts them) and ending the session closes its connection, which frees the locks.
 */
export async function markPostedAndRelease(
  session: LockSession,
  posted: readonly { id: string; channel: string; ts: string }[],
): Promise<void> {
  const keys = [...session.held];
  await session.query(
    `WITH marked AS (
       UPDATE "Message" m
       SET "postState" = 'POSTED', "slackChannelId" = u.channel, "slackTs" = u.ts, "updatedAt" = now()
       FROM unnest($1::uuid[], $2::text[], $3::text[]) AS u(id, channel, ts)
       WHERE m.id = u.id
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM marked) AS marked,
       (SELECT count(*) FROM unnest($4::text[]) AS key WHERE pg_advisory_unlock(hashtextextended(key, 0))) AS released`,
    [posted.map((p) => p.id), posted.map((p) => p.channel), posted.map((p) => p.ts), keys],
  );
  for (const key of keys) session.held.delete(key);
}

/** A contact's text as its thread shows it: under their saved name (or number) and their icon in the group. */
export function inboundEntryView(
  contactName: string | null | undefined,
  number: string,
  icons: Map<string, string>,
  text: string,
  media: { missing: number; pictures: { slackFileId: string; altText: string }[] } = {
    missing: 0,
    pictures: [],
  },
): ThreadEntryView {
  return {
    kind: "inbound",
    senderLabel: senderLabel(contactName, number),
    senderIcon: icons.get(number) ?? ":speech_balloon:",
    text,
    missingMedia: media.missing,
    pictures: media.pictures,
  };
}
