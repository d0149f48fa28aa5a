import { z } from "zod";
import { BandwidthError } from "../bandwidth/client";
import { type Db, isUniqueViolation, type Line } from "../db/client";
import type { Locks } from "../db/locks";
import { textFailureSentence } from "../domain/failureText";
import { MAX_GROUP_CONTACTS, MAX_GROUP_NAME_LENGTH, MAX_TYPED_NUMBERS_LENGTH } from "../domain/participants";
import { formatPhone, normalizePhone, splitPhoneList } from "../domain/phone";
import { countSegments, describeCost, MAX_TEXT_LENGTH } from "../domain/segments";
import { mrkdwn } from "../domain/slackText";
import type { GroupStart } from "../generated/prisma/client";
import type { JobContext } from "../jobs/queue";
import type { Logger } from "../logger";
import { createConversation, ensureContacts, findConversationByKey } from "./conversations";
import { MAX_CHOICES } from "./groupChoices";
import { InteractionReceipts } from "./interactions";
import type { ThreadPublisher } from "./ports";
import { type SendEvidence, unconfirmedNoticeKey } from "./sendEvidence";
import type { TextSender } from "./textSender";

export interface StartGroupRequest {
  /** The modal's view id: a submission takes effect once, however often it is sent. */
  viewId: string;
  userId: string;
  channelId: string;
  lineId: string | null;
  contactIds: string[];
  typedNumbers: string;
  name: string | null;
  text: string;
}

export type StartGroupField = "line" | "contacts" | "numbers" | "name" | "message";

/** groupStartId is null for a replay of a submission that already took effect. */
export type StartGroupResult =
  | { ok: true; groupStartId: string | null }
  | { ok: false; errors: Partial<Record<StartGroupField, string>> };

export interface GroupStartDeps {
  db: Db;
  locks: Locks;
  sender: TextSender;
  publisher: ThreadPublisher;
  logger: Logger;
  requestThreadSync(conversationId: string): Promise<void>;
  requestGroupStart(groupStartId: string): Promise<void>;
  evidence: SendEvidence;
}

type GroupStartRow = GroupStart & { line: Line };

/**
 * What a submission may hold at all, checked before anything reaches the database: the ids come
 * from the modal's own options, so anything but a UUID is forged (and would make PostgreSQL throw).
 */
const submittedValues = z.object({
  lineId: z.uuid().nullable(),
  contactIds: z.array(z.uuid()).max(MAX_GROUP_CONTACTS),
  typedNumbers: z.string().max(MAX_TYPED_NUMBERS_LENGTH),
  name: z.string().max(MAX_GROUP_NAME_LENGTH).nullable(),
});

const VALUE_ERRORS: Record<keyof z.infer<typeof submittedValues>, [StartGroupField, string]> = {
  lineId: ["line", "Choose a line from the list."],
  contactIds: ["contacts", `Pick up to ${MAX_GROUP_CONTACTS} contacts from the list.`],
  typedNumbers: [
    "numbers",
    `Type at most ${MAX_TYPED_NUMBERS_LENGTH} characters here (up to ${MAX_GROUP_CONTACTS} numbers).`,
  ],
  name: ["name", `Group names can be at most ${MAX_GROUP_NAME_LENGTH} characters.`],
};

/** Problems with typed numbers named in one error at most; the rest are counted. */
const MAX_NAMED_PROBLEMS = 3;

