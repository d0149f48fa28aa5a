import { z } from "zod";
import type { LockSession } from "../db/locks";
import { classifyKeyword, type KeywordLists } from "../domain/keywords";
import { laneOf } from "../domain/lanes";
import { inboundCallbackSchema } from "../domain/messageEvents";
import { inboundParticipants, participantKey } from "../domain/participants";
import { segmentCountSchema } from "../domain/segments";

import type { StoredEvent } from "./inbound";
import { type ThreadState, threadLockKey, threadState } from "./threadBatch";

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

export interface TakeOptions {
  /**
   * The texts were not read from the stored callbacks but handed over by the intake that stored
   * them: each is taken only if nothing stored before it in its partition still waits, so that no
   * text overtakes an earlier callback of its lane held for a retry or not handed over.
   */
  behindNothing?: boolean;
}

/** What one take statement did: the callbacks it claimed, and the threads its new entries wait in. */
export interface TakenTexts {
  /** The callbacks claimed (dedupe keys): taken in, with or without a new entry. */
  taken: Set<string>;
  /** Entries stored. */
  stored: number;
  /**
   * Each conversation that got entries: its thread's lock, taken by the statement on `session`
   * where no one held it (`held`), and, read by the same statement, what its thread waits for.
   */
  threads: ThreadState[];
  /** The connection holding those locks; whoever posts the entries releases them and ends it. */
  session: LockSession;
}

/**
 * Takes in many chat texts with one statement: each whose line and open conversation exist is
 * claimed (its stored callback marked processed) and becomes an INBOUND entry of that conversation,
 * in order of arrival, stored as POSTING for this process to post (should it die first, whoever
 * posts it looks for it in the thread before posting). Within a lane, only the run before the
 * first text that does not qualify (a new group, a closed conversation, an unknown line) is taken:
 * the rest of the lane follows on the one-by-one path, which creates, reopens or ignores as it
 * must. A copy of a text already in a conversation (its event deleted by retention, then delivered
 * again) is claimed and adds nothing.
 *
 * The same statement tries each such conversation's thread lock on `session` and reads the thread
 * (see `TakenTexts.threads`): the post that follows needs no round trip to lock or to read. Its
 * snapshot predates the new entries, so they are added to the thread's waiting entries from the
 * insert itself.
 */
export async function takeChatTexts(
  session: LockSession,
  texts: readonly ChatText[],
  /** The Settings version the texts were told from keywords by: none is taken if it changed since. */
  keywordsVersion: number | null,
  options: TakeOptions = {},
): Promise<TakenTexts> {
  const [row] = await session.query<{ taken: string[]; stored: number; threads: unknown }>(TAKE_SQL, [
    JSON.stringify(texts.map((t, n) => ({ ...t, n }))),
    keywordsVersion,
    options.behindNothing === true,
  ]);
  const threads = z.array(threadState).parse(row?.threads ?? []);
  for (const thread of threads) if (thread.held) session.held.add(threadLockKey(thread.id));
  return { taken: new Set(row?.taken ?? []), stored: row?.stored ?? 0, threads, session };
}

const TAKE_SQL = `
  WITH input AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(
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
      IS NOT DISTINCT FROM $2::bigint
  ),
  eligible AS (
    SELECT f.* FROM found f
    WHERE NOT EXISTS (
      SELECT 1 FROM input earlier
      WHERE earlier.lane = f.lane AND earlier.n < f.n
        AND NOT EXISTS (SELECT 1 FROM found g WHERE g.n = earlier.n))
    AND NOT ($3::boolean AND EXISTS (
      SELECT 1 FROM "InboundEvent" me
      JOIN "InboundEvent" x ON x.state = 'RECEIVED' AND x.partition = me.partition AND x.seq < me.seq
      WHERE me."dedupeKey" = f."dedupeKey"
        AND NOT EXISTS (SELECT 1 FROM input i WHERE i."dedupeKey" = x."dedupeKey")))
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
    RETURNING id, seq, "conversationId", text, media, "senderNumber", "notifyAssignee"
  ),
  locked AS MATERIALIZED (
    SELECT d.id, pg_try_advisory_lock(hashtextextended('thread:' || d.id::text, 0)) AS held
    FROM (SELECT DISTINCT "conversationId" AS id FROM inserted) d
  )
  SELECT
    (SELECT coalesce(array_agg("dedupeKey"), '{}') FROM claimed) AS taken,
    (SELECT count(*)::int FROM inserted) AS stored,
    (SELECT coalesce(json_agg(json_build_object(
      'id', c.id, 'held', lk.held, 'channelId', c."channelId", 'threadTs', c."threadTs",
      'rootDirty', c."rootDirty", 'defaultChannel', l."defaultChannel",
      'participants', coalesce((
        SELECT json_agg(ct.number ORDER BY p.position)
        FROM "Participant" p JOIN "Contact" ct ON ct.id = p."contactId"
        WHERE p."conversationId" = c.id), '[]'),
      'pending', coalesce((
        SELECT json_agg(json_build_object(
          'id', e.id, 'kind', e.kind, 'postState', e."postState", 'text', e.text, 'media', e.media,
          'sender', e.sender, 'senderName', sc.name, 'notifyAssignee', e."notifyAssignee",
          'fresh', e.fresh) ORDER BY e.seq)
        FROM (
          SELECT m.id, m.seq, m.kind::text AS kind, m."postState"::text AS "postState", m.text,
            m.media, m."senderNumber" AS sender, m."notifyAssignee", false AS fresh
          FROM "Message" m
          WHERE m."conversationId" = c.id AND m."postState" IN ('PENDING', 'POSTING')
          UNION ALL
          SELECT ins.id, ins.seq, 'INBOUND', 'POSTING', ins.text, ins.media, ins."senderNumber",
            ins."notifyAssignee", true
          FROM inserted ins WHERE ins."conversationId" = c.id
        ) e LEFT JOIN "Contact" sc ON sc.number = e.sender), '[]')
    )), '[]')
    FROM locked lk JOIN "GroupConversation" c ON c.id = lk.id JOIN "Line" l ON l.id = c."lineId") AS threads`;
