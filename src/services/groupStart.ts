import { z } from "zod";
import { type Db, isUniqueViolation, type Line, type Tx } from "../db/client";
import type { Locks } from "../db/locks";
import {
  type ConversationKind,
  KIND_RULES,
  kindCost,
  MAX_MULTI_RECIPIENTS,
  MAX_MULTI_TYPED_NUMBERS_LENGTH,
} from "../domain/conversationKind";
import { textFailureSentence } from "../domain/failureText";
import { noticeRow, type PersonalNotice, type ThreadNotice } from "../domain/notices";
import { MAX_GROUP_NAME_LENGTH } from "../domain/participants";
import { contactLabel, formatPhone, normalizePhone, splitPhoneList } from "../domain/phone";
import { countSegments, MAX_TEXT_LENGTH } from "../domain/segments";
import type { GroupStart } from "../generated/prisma/client";
import type { JobContext } from "../jobs/queue";
import type { Logger } from "../logger";
import { ensureContacts, findOrCreateConversation, reopenConversation } from "./conversations";
import { MAX_CHOICES } from "./groupChoices";
import { InteractionReceipts } from "./interactions";
import type { ChannelAccess, ChannelCheck, ThreadPublisher } from "./ports";
import { BandwidthError } from "./ports";
import { type SendEvidence, unconfirmedNoticeKey } from "./sendEvidence";
import type { TextSender } from "./textSender";

export interface StartGroupRequest {
  /** The modal's view id: a submission takes effect once, however often it is sent. */
  viewId: string;
  /** Group unless the member chose another kind in the modal. */
  kind?: ConversationKind;
  userId: string;
  /** The channel picked for the thread (null: none picked); checked with Slack before anything is stored. */
  channelId: string | null;
  lineId: string | null;
  contactIds: string[];
  typedNumbers: string;
  name: string | null;
  text: string;
}

export type StartGroupField = "channel" | "line" | "contacts" | "numbers" | "name" | "message";

/**
 * groupStartId is null for a replay of a submission that already took effect, and for a
 * multi-recipient send (one start per recipient, under multiSendId).
 */
export type StartGroupResult =
  | { ok: true; groupStartId: string | null; multiSendId?: string }
  | { ok: false; errors: Partial<Record<StartGroupField, string>> };

export interface GroupStartDeps {
  db: Db;
  locks: Locks;
  sender: TextSender;
  publisher: ThreadPublisher;
  logger: Logger;
  requestThreadSync(conversationId: string): Promise<void>;
  requestGroupStart(groupStartId: string): Promise<void>;
  /** Wakes the job that shows a multi-recipient send's progress, then its summary. */
  requestMultiSendReport?(multiSendId: string): Promise<void>;
  evidence: SendEvidence;
  channels: ChannelAccess;
  /**
   * Posts the conversation's thread root now (or adopts one posted before) and answers where it is;
   * null when it could not be posted yet (Slack's rate limit for the channel, say).
   */
  openThread(conversationId: string): Promise<{ channel: string; threadTs: string } | null>;
}

type GroupStartRow = GroupStart & { line: Line };

/**
 * What a submission may hold at all, checked before anything reaches the database: the ids come
 * from the modal's own options, so anything but a UUID is forged (and would make PostgreSQL throw).
 */
const submittedValues = z.object({
  lineId: z.uuid().nullable(),
  contactIds: z.array(z.uuid()).max(MAX_MULTI_RECIPIENTS),
  typedNumbers: z.string().max(MAX_MULTI_TYPED_NUMBERS_LENGTH),
  name: z.string().max(MAX_GROUP_NAME_LENGTH).nullable(),
});

const VALUE_ERRORS: Record<keyof z.infer<typeof submittedValues>, [StartGroupField, string]> = {
  lineId: ["line", "Choose a line from the list."],
  contactIds: ["contacts", `Pick up to ${MAX_MULTI_RECIPIENTS} contacts from the list.`],
  typedNumbers: ["numbers", `Type at most ${MAX_MULTI_TYPED_NUMBERS_LENGTH} characters here.`],
  name: ["name", `Group names can be at most ${MAX_GROUP_NAME_LENGTH} characters.`],
};

/** How the modal's errors name the app: its bot user's display name in manifest.yml. */
const APP_NAME = "@Reply-All Texts";

/** Thread channels are public (C) or private (C, or G for older ones); D is a direct message. */
const THREAD_CHANNEL = /^[CG][A-Z0-9]{5,20}$/;

