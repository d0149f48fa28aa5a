import type { Db, Tx } from "../db/client";
import { lockExclusiveInTransaction } from "../db/locks";
import { defaultComplianceMessages } from "../domain/compliance";
import { DEFAULT_KEYWORDS, type KeywordLists, normalizeKeyword } from "../domain/keywords";
import { noticeRow } from "../domain/notices";
import { addConversationKey } from "./conversations";
import { consentLockKey } from "./textSender";

type ConsentChange = {
  lineId: string;
  number: string;
  status: "OPTED_IN" | "OPTED_OUT";
  source: "KEYWORD" | "ADMIN" | "IMPORT";
  actor?: string | null;
  reason?: string | null;
  messageId?: string | null;
};

/** Keyword lists: the defaults plus what admins added in Settings. */
export async function keywordLists(db: Db | Tx): Promise<KeywordLists> {
  return (await versionedKeywordLists(db)).lists;
}

/** The keyword lists and the version of Settings they come from (its last change, in ms; null before the first). */
export async function versionedKeywordLists(
  db: Db | Tx,
): Promise<{ lists: KeywordLists; version: number | null }> {
  const settings = await db.settings.findUnique({ where: { id: 1 } });
  const merge = (base: string[], extra: string[] | undefined) => [
    ...new Set([...base, ...(extra ?? []).map(normalizeKeyword)]),
  ];
  return {
    lists: {
      optOut: merge(DEFAULT_KEYWORDS.optOut, settings?.optOutKeywords),
      optIn: merge(DEFAULT_KEYWORDS.optIn, settings?.optInKeywords),
      help: merge(DEFAULT_KEYWORDS.help, settings?.helpKeywords),
    },
    version: settings ? settings.updatedAt.getTime() : null,
  };
}

export function complianceMessages(line: {
  name: string;
  optOutMessage: string | null;
  optInMessage: string | null;
  helpMessage: string | null;
}) {
  const defaults = defaultComplianceMessages(line.name);
  return {
    optOut: line.optOutMessage ?? defaults.optOut,
    optIn: line.optInMessage ?? defaults.optIn,
    help: line.helpMessage ?? defaults.help,
  };
}

/**
 * Records a consent change with its audit event and tells every thread of that line the number is
 * in. Returns null when the number already had that status (a repeated STOP changes nothing).
 */
export async function changeConsent(tx: Tx, change: ConsentChange) {
  await lockExclusiveInTransaction(tx, consentLockKey(change.lineId));
  const current = await tx.consent.findUnique({
    where: { lineId_number: { lineId: change.lineId, number: change.number } },
  });
  const currentStatus = current?.status ?? "OPTED_IN";
  if (currentStatus === change.status) return null;
  const event = await tx.consentEvent.create({
    data: {
      lineId: change.lineId,
      number: change.number,
      status: change.status,
      source: change.source,
      actor: change.actor ?? null,
      reason: change.reason ?? null,
      messageId: change.messageId ?? null,
    },
  });
  await tx.consent.upsert({
    where: { lineId_number: { lineId: change.lineId, number: change.number } },
    create: { lineId: change.lineId, number: change.number, status: change.status, lastEventId: event.id },
    update: { status: change.status, lastEventId: event.id },
  });

  const contact = await tx.contact.findUnique({ where: { number: change.number } });
  const conversations = contact
    ? await tx.groupConversation.findMany({
        where: { lineId: change.lineId, participants: { some: { contactId: contact.id } } },
        include: { participants: { include: { contact: true } } },
        take: 200,
      })
    : [];
  const affected: string[] = [];
  for (const conversation of conversations) {
    const numbers = conversation.participants.map((p) => p.contact.number);
    const optedOut = await tx.consent.findMany({
      where: { lineId: change.lineId, number: { in: numbers }, status: "OPTED_OUT" },
    });
    const remaining = numbers.filter((n) => !optedOut.some((o) => o.number === n));
    // Phones see the remaining members as a new group: its replies must land in this thread too.
    await addConversationKey(tx, conversation.id, change.lineId, remaining);
    await tx.message.create({
      data: {
        conversationId: conversation.id,
        ...noticeRow({
          kind: "consent-changed",
          contact: { name: contact?.name ?? null, number: change.number },
          status: change.status,
          byKeyword: change.source === "KEYWORD",
          actor: change.actor ?? null,
          reason: change.reason ?? null,
          at: new Date().toISOString(),
          remaining: remaining.length,
        }),
        postState: "PENDING",
      },
    });
    await tx.groupConversation.update({ where: { id: conversation.id }, data: { rootDirty: true } });
    affected.push(conversation.id);
  }
  return { event, affected };
}
