import { z } from "zod";
import { type Db, isUniqueViolation, type Line } from "../db/client";
import type { Locks } from "../db/locks";
import { textFailureReason } from "../domain/failureText";
import { FileRefused, MAX_MMS_BYTES, selectAttachments } from "../domain/media";
import { DEFAULT_NOTE_MARKER, INTERNAL_NOTE_REACTION, isInternalNote } from "../domain/notes";
import { noticeRow, type ThreadNotice } from "../domain/notices";
import { countSegments, MAX_TEXT_LENGTH } from "../domain/segments";
import type { GroupConversation, Message } from "../generated/prisma/client";
import type { JobContext } from "../jobs/queue";
import type { Logger } from "../logger";
import type { SlackFile, ThreadPublisher } from "./ports";
import { BandwidthError, type BandwidthMessaging } from "./ports";
import { recordReportedSegments } from "./reportedSegments";
import { recordMessageSent, type SendEvidence, sendTag, unconfirmedNoticeKey } from "./sendEvidence";
import type { TextSender } from "./textSender";

export interface OutboundDeps {
  db: Db;
  locks: Locks;
  sender: TextSender;
  publisher: ThreadPublisher;
  logger: Logger;
  requestThreadSync(conversationId: string): Promise<void>;
  requestOutbound(conversationId: string): Promise<void>;
  userName(userId: string): Promise<string | null>;
  media: Pick<BandwidthMessaging, "uploadMedia">;
  evidence: SendEvidence;
}

export interface ThreadReply {
  channelId: string;
  threadTs: string;
  ts: string;
  userId: string;
  /** The reply as plain text, as the phones will show it (the Slack edge translates its markup). */
  text: string;
  files: SlackFile[];
}

type DrainedConversation = GroupConversation & {
  line: Line;
  participants: { contact: { number: string } }[];
};

const slackFilesSchema = z.array(
  z.object({ id: z.string(), name: z.string(), mimetype: z.string(), size: z.number(), url: z.string() }),
);

export class OutboundService {
  constructor(private readonly deps: OutboundDeps) {}

  /**
   * A teammate's reply in a conversation's thread: recorded once (Slack retries events) and queued
   * to be texted to the group.
   */
  async receiveThreadReply(
    reply: ThreadReply,
  ): Promise<"queued" | "duplicate" | "not-a-conversation" | "rejected" | "note" | "closed"> {
    const { db, publisher } = this.deps;
    const conversation = await db.groupConversation.findUnique({
      where: { channelId_threadTs: { channelId: reply.channelId, threadTs: reply.threadTs } },
      include: { line: true },
    });
    if (!conversation) return "not-a-conversation";
    const text = reply.text.trim();
    const settings = await db.settings.findUnique({ where: { id: 1 } });
    if (isInternalNote(text, settings?.noteMarker ?? DEFAULT_NOTE_MARKER)) {
      // Marked where everyone sees it, so nobody wonders whether the customers got it.
      await publisher.react(reply.channelId, reply.ts, INTERNAL_NOTE_REACTION);
      return "note";
    }
    if (conversation.closedAt) return this.keepClosedReply(conversation.id, reply, text);
    const accepted = await this.acceptedFiles(reply);
    if (!text && accepted.length === 0) return "rejected";
    if (text.length > MAX_TEXT_LENGTH) {
      await publisher.notifyUser(reply.channelId, reply.userId, {
        kind: "reply-too-long",
        length: text.length,
        max: MAX_TEXT_LENGTH,
      });
      return "rejected";
    }
    const name = settings?.appendSenderName ? await this.deps.userName(reply.userId) : null;
    const signed = name ? `${text}\n— ${name}` : text;
    const inserted = await db.message.createMany({
      data: [
        {
          conversationId: conversation.id,
          kind: "OUTBOUND",
          text: signed,
          slackUserId: reply.userId,
          slackChannelId: reply.channelId,
          slackTs: reply.ts,
          sourceKey: `slack:${reply.channelId}:${reply.ts}`,
          segments: countSegments(signed).segments,
          slackFiles: accepted.length ? accepted.map((f) => ({ ...f })) : undefined,
          sendState: "QUEUED",
        },
      ],
      skipDuplicates: true,
    });
    if (inserted.count === 0) return "duplicate";
    await this.deps.requestOutbound(conversation.id);
    return "queued";
  }