/** What the member reads under the channel picker when the thread cannot open there; null when it can. */
function channelProblem(check: ChannelCheck | { kind: "not-yours"; name: string }): string | null {
  switch (check.kind) {
    case "not-yours":
      return `You are not in #${check.name}. Pick a channel you are in.`;
    case "member":
    case "joinable":
      return null;
    case "private-without-app":
      return check.name
        ? `Invite ${APP_NAME} to #${check.name} first (type /invite ${APP_NAME} there), or pick another channel.`
        : `${APP_NAME} cannot see that channel. If it is private, invite ${APP_NAME} to it first, or pick another channel.`;
    case "archived":
      return `#${check.name} is archived. Pick another channel.`;
    case "not-a-channel":
      return "A group's thread cannot open in a direct message. Pick a channel.";
    case "slow":
      return "Slack did not answer in time while checking that channel. Nothing was sent. Send the form again.";
    case "failed":
      return "Slack could not check that channel just now. Nothing was sent. Send the form again.";
  }
}

/** Problems with typed numbers named in one error at most; the rest are counted. */
const MAX_NAMED_PROBLEMS = 3;

type FormErrors = Partial<Record<StartGroupField, string>>;

/** The errors of values no modal of ours sends (forged ids, oversized fields); null when none. */
function valueErrors(input: StartGroupRequest): FormErrors | null {
  const values = submittedValues.safeParse(input);
  if (values.success) return null;
  const errors: FormErrors = {};
  for (const issue of values.error.issues) {
    const [field, message] = VALUE_ERRORS[issue.path[0] as keyof typeof VALUE_ERRORS];
    errors[field] = message;
  }
  return errors;
}

/** What is wrong with a picked channel id on its face, before Slack is asked; null when nothing. */
function pickedChannelProblem(channel: string): string | null {
  if (THREAD_CHANNEL.test(channel)) return null;
  return /^D/.test(channel)
    ? "A thread cannot open in a direct message. Pick a channel."
    : "Pick a channel from the list.";
}

function messageProblem(text: string): string | null {
  if (!text) return "Write the message to send.";
  if (text.length > MAX_TEXT_LENGTH) return `Messages can be at most ${MAX_TEXT_LENGTH} characters.`;
  return null;
}

/**
 * The typed numbers added to the picked contacts' ones (`picked`), in order and once each, with the
 * entries that are not usable and the numbers already there.
 */
function readTypedNumbers(
  typedNumbers: string,
  lineNumber: string | null,
  picked: string[],
): { numbers: string[]; problems: string[]; duplicates: string[] } {
  const numbers = [...picked];
  const problems: string[] = [];
  const duplicates: string[] = [];
  for (const raw of splitPhoneList(typedNumbers)) {
    const result = normalizePhone(raw);
    if (!result.ok) {
      problems.push(result.reason);
      continue;
    }
    if (lineNumber && result.e164 === lineNumber) {
      problems.push(`${formatPhone(result.e164)} is the line's own number.`);
      continue;
    }
    if (numbers.includes(result.e164)) duplicates.push(formatPhone(result.e164));
    else numbers.push(result.e164);
  }
  return { numbers, problems, duplicates };
}

/** One sentence per problem, so that several read apart: "“12” is not a valid phone number. …" */
function typedNumberProblems(
  problems: string[],
  duplicates: string[],
  kind: ConversationKind,
): string | null {
  const sentences = problems.slice(0, MAX_NAMED_PROBLEMS).map(sentence);
  const unnamed = problems.length - MAX_NAMED_PROBLEMS;
  if (unnamed > 0)
    sentences.push(`${unnamed} more ${unnamed === 1 ? "entry is" : "entries are"} not usable either.`);
  if (duplicates.length)
    sentences.push(
      `${listNames(duplicates)} ${duplicates.length === 1 ? "is" : "are"} already ${kind === "group" ? "in the group" : "picked"}.`,
    );
  return sentences.length ? sentences.join(" ") : null;
}

