import { type Db, isDataError, isRetryableConflict, type Line, type Tx } from "../db/client";
import { type Locks, lockExclusiveInTransaction } from "../db/locks";
import type { KeywordKind } from "../domain/keywords";
import { classifyKeyword } from "../domain/keywords";
import {
  type InboundCallback,
  inboundCallbackSchema,
  type StatusCallback,
  statusCallbackSchema,
} from "../domain/messageEvents";
import { noticeRow } from "../domain/notices";
import { inboundParticipants } from "../domain/participants";
import { countSegments, segmentCountSchema } from "../domain/segments";
import type { Logger } from "../logger";
import { changeConsent, complianceMessages, keywordLists, versionedKeywordLists } from "./consent";
import { findOrCreateConversation, reopenConversation } from "./conversations";
import { chatTextsOf, type TakenTexts, type TakeOptions, takeChatTexts } from "./inboundBatch";
import { recordReportedSegments } from "./reportedSegments";
import { parseSendTag, recordMessageSent } from "./sendEvidence";
import { consentLockKey } from "./textSender";

export interface InboundDeps {
  db: Db;
  logger: Logger;
  requestThreadSync(conversationId: string): Promise<void>;
  locks: Locks;
  /**
   * Posts the entries a take statement stored, in the threads it locked (see `takeChatTexts`):
   * owns the batch's session from then on, and must end it.
   */
  postTaken(batch: TakenTexts): void;
  requestOutbound(conversationId: string): Promise<void>;
}

type Wake = { sync: Set<string>; send: Set<string> };

/** A status callback for a send the app has not recorded yet: it is processed again shortly. */
export class SendNotYetRecorded extends Error {
  constructor(bandwidthMessageId: string) {
    super(`status callback for ${bandwidthMessageId} came before its send was recorded`);
    this.name = "SendNotYetRecorded";
  }
}

export type InboundOutcome = "stored" | "duplicate" | "ignored" | "invalid";

/** Marks the callback as taken in, inside the transaction that takes it in; false if it already was. */
export type Claim = (tx: Tx) => Promise<boolean>;

/** A stored callback, as the webhook route wrote it (see EventIntake). */
export interface StoredEvent {
  dedupeKey: string;
  type: string;
  payload: unknown;
}

/** The dedupe key of a callback: Bandwidth's message id, the event type and, for statuses, the recipient. */
export function dedupeKeyOf(callback: InboundCallback | StatusCallback): string {
  return callback.type === "message-received"
    ? `bw:${callback.message.id}:${callback.type}`
    : `bw:${callback.message.id}:${callback.type}:${callback.to}`;
}

/**
 * Turns Bandwidth's callbacks into conversation entries, consent changes and deliveries. Each one is
 * deduplicated and taken in by one transaction; the Slack posts and texts it causes happen later,
 * in jobs.
 */
export class InboundService {
  private keywords: Awaited<ReturnType<typeof versionedKeywordLists>> | null = null;

  constructor(private readonly deps: InboundDeps) {}

  /**
   * Takes in a callback the webhook route stored and acknowledged. Throws SendNotYetRecorded for a
   * status that must wait for its send, and any database failure, leaving the event to be retried.
   */
  async processEvent(event: StoredEvent): Promise<InboundOutcome> {
    const claim: Claim = async (tx) =>
      (
        await tx.inboundEvent.updateMany({
          where: { dedupeKey: event.dedupeKey, state: "RECEIVED" },
          data: { state: "PROCESSED", attempts: { increment: 1 }, notBefore: null },
        })
      ).count === 1;
    if (event.type === "message-received") {
      const parsed = inboundCallbackSchema.safeParse(event.payload);
      return parsed.success ? this.takeMessage(parsed.data, claim) : "invalid";
    }
    const parsed = statusCallbackSchema.safeParse(event.payload);
    return parsed.success ? this.takeStatus(parsed.data, claim) : "invalid";
  }