/** A reason as a sentence of its own: capitalised, ending with a full stop. */
function sentence(text: string): string {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

function listNames(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

export class GroupStartService {
  private readonly receipts: InteractionReceipts;

  constructor(private readonly deps: GroupStartDeps) {
    this.receipts = new InteractionReceipts(deps.db);
  }

  /**
   * The lines and contacts a slash command's modal offers, or null when this command (by its
   * trigger id) was already answered: a replayed command opens nothing.
   */
  async choicesForCommand(command: { triggerId: string; userId: string }) {
    const fresh = await this.receipts.claim({
      kind: "slash_command",
      id: command.triggerId,
      userId: command.userId,
    });
    return fresh ? this.modalChoices() : null;
  }

  /**
   * The lines the modal offers (one more than Slack's 100 options says there are more: the modal
   * then searches them as typed), and whether there are contacts to search at all.
   */
  async modalChoices() {
    const { db } = this.deps;
    const [lines, contact] = await Promise.all([
      db.line.findMany({
        where: { active: true, groupEnabled: true },
        orderBy: [{ name: "asc" }, { number: "asc" }],
        select: { id: true, name: true, number: true },
        take: MAX_CHOICES + 1,
      }),
      db.contact.findFirst({ select: { id: true } }),
    ]);
    return { lines, hasContacts: contact !== null };
  }

  /** Validates a modal submission; when valid, records it and queues the text. Sends nothing itself. */
  async request(input: StartGroupRequest): Promise<StartGroupResult> {
    const { db } = this.deps;
    const submission = { kind: "view_submission", id: input.viewId, userId: input.userId } as const;
    // A replay of a submission that took effect is answered as that one was, and changes nothing.
    if (await this.receipts.seen(submission)) return { ok: true, groupStartId: null };
    const values = submittedValues.safeParse(input);
    if (!values.success) {
      const errors: Partial<Record<StartGroupField, string>> = {};
      for (const issue of values.error.issues) {
        const [field, message] = VALUE_ERRORS[issue.path[0] as keyof typeof VALUE_ERRORS];
        errors[field] = message;
      }
      return { ok: false, errors };
    }
    const errors: Partial<Record<StartGroupField, string>> = {};
    const text = input.text.trim();
    if (!text) errors.message = "Write the message to send.";
    else if (text.length > MAX_TEXT_LENGTH)
      errors.message = `Messages can be at most ${MAX_TEXT_LENGTH} characters.`;

    const line = input.lineId
      ? await db.line.findFirst({ where: { id: input.lineId, active: true, groupEnabled: true } })
      : null;
    if (!line) {
      const any = await db.line.count({ where: { active: true, groupEnabled: true } });
      if (any === 0) {
        errors.message ??= "No group-enabled line is configured. An admin can add one in the app's Home tab.";
      } else {
        errors.line = "Choose an active, group-enabled line.";
      }
    }

    const saved = input.contactIds.length
      ? await db.contact.findMany({ where: { id: { in: input.contactIds } } })
      : [];
    const numbers = saved.map((c) => c.number);
    const typedProblems: string[] = [];
    const duplicates: string[] = [];
    for (const raw of splitPhoneList(input.typedNumbers)) {
      const result = normalizePhone(raw);
      if (!result.ok) {
        typedProblems.push(result.reason);
        continue;
      }
      if (line && result.e164 === line.number) {
        typedProblems.push(`${formatPhone(result.e164)} is the line's own number.`);
        continue;
      }
      if (numbers.includes(result.e164)) duplicates.push(formatPhone(result.e164));
      else numbers.push(result.e164);
    }
    if (line && saved.some((c) => c.number === line.number)) {
      errors.contacts = `${formatPhone(line.number)} is the line's own number.`;
    }
    // One sentence per problem, so that several read apart: "“12” is not a valid phone number. …"
    const numberProblems = typedProblems.slice(0, MAX_NAMED_PROBLEMS).map(sentence);
    const unnamed = typedProblems.length - MAX_NAMED_PROBLEMS;
    if (unnamed > 0)
      numberProblems.push(`${unnamed} more ${unnamed === 1 ? "entry is" : "entries are"} not usable either.`);
    if (duplicates.length)
      numberProblems.push(
        `${listNames(duplicates)} ${duplicates.length === 1 ? "is" : "are"} already in the group.`,
      );
    if (numberProblems.length) errors.numbers = numberProblems.join(" ");

    if (!errors.numbers && !errors.contacts) {
      if (numbers.length === 0) errors.numbers = "Add at least one mobile contact.";
      else if (numbers.length > MAX_GROUP_CONTACTS) {
        errors.numbers = `A group text can include at most ${MAX_GROUP_CONTACTS} contacts. This one has ${numbers.length}.`;
      }
    }

    if (line && numbers.length) {
      const optedOut = await db.consent.findMany({
        where: { lineId: line.id, number: { in: numbers }, status: "OPTED_OUT" },
      });
      if (optedOut.length) {
        const contacts = await db.contact.findMany({
          where: { number: { in: optedOut.map((o) => o.number) } },
        });
        const names = optedOut.map((o) => {
          const c = contacts.find((x) => x.number === o.number);
          return c?.name ? `${c.name} (${formatPhone(o.number)})` : formatPhone(o.number);
        });
        const field: StartGroupField = saved.some((c) => optedOut.some((o) => o.number === c.number))
          ? "contacts"
          : "numbers";
        errors[field] ??= `${listNames(names)} opted out of texts from ${line.name} and cannot be included.`;
      }
    }

    if (Object.keys(errors).length > 0 || !line) return { ok: false, errors };

    const groupStart = await db.$transaction(async (tx) => {
      // First: a concurrent copy of this submission waits here for this transaction, then loses.
      if (!(await this.receipts.claim(submission, tx))) return null;
      const contacts = await ensureContacts(tx, numbers, input.userId);
      return tx.groupStart.create({
        data: {
          lineId: line.id,
          contactIds: contacts.map((c) => c.id),
          name: input.name?.trim() || null,
          text,
          requestedBy: input.userId,
          channelId: input.channelId,
        },
      });
    });
    if (!groupStart) return { ok: true, groupStartId: null };
    // The row is the outbox: if waking its job fails, the sweeper queues it, so the member is not
    // told that nothing was sent (sending the form again would find it already taken).
    await this.deps.requestGroupStart(groupStart.id).catch((error: unknown) => {
      this.deps.logger.warn(
        { err: error, groupStartId: groupStart.id },
        "group start not queued; the sweeper will",
      );
    });
    return { ok: true, groupStartId: groupStart.id };
  }

  /** Job: hand the first text to Bandwidth, then create (or reuse) the conversation. */
  async process(groupStartId: string, context: JobContext): Promise<void> {
    // The lock and the state check together make a retried or re-queued job send at most once.
    await this.deps.locks.withLock(`group-start:${groupStartId}`, () => this.send(groupStartId, context));
  }

  private async send(groupStartId: string, context: JobContext): Promise<void> {
    const { db, sender, publisher, logger } = this.deps;
    const start = await db.groupStart.findUnique({ where: { id: groupStartId }, include: { line: true } });
    // Found begun under the lock: the attempt's process died, so its outcome is in doubt.
    if (start?.state === "SENDING") return this.resolveInDoubt(start);
    if (start?.state !== "PENDING") return;
    const contacts = await db.contact.findMany({ where: { id: { in: start.contactIds } } });
    const numbers = contacts.map((c) => c.number).sort();

    let outcome: Awaited<ReturnType<TextSender["send"]>>;
    try {
      outcome = await sender.sendRespectingRateLimit({
        line: start.line,
        recipients: numbers,
        text: start.text,
        tag: `gs:${start.id}`,
        beginAttempt: async (recipients) => {
          await db.groupStart.update({
            where: { id: start.id },
            data: { state: "SENDING", sendStartedAt: new Date(), recipients },
          });
        },
      });
    } catch (error) {
      const failure = error instanceof BandwidthError ? error : new BandwidthError(String(error), null, true);
      const begun = await db.groupStart.findUnique({ where: { id: start.id }, select: { state: true } });
      if (begun?.state === "SENDING" && failure.inDoubt) {
        logger.warn({ groupStartId }, "group text in doubt: Bandwidth may have taken it");
        const row = await db.groupStart.findUnique({ where: { id: start.id }, include: { line: true } });
        if (row) await this.resolveInDoubt(row);
        return;
      }
      // Bandwidth answered, or the request never left: nothing was taken.
      await db.groupStart.updateMany({
        where: { id: start.id, state: "SENDING" },
        data: { state: "PENDING" },
      });
      if (failure.retryable && !context.lastAttempt) throw failure;
      await db.groupStart.update({
        where: { id: start.id },
        data: { state: "FAILED", error: failure.message },
      });
      const why = textFailureSentence(error instanceof BandwidthError ? error : null, failure.retryable);
      await publisher.notifyUser(
        start.channelId,
        start.requestedBy,
        mrkdwn`:x: Your group text${start.name ? ` “${start.name}”` : ""} was not sent. ${why} Nothing was texted; you can try again.`,
      );
      logger.warn({ groupStartId, status: failure.status, err: error }, "group start failed");
      return;
    }
    if (outcome.status === "blocked") {
      await db.groupStart.update({
        where: { id: start.id },
        data: { state: "FAILED", error: "every contact opted out" },
      });
      await publisher.notifyUser(
        start.channelId,
        start.requestedBy,
        mrkdwn`:no_entry: Every contact in that group has opted out of this line; nothing was sent.`,
      );
      return;
    }
    await this.complete(start, outcome.recipients, outcome.bandwidthMessageId);
  }

  /**
   * A group text whose request may have been taken: confirmed from Bandwidth's evidence (a stored
   * status callback with its tag, or List Messages), or else given its thread anyway, with the text
   * shown as not confirmed and a Send again button. Never sent again by the app itself.
   */
  private async resolveInDoubt(start: GroupStartRow): Promise<void> {
    const { db, evidence, logger } = this.deps;
    const result = await evidence.await({
      tag: `gs:${start.id}`,
      line: start.line.number,
      recipients: start.recipients,
      startedAt: start.sendStartedAt ?? start.updatedAt,
      settled: async () =>
        (await db.groupStart.findUnique({ where: { id: start.id }, select: { state: true } }))?.state !==
        "SENDING",
      found: (bandwidthMessageId) =>
        this.complete(start, start.recipients, bandwidthMessageId).catch((error) => {
          if (isUniqueViolation(error)) return false;
          throw error;
        }),
    });
    logger.info({ groupStartId: start.id, result }, "group text in doubt resolved");
    if (result === "not-found") await this.complete(start, start.recipients, null);
  }

  /**
   * Records the first text and its conversation, once. With no Bandwidth id the text is not
   * confirmed: the thread is made all the same, so that a teammate can decide there.
   */
  private async complete(
    start: GroupStartRow,
    recipients: string[],
    bandwidthMessageId: string | null,
  ): Promise<boolean> {
    const { db, publisher, evidence } = this.deps;
    const numbers = [...(start.recipients.length ? start.recipients : recipients)].sort();
    const contacts = await db.contact.findMany({ where: { id: { in: start.contactIds } } });
    const everyone = contacts.map((c) => c.number).sort();
    const segments = countSegments(start.text).segments;
    const done = await db.$transaction(async (tx) => {
      const { count } = await tx.groupStart.updateMany({
        where: { id: start.id, state: { in: ["PENDING", "SENDING"] } },
        data: { state: bandwidthMessageId ? "SENT" : "UNCONFIRMED" },
      });
      if (count === 0) return null;
      const existing = await findConversationByKey(tx, start.lineId, everyone);
      const conversation =
        existing ??
        (await createConversation(tx, {
          lineId: start.lineId,
          numbers: everyone,
          channelId: start.channelId,
          name: start.name,
          startedBy: start.requestedBy,
        }));
      const message = await tx.message.create({
        data: {
          conversationId: conversation.id,
          kind: "OUTBOUND",
          text: start.text,
          slackUserId: start.requestedBy,
          recipients: numbers,
          segments,
          bandwidthMessageId,
          sourceKey: `groupstart:${start.id}`,
          sendState: bandwidthMessageId ? "SENT" : "UNCONFIRMED",
          sendStartedAt: start.sendStartedAt,
          sendAttempts: 1,
          postState: "PENDING",
          deliveries: bandwidthMessageId
            ? { create: numbers.map((number) => ({ number, status: "QUEUED" as const })) }
            : undefined,
        },
      });
      if (!bandwidthMessageId) {
        await tx.message.create({
          data: {
            conversationId: conversation.id,
            kind: "NOTICE",
            text: mrkdwn`:warning: Not confirmed: the app lost contact with Bandwidth while texting this group, and Bandwidth shows no record of it after ${Math.round(evidence.confirmWaitMs / 1000)} s. It may not have reached the group. Nothing is re-sent automatically: check with a participant, or send it again.`
              .markup,
            sourceKey: unconfirmedNoticeKey(message.id, 1),
            postState: "PENDING",
          },
        });
      }
      await tx.groupStart.update({ where: { id: start.id }, data: { conversationId: conversation.id } });
      return { conversation, reused: existing !== null };
    });
    if (!done) return false;
    const { conversation, reused } = done;
    await this.deps.requestThreadSync(conversation.id);
    if (reused && conversation.channelId && conversation.threadTs) {
      const link = await publisher.permalink(conversation.channelId, conversation.threadTs);
      await publisher.notifyUser(
        start.channelId,
        start.requestedBy,
        mrkdwn`This group already has a thread, so your message went there${link ? `: ${link}` : "."} (${describeCost(numbers.length, start.text)})`,
      );
    }
    return true;
  }
}