  /**
   * A reply in a closed conversation is kept as one that was not texted (nor queued for later: it may
   * be stale by then), under its Slack key, so an event Slack delivers again tells its author once.
   */
  private async keepClosedReply(
    conversationId: string,
    reply: ThreadReply,
    text: string,
  ): Promise<"duplicate" | "closed"> {
    const kept = await this.deps.db.message.createMany({
      data: [
        {
          conversationId,
          kind: "OUTBOUND",
          text,
          slackUserId: reply.userId,
          slackChannelId: reply.channelId,
          slackTs: reply.ts,
          sourceKey: `slack:${reply.channelId}:${reply.ts}`,
          sendState: "BLOCKED",
          sendError: "conversation closed",
        },
      ],
      skipDuplicates: true,
    });
    if (kept.count === 0) return "duplicate";
    await this.deps.publisher.notifyUser(
      reply.channelId,
      reply.userId,
      { kind: "reply-not-sent-closed" },
      reply.threadTs,
    );
    return "closed";
  }

  /** The reply's files that can go as MMS; its author is told, in the thread, about the others. */
  private async acceptedFiles(reply: ThreadReply): Promise<SlackFile[]> {
    const { publisher } = this.deps;
    // A file whose link is not on Slack's file servers is never fetched: the token would go with it.
    const offSlack = reply.files.filter((f) => !publisher.isSlackFileUrl(f.url));
    const selection = selectAttachments(reply.files.filter((f) => !offSlack.includes(f)));
    const rejected = [
      ...offSlack.map((file) => ({ file, reason: "its link does not point to Slack's file servers" })),
      ...selection.rejected,
    ];
    if (rejected.length) {
      await publisher.notifyUser(
        reply.channelId,
        reply.userId,
        { kind: "files-not-texted", files: rejected.map((r) => ({ name: r.file.name, reason: r.reason })) },
        reply.threadTs,
      );
    }
    return selection.accepted;
  }

  /**
   * A teammate edited or deleted a reply that was (or is being) texted. A text cannot be unsent, so
   * the author is told, privately in the thread, once per reply whatever happens to it afterwards.
   */
  async replyChangedInSlack(change: {
    channelId: string;
    threadTs: string;
    ts: string;
    how: "edited" | "deleted";
  }): Promise<"told" | "already-told" | "not-texted"> {
    const { db, publisher } = this.deps;
    const message = await db.message.findUnique({
      where: { slackChannelId_slackTs: { slackChannelId: change.channelId, slackTs: change.ts } },
      select: { id: true, kind: true, sendState: true, slackUserId: true },
    });
    if (message?.kind !== "OUTBOUND" || !message.slackUserId) return "not-texted";
    if (message.sendState === "BLOCKED" || message.sendState === "FAILED") return "not-texted";
    const first = await db.message.updateMany({
      where: { id: message.id, unsendNoticeAt: null },
      data: { unsendNoticeAt: new Date() },
    });
    if (first.count === 0) return "already-told";
    await publisher.notifyUser(
      change.channelId,
      message.slackUserId,
      { kind: "reply-cannot-unsend", how: change.how },
      change.threadTs,
    );
    return "told";
  }

  /** Job: text every queued message of a conversation, oldest first. */
  async send(conversationId: string, context: JobContext): Promise<void> {
    await this.deps.locks.withLock(`outbound:${conversationId}`, () => this.drain(conversationId, context));
  }

  private async drain(conversationId: string, context: JobContext): Promise<void> {
    const { db } = this.deps;
    const conversation = await db.groupConversation.findUnique({
      where: { id: conversationId },
      include: { line: true, participants: { include: { contact: true } } },
    });
    if (!conversation) return;
    const open = await db.message.findMany({
      where: { conversationId, sendState: { in: ["QUEUED", "SENDING", "IN_DOUBT"] } },
      orderBy: { seq: "asc" },
    });
    let notices = false;
    for (const message of open) {
      if (await this.sendOne(conversation, message, context)) notices = true;
    }
    if (notices) await this.deps.requestThreadSync(conversationId);
  }

  /** Texts one queued message; true when the thread has something new to show for it. */
  private async sendOne(
    conversation: DrainedConversation,
    message: Message,
    context: JobContext,
  ): Promise<boolean> {
    const compliance = message.kind === "COMPLIANCE";
    if (message.sendState !== "QUEUED") {
      // This drain holds the conversation's lock, so an attempt found begun was cut off (a crash,
      // a stop): its outcome is resolved from Bandwidth's evidence, and texts after it wait.
      await this.resolveInDoubt(conversation.line.number, message.id);
      return true;
    }
    if (!conversation.line.active && !compliance) {
      await this.finish(message.id, "BLOCKED", "line inactive", {
        kind: "line-inactive",
        line: conversation.line.name,
      });
      return true;
    }
    try {
      return await this.attemptSend(conversation, message);
    } catch (error) {
      return this.afterFailedSend(conversation.line.number, message, error, context);
    }
  }

