import { type Db, Prisma } from "../db/client";
import { classifyKeyword, type KeywordLists } from "../domain/keywords";
import { laneOf } from "../domain/lanes";
import { inboundCallbackSchema } from "../domain/messageEvents";
import { inboundParticipants, participantKey } from "../domain/participants";
import { segmentCountSchema } from "../domain/segments";

import type { StoredEvent } from "./inbound";

/**
 * A contact's plain text (no consent keyword) as the batch takes it in: most of what Bandwidth
 * sends, and the one kind of callback that needs nothing but a row in its conversation.
 */
export interface ChatText {
  dedupeKey: string;
  lane: string;
  /** The line's number and the participant key: how its conversation is found. */
  line: string;
  key: string;
  text: string;
  media: string[];
  sender: string;
  segments: number;
  bandwidthMessageId: string;
}

/**
 * The events of a batch the set-based path may take in: for each lane, its leading run of plain
 * chat texts, cut at the first event that needs the one-by-one path (a status, a keyword, a value
 * the database would refuse), so that nothing of a lane is taken in before an earlier event of it.
 */
export function chatTextsOf(events: readonly StoredEvent[], keywords: KeywordLists): ChatText[] {
  const cut = new Set<string>();
  const texts: ChatText[] = [];
  for (const event of events) {
    const lane = laneOf(event);
    if (cut.has(lane)) continue;
    const text = plainChatText(event, lane, keywords);
    if (text) texts.push(text);
    else cut.add(lane);
  }
  return texts;
}

function plainChatText(event: StoredEvent, lane: string, keywords: KeywordLists): ChatText | null {
  if (event.type !== "message-received") return null;
  const parsed = inboundCallbackSchema.safeParse(event.payload);
  if (!parsed.success) return null;
  const { message, to } = parsed.data;
  const text = message.text ?? "";
  const media = message.media ?? [];
  // NUL is the one character PostgreSQL's text refuses; such a text takes the path that sets it aside.
  if ([text, ...media].some((s) => s.includes("\u0000"))) return null;
  if (!segmentCountSchema.safeParse(message.segmentCount).success) return null;
  if (classifyKeyword(text, keywords) !== null) return null;
  const line = message.owner || to;
  return {
    dedupeKey: event.dedupeKey,
    lane,
    line,
    key: participantKey(inboundParticipants(line, message.from, message.to)),
    // A lone surrogate becomes U+FFFD, as it does on the one-by-one path's way into the database.
    text: text.toWellFormed(),
    media: media.map((m) => m.toWellFormed()),
    sender: message.from,
    segments: message.segmentCount,
    bandwidthMessageId: message.id,
  };
}

/**
 * Takes in many chat texts with one statement: each whose line and open conversation exist is
 * claimed (its stored callback marked processed) and becomes an INBOUND entry of that conversation,
 * in order of arrival, stored as POSTING for this process to post (see ThreadSyncService.postSoon:
 * should this process die first, whoever posts it looks for it in the thread before posting). Within a lane, only the run before the first text that
 * does not qualify (a new group, a closed conversation, an unknown line) is taken: the rest of the
 * lane follows on the one-by-one path, which creates, reopens or ignores as it must. A copy of a
 * text already in a conversation (its event deleted by retention, then delivered again) is claimed
 * and adds nothing.
 */
export async function takeChatTexts(
  db: Db,
  texts: readonly ChatText[],
  /** The Settings version the texts were told from keywords by: none is taken if it changed since. */
  keywordsVersion: number | null,
): Promise<{ taken: Set<string>; entries: Map<string, string[]> }> {
  const entries = new Map<string, string[]>();
  if (texts.length === 0) return { taken: new Set(), entries };
  const input = JSON.stringify(texts.map((t, n) => ({ ...t, n })));
  const rows = await db.$queryRaw<
    { dedupeKey: string; conversationId: string | null; messageId: string | null }[]
  >(Prisma.sql`
    WITH input AS (
      SELECT * FROM jsonb_to_recordset(${input}::jsonb) AS i(
        "dedupeKey" text, lane text, line text, key text, text text, media jsonb, sender text,
        segments int, "bandwidthMessageId" text, n int)
    ),
    found AS (
      SELECT i.*, c.id AS "conversationId", c.assignee
      FROM input i
      JOIN "Line" l ON l.number = i.line
      JOIN "ConversationKey" k ON k."lineId" = l.id AND k.key = i.key
      JOIN "GroupConversation" c ON c.id = k."conversationId" AND c."closedAt" IS NULL
      WHERE (SELECT floor(extract(epoch FROM s."updatedAt") * 1000)::bigint FROM "Settings" s WHERE s.id = 1)
        IS NOT DISTINCT FROM ${keywordsVersion}::bigint
    ),
    eligible AS (
      SELECT f.* FROM found f
      WHERE NOT EXISTS (
        SELECT 1 FROM input earlier
        WHERE earlier.lane = f.lane AND earlier.n < f.n
          AND NOT EXISTS (SELECT 1 FROM found g WHERE g.n = earlier.n))
    ),
    claimed AS (
      UPDATE "InboundEvent" e
      SET state = 'PROCESSED', attempts = e.attempts + 1, "notBefore" = NULL
      FROM eligible
      WHERE e."dedupeKey" = eligible."dedupeKey" AND e.state = 'RECEIVED'
      RETURNING e."dedupeKey"
    ),
    inserted AS (
      INSERT INTO "Message" (
        id, "conversationId", kind, text, media, "senderNumber", segments, "bandwidthMessageId",
        "postState", "notifyAssignee", "updatedAt")
      SELECT gen_random_uuid(), f."conversationId", 'INBOUND'::"MessageKind", f.text,
        ARRAY(SELECT jsonb_array_elements_text(f.media)), f.sender, f.segments,
        f."bandwidthMessageId", 'POSTING'::"PostState", f.assignee, now()
      FROM eligible f JOIN claimed USING ("dedupeKey")
      ORDER BY f.n
      ON CONFLICT ("bandwidthMessageId") DO NOTHING
      RETURNING id, "conversationId", "bandwidthMessageId"
    )
    SELECT c."dedupeKey", ins."conversationId"::text AS "conversationId", ins.id::text AS "messageId"
    FROM claimed c
    JOIN eligible f USING ("dedupeKey")
    LEFT JOIN inserted ins ON ins."bandwidthMessageId" = f."bandwidthMessageId"`);
  for (const { conversationId, messageId } of rows) {
    if (!conversationId || !messageId) continue;
    const ids = entries.get(conversationId);
    if (ids) ids.push(messageId);
    else entries.set(conversationId, [messageId]);
  }
  return { taken: new Set(rows.map((r) => r.dedupeKey)), entries };
}