  /**
   * Takes in a batch's plain chat texts into open conversations with one statement (see
   * `takeChatTexts`) and asks for their threads to be posted; returns the events it took. The rest
   * of the batch goes through `processEvent`, one by one, in order.
   */
  async takeChatTexts(events: readonly StoredEvent[], options: TakeOptions = {}): Promise<Set<string>> {
    // Read once and kept: the statement takes nothing if an admin changed the keywords since.
    this.keywords ??= await versionedKeywordLists(this.deps.db);
    const { lists, version } = this.keywords;
    const texts = chatTextsOf(events, lists);
    if (texts.length === 0) return new Set();
    const session = await this.deps.locks.session();
    let batch: TakenTexts;
    try {
      batch = await takeChatTexts(session, texts, version, options);
    } catch (error) {
      session.end();
      throw error;
    }
    if (batch.taken.size === 0) this.keywords = null;
    this.textsStored(batch.stored);
    this.deps.postTaken(batch);
    return batch.taken;
  }

  private async takeMessage(callback: InboundCallback, claim: Claim): Promise<InboundOutcome> {
    if (callback.type !== "message-received") return "ignored";
    const wake: Wake = { sync: new Set(), send: new Set() };
    const result = await this.unlessUnstorable(callback, () =>
      this.withRetry(() =>
        this.deps.db.$transaction(async (tx) => {
          const line = await tx.line.findUnique({ where: { number: callback.message.owner || callback.to } });
          const keyword = classifyKeyword(callback.message.text ?? "", await keywordLists(tx));
          // A consent change locks its line; taking that lock before any write means this transaction
          // never holds a row another consent change waits for while it waits for the lock (deadlock).
          if (line && (keyword === "opt-out" || keyword === "opt-in")) {
            await lockExclusiveInTransaction(tx, consentLockKey(line.id));
          }
          if (!(await claim(tx))) return "duplicate" as const;
          return this.storeMessage(tx, callback, line, keyword, wake);
        }),
      ),
    );
    if (result === "invalid") return result;
    if (result === "stored") this.textsStored(1);
    await this.wake(wake);
    return result;
  }

  /** Contacts' texts that became entries (a hook for metrics). */
  protected textsStored(_count: number): void {}

  private async takeStatus(callback: StatusCallback, claim: Claim): Promise<InboundOutcome> {
    const wake: Wake = { sync: new Set(), send: new Set() };
    const result = await this.unlessUnstorable(callback, () =>
      this.withRetry(() => this.storeStatus(callback, claim, wake)),
    );
    if (result === "invalid") return result;
    await this.wake(wake);
    return result;
  }

  private storeStatus(callback: StatusCallback, claim: Claim, wake: Wake) {
    return this.deps.db.$transaction(async (tx) => {
      if (!(await claim(tx))) return "duplicate" as const;
      const bySendId = () => tx.message.findUnique({ where: { bandwidthMessageId: callback.message.id } });
      let message = await bySendId();
      if (!message) {
        // Bandwidth can call back before the app has recorded the send it just answered, or for a
        // send whose outcome the app never learnt (a crash, a timeout): the tag names that send.
        const evidence = await this.takeSendEvidence(tx, callback.message.tag, callback.message.id, wake);
        if (evidence === "wait") throw new SendNotYetRecorded(callback.message.id);
        // Each statement sees what was committed before it began: the send may have been recorded
        // between the first read and the second.
        message = await bySendId();
        if (!message) return "ignored" as const;
      }
      // A count beyond what the database holds is not a figure to bill by; the status still counts.
      const reported = segmentCountSchema.safeParse(callback.message.segmentCount);
      await recordReportedSegments(tx, message.id, reported.success ? reported.data : null);
      const status = (
        {
          "message-sending": "SENDING",
          "message-sent": "SENT",
          "message-delivered": "DELIVERED",
          "message-failed": "FAILED",
          "message-read": "DELIVERED",
        } as const
      )[callback.type];
      const delivery = await tx.delivery.findUnique({
        where: { messageId_number: { messageId: message.id, number: callback.to } },
      });
      // Callbacks can arrive out of order: never move a final state back to an earlier one.
      if (!delivery || delivery.status === "DELIVERED" || delivery.status === "FAILED")
        return "stored" as const;
      await tx.delivery.update({
        where: { messageId_number: { messageId: message.id, number: callback.to } },
        data: {
          status,
          errorCode: callback.errorCode ?? null,
          description: status === "FAILED" ? callback.description : delivery.description,
        },
      });
      if (status === "FAILED" && message.kind === "OUTBOUND") {
        const contact = await tx.contact.findUnique({ where: { number: callback.to } });
        await tx.message.create({
          data: {
            conversationId: message.conversationId,
            ...noticeRow({
              kind: "not-delivered",
              contact: { name: contact?.name ?? null, number: callback.to },
              description: callback.description,
              errorCode: callback.errorCode ?? null,
              entry: message.slackTs ? { channel: message.slackChannelId ?? "", ts: message.slackTs } : null,
            }),
            postState: "PENDING",
          },
        });
      }
      if (status === "FAILED" || status === "DELIVERED") wake.sync.add(message.conversationId);
      return "stored" as const;
    });
  }

