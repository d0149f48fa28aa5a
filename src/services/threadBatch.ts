import { z } from "zod";
import { type Db, Prisma } from "../db/client";
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
});

const threadState = z.object({
  id: z.string(),
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

/**
 * The threads of these conversations and their entries waiting to be posted, in order, with the
 * sender's saved name: one statement for a whole batch, where a drain reads each conversation apart.
 */
export async function readThreads(db: Db, conversationIds: readonly string[]): Promise<ThreadState[]> {
  if (conversationIds.length === 0) return [];
  const rows = await db.$queryRaw<unknown[]>(Prisma.sql`
    SELECT c.id::text AS id, c."channelId", c."threadTs", c."rootDirty", l."defaultChannel",
      COALESCE((
        SELECT json_agg(ct.number ORDER BY p.position)
        FROM "Participant" p JOIN "Contact" ct ON ct.id = p."contactId"
        WHERE p."conversationId" = c.id), '[]') AS participants,
      COALESCE((
        SELECT json_agg(json_build_object(
          'id', m.id, 'kind', m.kind, 'postState', m."postState", 'text', m.text, 'media', m.media,
          'sender', m."senderNumber", 'senderName', sc.name, 'notifyAssignee', m."notifyAssignee")
          ORDER BY m.seq)
        FROM "Message" m LEFT JOIN "Contact" sc ON sc.number = m."senderNumber"
        WHERE m."conversationId" = c.id AND m."postState" IN ('PENDING', 'POSTING')), '[]') AS pending
    FROM "GroupConversation" c JOIN "Line" l ON l.id = c."lineId"
    WHERE c.id = ANY(${conversationIds}::uuid[])`);
  return z.array(threadState).parse(rows);
}

/** Marks posted entries with their Slack message, all in one statement. */
export async function markPosted(
  db: Db,
  posted: readonly { id: string; channel: string; ts: string }[],
): Promise<void> {
  if (posted.length === 0) return;
  await db.$executeRaw(Prisma.sql`
    UPDATE "Message" m
    SET "postState" = 'POSTED', "slackChannelId" = u.channel, "slackTs" = u.ts, "updatedAt" = now()
    FROM unnest(${posted.map((p) => p.id)}::uuid[], ${posted.map((p) => p.channel)}::text[],
      ${posted.map((p) => p.ts)}::text[]) AS u(id, channel, ts)
    WHERE m.id = u.id`);
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