  private async attemptSend(conversation: DrainedConversation, message: Message): Promise<boolean> {
    const { db, sender } = this.deps;
    const compliance = message.kind === "COMPLIANCE";
    const recipients = compliance
      ? message.recipients
      : conversation.participants.map((p) => p.contact.number);
    const attempt = message.sendAttempts + 1;
    const media = await this.uploadMedia(message, conversation.threadTs);
    if (!message.text.trim() && media.length === 0) {
      // Every file was refused (its author was told why) and there is no text to send instead.
      await this.finish(message.id, "BLOCKED", "no text, and no file could be fetched", null);
      return false;
    }
    const outcome = await sender.sendRespectingRateLimit({
      line: conversation.line,
      recipients,
      text: message.text,
      media,
      tag: sendTag("m", message.id, attempt),
      confirmsConsentEventId: message.consentEventId ?? undefined,
      beginAttempt: async (allowed, excluded) => {
        await db.message.update({
          where: { id: message.id },
          data: {
            sendState: "SENDING",
            sendStartedAt: new Date(),
            sendAttempts: attempt,
            recipients: allowed,
            excluded,
          },
        });
      },
    });
    if (outcome.status === "blocked") {
      await this.finish(message.id, "BLOCKED", "no recipient may receive it", null);
      if (!compliance && message.slackUserId && message.slackChannelId) {
        await this.deps.publisher.notifyUser(message.slackChannelId, message.slackUserId, {
          kind: "reply-blocked-opted-out",
          line: conversation.line.name,
        });
      }
      return false;
    }
    // A status callback carrying the tag may have recorded it already; then this changes nothing.
    await db.$transaction(async (tx) => {
      await recordMessageSent(tx, message.id, outcome.bandwidthMessageId);
      await recordReportedSegments(tx, message.id, outcome.segmentCount);
    });
    // Every text sent leaves a line in the thread: its cost, or the auto-reply a contact got.
    return true;
  }

  /**
   * A send that threw: taken after all, in doubt, or not taken (queued again, retried by the job, and
   * failed at its last attempt). True when the thread has something new to show.
   */
  private async afterFailedSend(
    line: string,
    message: Message,
    error: unknown,
    context: JobContext,
  ): Promise<boolean> {
    const { db, logger } = this.deps;
    const compliance = message.kind === "COMPLIANCE";
    const failure = error instanceof BandwidthError ? error : new BandwidthError(String(error), null, true);
    const started = await db.message.findUnique({
      where: { id: message.id },
      select: { sendState: true },
    });
    // A status callback recorded it while the request was failing: it was taken.
    if (started?.sendState !== "SENDING" && started?.sendState !== "QUEUED") return true;
    if (started?.sendState === "SENDING" && failure.inDoubt) {
      logger.warn({ messageId: message.id }, "text in doubt: Bandwidth may have taken it");
      await this.resolveInDoubt(line, message.id);
      return true;
    }
    // Bandwidth answered, or the request never left: nothing was taken, so it may go again.
    if (started?.sendState === "SENDING") {
      await db.message.updateMany({
        where: { id: message.id, sendState: "SENDING" },
        data: { sendState: "QUEUED" },
      });
    }
    if (failure.retryable && !context.lastAttempt) throw failure;
    logger.warn({ messageId: message.id, status: failure.status, err: error }, "text could not be sent");
    const reason = textFailureReason(error instanceof BandwidthError ? error : null);
    await this.finish(
      message.id,
      "FAILED",
      failure.message,
      compliance ? null : { kind: "reply-failed", reason },
    );
    return !compliance;
  }

  /**
   * A text whose request may have been taken: confirmed from Bandwidth's evidence, or, after the
   * bounded wait, left for a teammate to decide with a "not confirmed" notice in the thread.
   */
  private async resolveInDoubt(line: string, messageId: string): Promise<void> {
    const { db, evidence, logger } = this.deps;
    await db.message.updateMany({
      where: { id: messageId, sendState: "SENDING" },
      data: { sendState: "IN_DOUBT" },
    });
    const message = await db.message.findUnique({ where: { id: messageId } });
    if (message?.sendState !== "IN_DOUBT") return;
    const result = await evidence.await({
      tag: sendTag("m", messageId, message.sendAttempts),
      line,
      recipients: message.recipients,
      startedAt: message.sendStartedAt ?? message.updatedAt,
      settled: async () =>
        (await db.message.findUnique({ where: { id: messageId }, select: { sendState: true } }))
          ?.sendState !== "IN_DOUBT",
      found: (bandwidthMessageId) =>
        db
          .$transaction((tx) => recordMessageSent(tx, messageId, bandwidthMessageId))
          .catch((error) => {
            // Another text claimed that id in the meantime: not this one's evidence.
            if (isUniqueViolation(error)) return false;
            throw error;
          }),
    });
    logger.info({ messageId, result }, "text in doubt resolved");
    if (result !== "not-found") return;
    await db.$transaction(async (tx) => {
      const { count } = await tx.message.updateMany({
        where: { id: messageId, sendState: "IN_DOUBT" },
        data: { sendState: "UNCONFIRMED", sendError: "Bandwidth did not confirm the send" },
      });
      if (count === 0) return;
      await tx.message.create({
        data: {
          conversationId: message.conversationId,
          ...noticeRow({
            kind: "reply-unconfirmed",
            waitSeconds: Math.round(evidence.confirmWaitMs / 1000),
            what:
              message.kind === "COMPLIANCE"
                ? { kind: "compliance", recipients: message.recipients }
                : {
                    kind: "reply",
                    entry:
                      message.slackChannelId && message.slackTs
                        ? { channel: message.slackChannelId, ts: message.slackTs }
                        : null,
                  },
          }),
          sourceKey: unconfirmedNoticeKey(messageId, message.sendAttempts),
          postState: "PENDING",
        },
      });
    });
  }