function recipientCountProblem(kind: ConversationKind, count: number): string | null {
  const rules = KIND_RULES[kind];
  if (count === 0)
    return kind === "one" ? "Pick a contact or type a mobile number." : "Add at least one mobile contact.";
  if (count <= rules.maxContacts) return null;
  return {
    group: `A group text can include at most ${rules.maxContacts} contacts. This one has ${count}.`,
    one: `A one-to-one text goes to one contact. This one has ${count}; choose “Many contacts” to text each of them.`,
    many: `One send can go to at most ${rules.maxContacts} contacts. This one has ${count}.`,
  }[kind];
}

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
  async choicesForCommand(command: {
    triggerId: string;
    userId: string;
    shortcut?: boolean;
    kind?: ConversationKind;
  }) {
    const fresh = await this.receipts.claim({
      kind: command.shortcut ? "shortcut" : "slash_command",
      id: command.triggerId,
      userId: command.userId,
    });
    return fresh ? this.modalChoices(command.kind) : null;
  }

  /**
   * The channel the modal's picker starts on: the one the command was typed in, unless Slack says
   * the thread could not open there (a group DM, a private channel without the app, an archived
   * one); then the picker starts empty and asks. Unsure (Slack slow), it is offered: the
   * submission is checked again anyway.
   */
  async defaultChannel(typedIn: string | null): Promise<string | null> {
    if (!typedIn || !THREAD_CHANNEL.test(typedIn)) return null;
    const check = await this.deps.channels.check(typedIn);
    return check.kind === "member" ||
      check.kind === "joinable" ||
      check.kind === "slow" ||
      check.kind === "failed"
      ? typedIn
      : null;
  }

  /**
   * The lines the modal offers (one more than Slack's 100 options says there are more: the modal
   * then searches them as typed), and whether there are contacts to search at all.
   */
  async modalChoices(kind: ConversationKind = "group") {
    const { db } = this.deps;
    const [lines, contact] = await Promise.all([
      db.line.findMany({
        where: { active: true, ...(KIND_RULES[kind].groupLinesOnly ? { groupEnabled: true } : {}) },
        orderBy: [{ name: "asc" }, { number: "asc" }],
        select: { id: true, name: true, number: true },
        take: MAX_CHOICES + 1,
      }),
      db.contact.findFirst({ select: { id: true } }),
    ]);
    return { lines, hasContacts: contact !== null };
  }

  /**
   * Whether the thread can open in `channel`, and, for a private one, whether the member is in it:
   * the picker lists only channels they are in, but its value is whatever their client sends, and a
   * group's thread (names, numbers, replies) must not land in a private channel behind their back.
   */
  private async checkChannel(
    channel: string,
    userId: string,
  ): Promise<ChannelCheck | { kind: "not-yours"; name: string }> {
    const check = await this.deps.channels.check(channel);
    if (check.kind !== "member" || !check.private) return check;
    const member = await this.deps.channels.hasMember(channel, userId);
    if (member === true) return check;
    if (member === false) return { kind: "not-yours", name: check.name };
    return { kind: member };
  }

  /** Validates a modal submission; when valid, records it and queues the text(s). Sends nothing itself. */
  async request(input: StartGroupRequest): Promise<StartGroupResult> {
    const kind = input.kind ?? "group";
    const rules = KIND_RULES[kind];
    const submission = { kind: "view_submission", id: input.viewId, userId: input.userId } as const;
    // A replay of a submission that took effect is answered as that one was, and changes nothing.
    if (await this.receipts.seen(submission)) return { ok: true, groupStartId: null };
    const invalid = valueErrors(input);
    if (invalid) return { ok: false, errors: invalid };
    const errors: FormErrors = {};
    if (input.typedNumbers.length > rules.maxTypedLength)
      errors.numbers = `Type at most ${rules.maxTypedLength} characters here.`;
    // Asked of Slack while the database is read: the member is waiting on the modal.
    const channel = input.channelId;
    const channelProblemNow = channel
      ? pickedChannelProblem(channel)
      : "Pick the channel where the thread will be posted.";
    if (channelProblemNow) errors.channel = channelProblemNow;
    const channelCheck = channel && !channelProblemNow ? this.checkChannel(channel, input.userId) : null;
    const text = input.text.trim();
    const textProblem = messageProblem(text);
    if (textProblem) errors.message = textProblem;

    const line = await this.usableLine(input.lineId, rules, errors);
    const { saved, numbers } = await this.recipientNumbers(input, kind, line, errors);
    if (!errors.numbers && !errors.contacts) {
      const countProblem = recipientCountProblem(kind, numbers.length);
      if (countProblem) errors.numbers = countProblem;
    }
    const skipped = line && numbers.length ? await this.optedOut(line, kind, numbers, saved, errors) : [];

    const checked = channelCheck ? await channelCheck : null;
    const problem = checked ? channelProblem(checked) : null;
    if (problem) errors.channel = problem;
    if (Object.keys(errors).length > 0 || !line || !channel) return { ok: false, errors };
    // Only now, with the form valid: a form sent back with errors joins nothing.
    const joinProblem = checked?.kind === "joinable" ? await this.joinChannel(channel, checked.name) : null;
    if (joinProblem) return { ok: false, errors: { channel: joinProblem } };
    if (kind === "many") {
      const sendTo = numbers.filter((n) => !skipped.includes(n));
      return this.requestMany(submission, { line, channel, text, sendTo, skipped });
    }
    return this.requestOne(submission, { kind, line, channel, text, numbers, name: input.name });
  }

  /** The picked line when it is usable for this kind; otherwise null, with the error that says why. */
  private async usableLine(
    lineId: string | null,
    rules: (typeof KIND_RULES)[ConversationKind],
    errors: FormErrors,
  ): Promise<Line | null> {
    const { db } = this.deps;
    const usable = { active: true, ...(rules.groupLinesOnly ? { groupEnabled: true } : {}) };
    const line = lineId ? await db.line.findFirst({ where: { id: lineId, ...usable } }) : null;
    if (line) return line;
    const any = await db.line.count({ where: usable });
    if (any === 0) {
      errors.message ??= rules.groupLinesOnly
        ? "No group-enabled line is configured. An admin can add one in the app's Home tab."
        : "No active line is configured. An admin can add one in the app's Home tab.";
    } else {
      errors.line = rules.groupLinesOnly ? "Choose an active, group-enabled line." : "Choose an active line.";
    }
    return null;
  }

  /** The picked contacts' numbers, then the typed ones; the problems with either go to `errors`. */
  private async recipientNumbers(
    input: StartGroupRequest,
    kind: ConversationKind,
    line: Line | null,
    errors: FormErrors,
  ): Promise<{ saved: { number: string }[]; numbers: string[] }> {
    const saved = input.contactIds.length
      ? await this.deps.db.contact.findMany({ where: { id: { in: input.contactIds } } })
      : [];
    const typed = readTypedNumbers(
      input.typedNumbers,
      line?.number ?? null,
      saved.map((c) => c.number),
    );
    if (line && saved.some((c) => c.number === line.number)) {
      errors.contacts = `${formatPhone(line.number)} is the line's own number.`;
    }
    const problems = typedNumberProblems(typed.problems, typed.duplicates, kind);
    if (problems) errors.numbers ??= problems;
    return { saved, numbers: typed.numbers };
  }

  /**
   * The numbers opted out of `line`: skipped for a multi-recipient send (an error when that is all of
   * them), an error naming them otherwise.
   */
  private async optedOut(
    line: Line,
    kind: ConversationKind,
    numbers: string[],
    saved: { number: string }[],
    errors: FormErrors,
  ): Promise<string[]> {
    const { db } = this.deps;
    const optedOut = await db.consent.findMany({
      where: { lineId: line.id, number: { in: numbers }, status: "OPTED_OUT" },
    });
    if (optedOut.length && KIND_RULES[kind].optedOut === "skip") {
      const skipped = optedOut.map((o) => o.number);
      if (skipped.length === numbers.length)
        errors.numbers ??= `Every one of these contacts opted out of texts from ${line.name}: nothing would be sent.`;
      return skipped;
    }
    if (optedOut.length) {
      const contacts = await db.contact.findMany({
        where: { number: { in: optedOut.map((o) => o.number) } },
      });
      const names = optedOut.map((o) => {
        const c = contacts.find((x) => x.number === o.number);
        return contactLabel(c?.name, o.number);
      });
      const field: StartGroupField = saved.some((c) => optedOut.some((o) => o.number === c.number))
        ? "contacts"
        : "numbers";
      errors[field] ??= `${listNames(names)} opted out of texts from ${line.name} and cannot be included.`;
    }
    return [];
  }

  /** Joins a public channel the app is not in yet; null once joined, else what the member reads. */
  private async joinChannel(channel: string, name: string): Promise<string | null> {
    const joined = await this.deps.channels.join(channel);
    if (joined === "joined") return null;
    return joined === "slow"
      ? "Slack did not answer in time while the app joined that channel. Nothing was sent. Send the form again."
      : `${APP_NAME} could not join #${name}. Invite it there first, or pick another channel.`;
  }

  /** A group or one-to-one text: one stored start, made with the submission's receipt. */
  private async requestOne(
    submission: { kind: "view_submission"; id: string; userId: string },
    input: {
      kind: ConversationKind;
      line: Line;
      channel: string;
      text: string;
      numbers: string[];
      name: string | null;
    },
  ): Promise<StartGroupResult> {
    const groupStart = await this.deps.db.$transaction(async (tx) => {
      // First: a concurrent copy of this submission waits here for this transaction, then loses.
      if (!(await this.receipts.claim(submission, tx))) return null;
      const contacts = await ensureContacts(tx, input.numbers, submission.userId);
      return tx.groupStart.create({
        data: {
          lineId: input.line.id,
          contactIds: contacts.map((c) => c.id),
          name: input.kind === "group" ? input.name?.trim() || null : null,
          text: input.text,
          requestedBy: submission.userId,
          channelId: input.channel,
        },
      });
    });
    if (!groupStart) return { ok: true, groupStartId: null };
    await this.wakeStart(groupStart.id);
    return { ok: true, groupStartId: groupStart.id };
  }

  /**
   * A multi-recipient send: one stored start per contact, all made with the submission's receipt in
   * one transaction, so a replayed or crashed submission makes each text once. Each start then goes
   * through the same durable path as a group's first text, into that contact's own conversation.
   */
  private async requestMany(
    submission: { kind: "view_submission"; id: string; userId: string },
    input: { line: Line; channel: string; text: string; sendTo: string[]; skipped: string[] },
  ): Promise<StartGroupResult> {
    const { db } = this.deps;
    const made = await db.$transaction(async (tx) => {
      if (!(await this.receipts.claim(submission, tx))) return null;
      const contacts = await ensureContacts(tx, input.sendTo, submission.userId);
      const multiSend = await tx.multiSend.create({
        data: {
          lineId: input.line.id,
          requestedBy: submission.userId,
          channelId: input.channel,
          text: input.text,
          skipped: input.skipped,
        },
      });
      // In the order the member listed them, so the threads appear in that order.
      const byNumber = new Map(contacts.map((c) => [c.number, c.id]));
      const starts = await tx.groupStart.createManyAndReturn({
        data: input.sendTo.map((number) => ({
          lineId: input.line.id,
          contactIds: [byNumber.get(number) ?? ""],
          text: input.text,
          requestedBy: submission.userId,
          channelId: input.channel,
          multiSendId: multiSend.id,
        })),
        select: { id: true },
      });
      return { multiSend, starts };
    });
    if (!made) return { ok: true, groupStartId: null };
    await this.wakeReport(made.multiSend.id);
    for (const start of made.starts) await this.wakeStart(start.id);
    return { ok: true, groupStartId: null, multiSendId: made.multiSend.id };
  }

  /**
   * The row is the outbox: if waking its job fails, the sweeper queues it, so the member is not
   * told that nothing was sent (sending the form again would find it already taken).
   */
  private async wakeStart(groupStartId: string): Promise<void> {
    await this.deps.requestGroupStart(groupStartId).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, groupStartId }, "group start not queued; the sweeper will");
    });
  }

  private async wakeReport(multiSendId: string | null): Promise<void> {
    if (!multiSendId || !this.deps.requestMultiSendReport) return;
    await this.deps.requestMultiSendReport(multiSendId).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, multiSendId }, "multi-send report not queued; the sweeper will");
    });
  }

  /**
   * Job: the conversation and its thread root first, then the first text to Bandwidth. A group is
   * never texted without its thread: a send that fails is reported in that thread.
   */
  async process(groupStartId: string, context: JobContext): Promise<void> {
    // The lock and the state check together make a retried or re-queued job send at most once.
    await this.deps.locks.withLock(`group-start:${groupStartId}`, () => this.send(groupStartId, context));
  }

  private async send(groupStartId: string, context: JobContext): Promise<void> {
    const { db, sender, logger } = this.deps;
    const start = await db.groupStart.findUnique({ where: { id: groupStartId }, include: { line: true } });
    // Found begun under the lock: the attempt's process died, so its outcome is in doubt.
    if (start?.state === "SENDING") return this.resolveInDoubt(start);
    if (start?.state !== "PENDING") return;
    const contacts = await db.contact.findMany({ where: { id: { in: start.contactIds } } });
    const numbers = contacts.map((c) => c.number).sort();
    const thread = await this.threadFor(start, numbers, context);
    if (!thread) return;

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
      const why = textFailureSentence(error instanceof BandwidthError ? error : null, failure.retryable);
      const alone = start.contactIds.length === 1;
      await this.fail(
        start,
        thread,
        failure.message,
        { kind: "start-failed", alone, why, requestedBy: start.requestedBy },
        { kind: "start-failed-requester", alone, why, name: start.name },
      );
      logger.warn({ groupStartId, status: failure.status, err: error }, "group start failed");
      return;
    }
    if (outcome.status === "blocked") {
      // Opted out after the form was checked: nothing goes to them, and the thread says why.
      const alone = start.contactIds.length === 1;
      await this.fail(
        start,
        thread,
        "every contact opted out",
        { kind: "start-blocked", alone },
        { kind: "start-blocked-requester", alone },
      );
      return;
    }
    await this.complete(start, outcome.recipients, outcome.bandwidthMessageId, outcome.segmentCount);
  }

  /**
   * The group's conversation (found by its participant set, or made for this start in the picked
   * channel) with its root posted. Null when the root could not be posted: retried as a job, and at
   * the last attempt the start fails with nothing texted.
   */
  private async threadFor(
    start: GroupStartRow,
    everyone: string[],
    context: JobContext,
  ): Promise<{ conversationId: string; channel: string; threadTs: string } | null> {
    const { db, logger } = this.deps;
    let conversationId = start.conversationId;
    if (!conversationId) {
      conversationId = await db.$transaction(async (tx) => {
        const { conversation, created } = await findOrCreateConversation(tx, {
          lineId: start.lineId,
          numbers: everyone,
          channelId: start.channelId,
          name: start.name,
          startedBy: start.requestedBy,
        });
        if (!created && !conversation.threadTs && !conversation.rootPostingAt) {
          // A conversation whose thread never opened (the contacts began it, or an earlier start could
          // not post there): it opens where this member asked, a channel checked moments ago.
          await tx.groupConversation.update({
            where: { id: conversation.id },
            data: { channelId: start.channelId },
          });
        }
        await tx.groupStart.update({ where: { id: start.id }, data: { conversationId: conversation.id } });
        return conversation.id;
      });
    }
    let opened: { channel: string; threadTs: string } | null = null;
    let failure: unknown = null;
    try {
      opened = await this.deps.openThread(conversationId);
    } catch (error) {
      failure = error;
    }
    if (opened) return { conversationId, ...opened };
    if (!context.lastAttempt) throw failure ?? new Error("the group's thread root is not posted yet");
    logger.warn(
      { groupStartId: start.id, err: failure },
      "group start failed: its thread could not be posted",
    );
    await db.groupStart.updateMany({
      where: { id: start.id, state: "PENDING" },
      data: { state: "FAILED", error: "thread root not posted" },
    });
    // One of many: the send's summary counts it as failed, instead of a note per contact.
    if (start.multiSendId) {
      await this.wakeReport(start.multiSendId);
      return null;
    }
    await this.deps.publisher.notifyUser(start.channelId, start.requestedBy, {
      kind: "thread-not-posted",
      name: start.name,
      channel: start.channelId,
    });
    return null;
  }

  /**
   * A start that texted nobody: said in its thread for everyone there, and privately in the thread to
   * the member who started it, where they are looking. The root's planned cost goes away.
   */
  private async fail(
    start: GroupStartRow,
    thread: { conversationId: string; channel: string; threadTs: string },
    error: string,
    notice: ThreadNotice,
    toRequester: PersonalNotice,
  ): Promise<void> {
    const { db, publisher } = this.deps;
    await db.$transaction(async (tx) => {
      const { count } = await tx.groupStart.updateMany({
        where: { id: start.id, state: { in: ["PENDING", "SENDING"] } },
        data: { state: "FAILED", error },
      });
      if (count === 0) return;
      await tx.message.create({
        data: {
          conversationId: thread.conversationId,
          ...noticeRow(notice),
          sourceKey: `groupstart-failed:${start.id}`,
          postState: "PENDING",
        },
      });
      await tx.groupConversation.update({ where: { id: thread.conversationId }, data: { rootDirty: true } });
    });
    await this.deps.requestThreadSync(thread.conversationId);
    if (start.multiSendId) await this.wakeReport(start.multiSendId);
    else await publisher.notifyUser(thread.channel, start.requestedBy, toRequester, thread.threadTs);
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
    /** Bandwidth's count from its answer; otherwise the estimate, until a status callback reports one. */
    reportedSegments: number | null = null,
  ): Promise<boolean> {
    const { db } = this.deps;
    const numbers = [...(start.recipients.length ? start.recipients : recipients)].sort();
    const contacts = await db.contact.findMany({ where: { id: { in: start.contactIds } } });
    const everyone = contacts.map((c) => c.number).sort();
    const segments = reportedSegments ?? countSegments(start.text).segments;
    const done = await db.$transaction(async (tx) => {
      const { count } = await tx.groupStart.updateMany({
        where: { id: start.id, state: { in: ["PENDING", "SENDING"] } },
        data: { state: bandwidthMessageId ? "SENT" : "UNCONFIRMED" },
      });
      if (count === 0) return null;
      const { conversation, created } = await this.conversationOf(tx, start, everyone);
      // Texting the same people again is taking the conversation up again.
      await reopenConversation(tx, conversation.id, start.requestedBy, "group text started again", {
        kind: "reopened-by-start",
        user: start.requestedBy,
      });
      await this.recordFirstText(tx, start, conversation.id, { numbers, segments, bandwidthMessageId });
      await tx.groupStart.update({ where: { id: start.id }, data: { conversationId: conversation.id } });
      // The root showed the planned cost; it shows what was sent when that differs (see rootView).
      if (!bandwidthMessageId || numbers.length !== start.contactIds.length) {
        await tx.groupConversation.update({ where: { id: conversation.id }, data: { rootDirty: true } });
      }
      // Made for this start (after it was requested), or a group that already had its thread.
      return { conversation, reused: !created && conversation.createdAt < start.createdAt };
    });
    if (!done) return false;
    const { conversation, reused } = done;
    await this.deps.requestThreadSync(conversation.id);
    // One of many: the send's summary says how many continued a thread, instead of a note each.
    if (start.multiSendId) await this.wakeReport(start.multiSendId);
    else if (reused && conversation.channelId && conversation.threadTs) {
      await this.tellWentToThread(
        start,
        { channel: conversation.channelId, threadTs: conversation.threadTs },
        numbers,
      );
    }
    return true;
  }

  /** The conversation its thread was opened for (a start begun before threads came first has none). */
  private async conversationOf(tx: Tx, start: GroupStartRow, everyone: string[]) {
    const opened = await tx.groupStart.findUnique({
      where: { id: start.id },
      select: { conversationId: true },
    });
    const openedFor = opened?.conversationId
      ? await tx.groupConversation.findUnique({ where: { id: opened.conversationId } })
      : null;
    if (openedFor) return { conversation: openedFor, created: false };
    return findOrCreateConversation(tx, {
      lineId: start.lineId,
      numbers: everyone,
      channelId: start.channelId,
      name: start.name,
      startedBy: start.requestedBy,
    });
  }

  /** The start's text as the conversation's first outbound message, with a notice when not confirmed. */
  private async recordFirstText(
    tx: Tx,
    start: GroupStartRow,
    conversationId: string,
    sent: { numbers: string[]; segments: number; bandwidthMessageId: string | null },
  ): Promise<void> {
    const { numbers, bandwidthMessageId } = sent;
    const message = await tx.message.create({
      data: {
        conversationId,
        kind: "OUTBOUND",
        text: start.text,
        slackUserId: start.requestedBy,
        recipients: numbers,
        segments: sent.segments,
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
    if (bandwidthMessageId) return;
    await tx.message.create({
      data: {
        conversationId,
        ...noticeRow({
          kind: "start-unconfirmed",
          waitSeconds: Math.round(this.deps.evidence.confirmWaitMs / 1000),
        }),
        sourceKey: unconfirmedNoticeKey(message.id, 1),
        postState: "PENDING",
      },
    });
  }

  /** The member's text went to a thread the group already had: told where, with what it cost. */
  private async tellWentToThread(
    start: GroupStartRow,
    thread: { channel: string; threadTs: string },
    numbers: string[],
  ): Promise<void> {
    const { publisher } = this.deps;
    const link = await publisher.permalink(thread.channel, thread.threadTs);
    const alone = start.contactIds.length === 1;
    const cost = kindCost(alone ? "one" : "group", numbers.length, start.text);
    await publisher.notifyUser(start.channelId, start.requestedBy, {
      kind: "went-to-thread",
      alone,
      link,
      cost,
    });
  }
}