  /**
   * A status callback is Bandwidth's evidence that it took the text its tag names. A text whose
   * request began and is not recorded (SENDING, IN_DOUBT, or shown as not confirmed) is recorded as
   * sent with this id. "wait": the send is not recorded yet and this callback is taken in again later.
   */
  private async takeSendEvidence(
    tx: Tx,
    tag: string | undefined,
    bandwidthMessageId: string,
    wake: Wake,
  ): Promise<"recorded" | "wait" | "none"> {
    const named = parseSendTag(tag);
    if (!named) return "none";
    if (named.kind === "m") {
      const message = await tx.message.findUnique({
        where: { id: named.id },
        select: { sendState: true, sendAttempts: true, conversationId: true },
      });
      if (!message) return "none";
      if (message.sendState === "QUEUED") return "wait";
      if (named.attempt !== null && named.attempt !== message.sendAttempts) return "none";
      if (await recordMessageSent(tx, named.id, bandwidthMessageId, named.attempt)) {
        this.deps.logger.info({ messageId: named.id }, "send confirmed by a status callback");
        wake.sync.add(message.conversationId);
        return "recorded";
      }
      return "none";
    }
    // A group start's deliveries exist once its job has recorded the send. Its job finds this
    // callback among the stored events by its tag when the send is in doubt (GroupStartService).
    const start = await tx.groupStart.findUnique({ where: { id: named.id }, select: { state: true } });
    if (start?.state === "UNCONFIRMED") {
      // Shown as not confirmed in its thread, and now confirmed after all: its first text is sent.
      const first = await tx.message.findUnique({
        where: { sourceKey: `groupstart:${named.id}` },
        select: { id: true, conversationId: true },
      });
      if (first && (await recordMessageSent(tx, first.id, bandwidthMessageId, 1))) {
        await tx.groupStart.update({ where: { id: named.id }, data: { state: "SENT" } });
        this.deps.logger.info({ groupStartId: named.id }, "send confirmed by a status callback");
        wake.sync.add(first.conversationId);
        return "recorded";
      }
      return "none";
    }
    return start?.state === "PENDING" || start?.state === "SENDING" ? "wait" : "none";
  }

  private async storeMessage(
    tx: Tx,
    callback: InboundCallback,
    line: Line | null,
    keyword: KeywordKind | null,
    wake: Wake,
  ) {
    const { logger } = this.deps;
    if (!line) {
      logger.warn(
        { bandwidthMessageId: callback.message.id },
        "message for a number that is not a configured line",
      );
      return "ignored" as const;
    }
    // A copy that comes after retention deleted its event's row (and its dedupe key) is still one entry.
    const known = await tx.message.findUnique({
      where: { bandwidthMessageId: callback.message.id },
      select: { id: true },
    });
    if (known) return "duplicate" as const;
    const sender = callback.message.from;
    const numbers = inboundParticipants(line.number, sender, callback.message.to);
    // A text to the line alone (`to` is just the line) keys on its sender: the one-to-one conversation.
    const { conversation } = await findOrCreateConversation(tx, {
      lineId: line.id,
      numbers,
      channelId: line.defaultChannel,
      name: null,
      startedBy: null,
    });

    const text = callback.message.text ?? "";
    // A consent keyword is not conversation: it neither reopens a closed conversation nor notifies.
    const chat = keyword !== "opt-out" && keyword !== "opt-in";
    if (chat && conversation.closedAt) await this.reopenByText(tx, conversation.id, sender);
    const message = await tx.message.create({
      data: {
        conversationId: conversation.id,
        kind: "INBOUND",
        text,
        media: callback.message.media ?? [],
        senderNumber: sender,
        segments: callback.message.segmentCount,
        bandwidthMessageId: callback.message.id,
        // A keyword is shown as the notice it causes, not as a chat message.
        postState: chat ? "PENDING" : "NONE",
        notifyAssignee: chat ? conversation.assignee : null,
      },
    });
    wake.sync.add(conversation.id);

    if (keyword) {
      const keywordText = {
        line,
        conversationId: conversation.id,
        sender,
        messageId: message.id,
        body: text,
      };
      await this.answerKeyword(tx, keyword, keywordText, wake);
    }
    return "stored" as const;
  }