  /**
   * A teammate's decision on a text shown as not confirmed: queued once more, once, whoever clicks.
   */
  async sendAgain(messageId: string, userId: string): Promise<"queued" | "already-sent" | "not-waiting"> {
    const { db } = this.deps;
    const result = await db.$transaction(async (tx) => {
      const { count } = await tx.message.updateMany({
        where: { id: messageId, sendState: "UNCONFIRMED" },
        data: { sendState: "QUEUED", sendError: null },
      });
      const message = await tx.message.findUnique({ where: { id: messageId } });
      if (!message) return { outcome: "not-waiting" as const, conversationId: null };
      if (count === 0)
        return {
          outcome: message.sendState === "SENT" ? ("already-sent" as const) : ("not-waiting" as const),
          conversationId: null,
        };
      await tx.message.create({
        data: {
          conversationId: message.conversationId,
          ...noticeRow({ kind: "send-again-chosen", user: userId }),
          postState: "PENDING",
        },
      });
      return { outcome: "queued" as const, conversationId: message.conversationId };
    });
    if (result.conversationId) {
      await this.deps.requestOutbound(result.conversationId);
      await this.deps.requestThreadSync(result.conversationId);
    }
    return result.outcome;
  }

  /**
   * Slack files go to Bandwidth's media store before the text that carries them. Uploaded URLs are
   * saved at once so a retry does not upload again.
   */
  private async uploadMedia(
    message: {
      id: string;
      media: string[];
      slackFiles: unknown;
      slackChannelId: string | null;
      slackUserId: string | null;
    },
    threadTs: string | null,
  ): Promise<string[]> {
    const files = slackFilesSchema.safeParse(message.slackFiles ?? []);
    if (!files.success || files.data.length === 0 || message.media.length >= files.data.length)
      return message.media;
    const urls: string[] = [];
    const kept: SlackFile[] = [];
    const skipped: { name: string; reason: string }[] = [];
    let total = 0;
    for (const [index, file] of files.data.entries()) {
      let bytes: Buffer;
      try {
        // Sizes in the event are the sender's word; the download stops at what MMS can still carry.
        bytes = await this.deps.publisher.downloadFile(file, MAX_MMS_BYTES - total);
      } catch (error) {
        if (!(error instanceof FileRefused)) throw error;
        this.deps.logger.warn(
          { messageId: message.id, fileId: file.id, reason: error.reason },
          "file skipped",
        );
        skipped.push({ name: file.name, reason: error.reason });
        continue;
      }
      total += bytes.length;
      const safeName = file.name.replace(/[^A-Za-z0-9._-]/g, "_").slice(-80) || "file";
      urls.push(
        await this.deps.media.uploadMedia(`${message.id}-${index}-${safeName}`, bytes, file.mimetype),
      );
      kept.push(file);
    }
    // Only the files that went stay on the message, so a retry neither fetches nor reports again.
    await this.deps.db.message.update({
      where: { id: message.id },
      data: { media: urls, ...(skipped.length ? { slackFiles: kept.map((f) => ({ ...f })) } : {}) },
    });
    if (skipped.length && message.slackChannelId && message.slackUserId) {
      await this.deps.publisher
        .notifyUser(
          message.slackChannelId,
          message.slackUserId,
          { kind: "files-not-texted", files: skipped },
          threadTs ?? undefined,
        )
        .catch((err: unknown) =>
          this.deps.logger.warn({ err }, "could not tell the author about skipped files"),
        );
    }
    return urls;
  }

  private async finish(
    messageId: string,
    state: "BLOCKED" | "FAILED",
    error: string,
    notice: ThreadNotice | null,
  ) {
    const { db } = this.deps;
    await db.$transaction(async (tx) => {
      const message = await tx.message.update({
        where: { id: messageId },
        data: { sendState: state, sendError: error },
      });
      if (notice) {
        await tx.message.create({
          data: {
            conversationId: message.conversationId,
            ...noticeRow(notice),
            postState: "PENDING",
          },
        });
      }
    });
  }
}
