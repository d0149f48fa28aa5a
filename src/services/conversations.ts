import type { Db, Tx } from "../db/client";
import { DEFAULT_NOTE_MARKER } from "../domain/notes";
import { noticeRow, type ThreadNotice } from "../domain/notices";
import { participantKey } from "../domain/participants";
import { describeCost } from "../domain/segments";
import type { ConversationAction } from "../generated/prisma/client";
import type { ThreadRootView } from "./ports";

/** Saved contacts for these numbers, creating the ones not seen before. */
export async function ensureContacts(tx: Tx, numbers: string[], createdBy: string | null) {
  await tx.contact.createMany({
    data: numbers.map((number) => ({ number, createdBy })),
    skipDuplicates: true,
  });
  return tx.contact.findMany({ where: { number: { in: numbers } } });
}

export async function findConversationByKey(tx: Tx | Db, lineId: string, numbers: string[]) {
  const key = await tx.conversationKey.findUnique({
    where: { lineId_key: { lineId, key: participantKey(numbers) } },
    include: { conversation: true },
  });
  return key?.conversation ?? null;
}

/** A conversation to create: its line, its participants' numbers, where it goes and who started it. */
export interface NewConversation {
  lineId: string;
  numbers: string[];
  channelId: string | null;
  name: string | null;
  startedBy: string | null;
}

export async function createConversation(tx: Tx, input: NewConversation) {
  const contacts = await ensureContacts(tx, input.numbers, input.startedBy);
  const byNumber = new Map(contacts.map((c) => [c.number, c]));
  return tx.groupConversation.create({
    data: {
      lineId: input.lineId,
      channelId: input.channelId,
      name: input.name,
      startedBy: input.startedBy,
      keys: { create: { lineId: input.lineId, key: participantKey(input.numbers) } },
      participants: {
        create: [...input.numbers].sort().map((number, position) => ({
          contactId: byNumber.get(number)?.id ?? "",
          position,
        })),
      },
    },
  });
}

/**
 * The conversation a line has with exactly these numbers (a group, or one contact: a one-to-one
 * conversation is keyed by its single number, as its inbound texts are), or a new one. `created`
 * says which, so that a start can tell a member their text continued an existing thread.
 */
export async function findOrCreateConversation(tx: Tx, input: NewConversation) {
  const existing = await findConversationByKey(tx, input.lineId, input.numbers);
  if (existing) return { conversation: existing, created: false };
  return { conversation: await createConversation(tx, input), created: true };
}

/** Remembers another participant set as this conversation's, unless another conversation has it. */
export async function addConversationKey(tx: Tx, conversationId: string, lineId: string, numbers: string[]) {
  if (numbers.length === 0) return;
  await tx.conversationKey.createMany({
    data: [{ conversationId, lineId, key: participantKey(numbers) }],
    skipDuplicates: true,
  });
}

/**
 * Reopens a closed conversation for something that texts its group (a contact's text, a teammate's
 * new start with the same people): recorded, and said in the thread before what reopened it.
 */
export async function reopenConversation(
  tx: Tx,
  conversationId: string,
  actor: string | null,
  detail: string,
  notice: ThreadNotice,
): Promise<void> {
  const { count } = await tx.groupConversation.updateMany({
    where: { id: conversationId, closedAt: { not: null } },
    data: { closedAt: null, rootDirty: true },
  });
  if (count === 0) return;
  await tx.conversationEvent.create({ data: { conversationId, action: "REOPEN", actor, detail } });
  await tx.message.create({
    data: { conversationId, ...noticeRow(notice), postState: "PENDING" },
  });
}

export async function loadConversation(db: Db | Tx, conversationId: string) {
  return db.groupConversation.findUnique({
    where: { id: conversationId },
    include: { line: true, participants: { include: { contact: true }, orderBy: { position: "asc" } } },
  });
}

export type LoadedConversation = NonNullable<Awaited<ReturnType<typeof loadConversation>>>;

export async function optedOutNumbers(db: Db | Tx, lineId: string, numbers: string[]): Promise<Set<string>> {
  const rows = await db.consent.findMany({
    where: { lineId, number: { in: numbers }, status: "OPTED_OUT" },
    select: { number: true },
  });
  return new Set(rows.map((r) => r.number));
}

export async function rootView(db: Db | Tx, conversation: LoadedConversation): Promise<ThreadRootView> {
  const numbers = conversation.participants.map((p) => p.contact.number);
  const optedOut = await optedOutNumbers(db, conversation.lineId, numbers);
  const [first, settings, last] = await Promise.all([
    db.message.findFirst({
      where: { conversationId: conversation.id, kind: "OUTBOUND", sendState: "SENT" },
      orderBy: { seq: "asc" },
    }),
    db.settings.findUnique({ where: { id: 1 }, select: { noteMarker: true } }),
    db.conversationEvent.findFirst({
      where: { conversationId: conversation.id },
      orderBy: { createdAt: "desc" },
    }),
  ]);
  // The root is posted before the first text leaves: until then it shows what that text will cost.
  const planned =
    conversation.startedBy && !first
      ? await db.groupStart.findFirst({
          where: { conversationId: conversation.id, state: { in: ["PENDING", "SENDING"] } },
          orderBy: { createdAt: "asc" },
        })
      : null;
  return {
    groupName: conversation.name,
    line: {
      name: conversation.line.name,
      number: conversation.line.number,
      active: conversation.line.active,
    },
    participants: conversation.participants.map((p) => ({
      name: p.contact.name,
      number: p.contact.number,
      optedOut: optedOut.has(p.contact.number),
    })),
    startedBy: conversation.startedBy,
    noteMarker: settings?.noteMarker ?? DEFAULT_NOTE_MARKER,
    cost:
      conversation.startedBy && first
        ? describeCost(first.recipients.length, first.text, first.media.length)
        : planned
          ? describeCost(planned.contactIds.length, planned.text)
          : null,
    closed: conversation.closedAt !== null,
    assignee: conversation.assignee,
    lastAction: last ? { actor: last.actor, what: ACTION_WORDS[last.action], at: last.createdAt } : null,
  };
}

/** How the root names the latest action ("renamed by @dana"). */
const ACTION_WORDS: Record<ConversationAction, string> = {
  RENAME: "renamed",
  PARTICIPANTS: "participants changed",
  CLOSE: "closed",
  REOPEN: "reopened",
  ASSIGN: "assignment changed",
};