  /**
   * A consent keyword changes the sender's consent on the line (STOP, START) and is answered with
   * the line's compliance reply, which is sent even to a number that just opted out; HELP only
   * gets its reply.
   */
  private async answerKeyword(
    tx: Tx,
    keyword: KeywordKind,
    text: { line: Line; conversationId: string; sender: string; messageId: string; body: string },
    wake: Wake,
  ): Promise<void> {
    const { line, conversationId, sender, messageId } = text;
    const messages = complianceMessages(line);
    if (keyword === "opt-out" || keyword === "opt-in") {
      const status = keyword === "opt-out" ? "OPTED_OUT" : "OPTED_IN";
      const change = await changeConsent(tx, {
        lineId: line.id,
        number: sender,
        status,
        source: "KEYWORD",
        reason: text.body.trim().toUpperCase().slice(0, 40),
        messageId,
      });
      for (const id of change?.affected ?? []) wake.sync.add(id);
      // A repeated STOP is confirmed again too: carriers expect every STOP to be acknowledged.
      const eventId =
        change?.event.id ??
        (await tx.consent.findUnique({ where: { lineId_number: { lineId: line.id, number: sender } } }))
          ?.lastEventId;
      await this.queueCompliance(
        tx,
        conversationId,
        sender,
        status === "OPTED_OUT" ? messages.optOut : messages.optIn,
        eventId,
        messageId,
      );
      wake.send.add(conversationId);
    } else if (keyword === "help") {
      await this.queueCompliance(tx, conversationId, sender, messages.help, undefined, messageId);
      wake.send.add(conversationId);
    }
  }

  /** A contact's new text reopens a closed conversation, and the thread says so before the text. */
  private async reopenByText(tx: Tx, conversationId: string, sender: string) {
    const contact = await tx.contact.findUnique({ where: { number: sender }, select: { name: true } });
    await reopenConversation(tx, conversationId, null, `new text from ${sender}`, {
      kind: "reopened-by-text",
      contact: { name: contact?.name ?? null, number: sender },
    });
  }

  private async queueCompliance(
    tx: Tx,
    conversationId: string,
    number: string,
    text: string,
    consentEventId: string | undefined,
    causedBy: string,
  ) {
    await tx.message.create({
      data: {
        conversationId,
        kind: "COMPLIANCE",
        text,
        recipients: [number],
        segments: countSegments(text).segments,
        consentEventId: consentEventId ?? null,
        sourceKey: `compliance:${causedBy}`,
        sendState: "QUEUED",
      },
    });
  }

  /**
   * A callback holding a value PostgreSQL refuses (a segment count beyond its integer range, say)
   * would fail on every redelivery and hold up its whole batch: it is logged and skipped as invalid.
   * Any other failure propagates, so the webhook answers 5xx and Bandwidth retries.
   */
  private async unlessUnstorable<T>(
    callback: { message: { id: string } },
    fn: () => Promise<T>,
  ): Promise<T | "invalid"> {
    try {
      return await fn();
    } catch (error) {
      if (!isDataError(error)) throw error;
      this.deps.logger.warn(
        { err: error, bandwidthMessageId: callback.message.id },
        "callback holds a value the database cannot store; skipped",
      );
      return "invalid";
    }
  }

  /** Two first messages of a new group racing each other: the loser retries and finds the winner's. */
  private async withRetry<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        if (attempt >= 3 || !isRetryableConflict(error)) throw error;
      }
    }
  }

  private async wake(wake: Wake): Promise<void> {
    await Promise.all([
      ...[...wake.sync].map((id) => this.deps.requestThreadSync(id)),
      ...[...wake.send].map((id) => this.deps.requestOutbound(id)),
    ]);
  }
}
