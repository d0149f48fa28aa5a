import type { Db } from "../db/client";
import type { LockSession, Locks } from "../db/locks";
import { senderIcons } from "../domain/labels";
import { DEFAULT_NOTE_MARKER } from "../domain/notes";
import { storedNotice } from "../domain/notices";
import { formatPhone } from "../domain/phone";
import { describeCost } from "../domain/segments";
import type { Logger } from "../logger";
import { InFlight } from "../shutdown";
import { ChannelPacer } from "./channelPacer";
import { type LoadedConversation, loadConversation, rootView } from "./conversations";
import { postTakenEntries } from "./entryBatch";
import type { TakenTexts } from "./inboundBatch";
import type { BandwidthMessaging } from "./ports";
import {
  SlackRateLimited,
  SlackRefused,
  type ThreadEntryView,
  type ThreadPublisher,
  type UploadedFile,
} from "./ports";
import { sendAgainTarget } from "./sendEvidence";
import { inboundEntryView, threadLockKey } from "./threadBatch";

export interface ThreadSyncDeps {
  db: Db;
  /** Queues a sync job: the fallback when a sync this service resumed by itself fails. */
  requestThreadSync(conversationId: string): Promise<void>;
  locks: Locks;
  publisher: ThreadPublisher;
  bandwidth: BandwidthMessaging;
  logger: Logger;
  defaultChannel: string | undefined;
}

/** Slack will not take a post in the channel before then. */
interface RetryLater {
  retryAt: Date;
}

/** Slack's 429, as the publisher reports it when it is told not to wait by itself. */
function rateLimitedFor(error: unknown): number | null {
  return error instanceof SlackRateLimited ? Math.max(1_000, error.retryAfterMs) : null;
}

/** What Slack shows in an image block (png, jpg, jpeg, gif); other media are shared as files. */
const PICTURE_TYPES = new Set(["image/png", "image/jpeg", "image/jpg", "image/gif"]);

const extensions: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/gif": "gif",
  "video/mp4": "mp4",
  "audio/mpeg": "mp3",
  "text/vcard": "vcf",
  "application/pdf": "pdf",
};

/** A drain asked for, and asked for again while it runs: whether only new entries need posting. */
interface DrainRequest {
  again: boolean;
  entriesOnly: boolean;
}

/** Conversations `postSoon` syncs at once; each holds a lock connection while it runs. */
const DIRECT_SYNCS = 6;

/**
 * Mirrors a conversation into its Slack thread: the root first, then every pending entry in the
 * order it happened. One drainer per conversation at a time (advisory lock), on any instance.
 */
export class ThreadSyncService {
  /** Conversations this process is draining now, and whether more (and what) was asked for meanwhile. */
  private readonly draining = new Map<string, DrainRequest>();
  private readonly pacer = new ChannelPacer();

  /** Conversations waiting for their channel to be free again, resumed by a timer of this process. */
  private readonly resuming = new Map<string, NodeJS.Timeout>();
  /** Syncs the timers started, awaited when this process stops. */
  private readonly resumed = new InFlight();
  private stopped = false;
  /** Conversations asked for by `postSoon`, in order, not yet being synced: whether only for new entries. */
  private readonly waiting = new Map<string, { entriesOnly: boolean }>();
  /**
   * Entries stored as POSTING by this process for its own next post (see `postSoon`): not in doubt
   * while this process lives, so posted without the check in the thread that POSTING otherwise asks for.
   */
  private readonly fresh = new Set<string>();
  private direct = 0;

  constructor(private readonly deps: ThreadSyncDeps) {}

  /**
   * Posts a conversation's pending entries from this process as soon as one of a few slots is
   * free, instead of through a job: no job row to write, fetch and complete per text, and no wait
   * for a worker. Asking again for a conversation already waiting or being synced costs nothing
   * (its sync takes one more pass). A sync that fails is queued as a job, which retries it; one
   * this process never gets to is found by the sweeper, since its entries stay pending.
   */
  postSoon(conversationId: string): Promise<void> {
    if (this.stopped) return this.deps.requestThreadSync(conversationId);
    this.drainSoon(conversationId, false);
    return Promise.resolve();
  }

  /**
   * Posts the entries a take statement stored (see `takeChatTexts`) in the threads whose locks it
   * took, and hands every other thread to the ordinary drain. Owns the batch's session: it is
   * ended once the posts are marked and the locks released.
   */
  postTaken(batch: TakenTexts): void {
    // Forgetting is safe (an entry forgotten is merely checked for in the thread): it bounds the set.
    if (this.fresh.size > 100_000) this.fresh.clear();
    const held: TakenTexts["threads"] = [];
    for (const thread of batch.threads) {
      for (const entry of thread.pending) if (entry.fresh) this.fresh.add(entry.id);
      if (thread.held) held.push(thread);
      // Its lock is someone else's: a drain of this process waits for it and posts these too.
      else this.drainSoon(thread.id, true);
    }
    if (held.length === 0 || this.stopped) {
      batch.session.end();
      for (const thread of held) void this.postSoon(thread.id);
      return;
    }
    // A drain asked for meanwhile takes one more pass once these are posted (see `postHeld`).
    const mine = held.filter((t) => !this.draining.has(t.id)).map((t) => t.id);
    for (const id of mine) this.draining.set(id, { again: false, entriesOnly: true });
    void this.resumed.track(this.postHeld(batch.session, held, mine));
  }

  private async postHeld(
    session: LockSession,
    threads: TakenTexts["threads"],
    mine: string[],
  ): Promise<void> {
    const { publisher, logger, defaultChannel } = this.deps;
    let result: { others: string[]; notify: string[] } = { others: threads.map((t) => t.id), notify: [] };
    try {
      result = await postTakenEntries(
        { publisher, logger, defaultChannel, pacer: this.pacer, fresh: this.fresh },
        session,
        threads,
      );
    } catch (error) {
      logger.warn(
        { err: error, conversations: threads.length },
        "entries not posted together; drained one by one",
      );
    } finally {
      session.end();
    }
    const asked = mine.map((id) => [id, this.draining.get(id)] as const);
    for (const id of mine) this.draining.delete(id);
    for (const id of result.others) this.drainSoon(id, true);
    // The assignee's DM goes out on a full pass, which looks for entries waiting to be told.
    for (const id of result.notify) this.drainSoon(id, false);
    for (const [id, state] of asked) if (state?.again) this.drainSoon(id, state.entriesOnly);
  }

  /** Drains a conversation from this process as soon as a slot is free (see `postSoon`). */
  private drainSoon(conversationId: string, entriesOnly: boolean): void {
    const running = this.draining.get(conversationId);
    if (running) {
      running.again = true;
      running.entriesOnly &&= entriesOnly;
    } else {
      const waiting = this.waiting.get(conversationId);
      this.waiting.set(conversationId, { entriesOnly: entriesOnly && (waiting?.entriesOnly ?? true) });
    }
    this.pump();
  }

  private pump(): void {
    while (!this.stopped && this.direct < DIRECT_SYNCS) {
      const next = this.waiting.entries().next();
      if (next.done) return;
      const [conversationId, { entriesOnly }] = next.value;
      this.waiting.delete(conversationId);
      this.direct++;
      void this.resumed.track(
        this.syncOrQueue(conversationId, entriesOnly).finally(() => {
          this.direct--;
          this.pump();
        }),
      );
    }
  }

  /**
   * Posts what is pending. When Slack's limit for the channel says "not yet", the rest is resumed
   * by a timer of this process at the channel's next free moment, not by a job: the rows are the
   * truth, so should this process stop first, the sweeper of any instance picks them up.
   */
  async sync(conversationId: string, entriesOnly = false): Promise<void> {
    const later = await this.syncOnce(conversationId, entriesOnly);
    if (later) this.resumeAt(conversationId, later.retryAt.getTime());
  }

  private syncOrQueue(conversationId: string, entriesOnly = false): Promise<void> {
    return this.sync(conversationId, entriesOnly).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, conversationId }, "thread sync failed; queued as a job");
      return this.deps.requestThreadSync(conversationId).catch(() => undefined);
    });
  }

  /** Clears the timers and waits for the syncs they started. */
  async stop(): Promise<void> {
    this.stopped = true;
    // Handed to the job queue (still running at this point), so another instance posts them now.
    const waiting = [...this.waiting.keys()];
    this.waiting.clear();
    await Promise.all(waiting.map((id) => this.deps.requestThreadSync(id).catch(() => undefined)));
    for (const timer of this.resuming.values()) clearTimeout(timer);
    this.resuming.clear();
    await this.resumed.settled(5_000);
  }

  private resumeAt(conversationId: string, at: number): void {
    if (this.stopped || this.resuming.has(conversationId)) return;
    const timer = setTimeout(
      () => {
        this.resuming.delete(conversationId);
        void this.resumed.track(this.syncOrQueue(conversationId));
      },
      Math.max(0, at - Date.now()),
    );
    this.resuming.set(conversationId, timer);
  }

  private async syncOnce(conversationId: string, entriesOnly: boolean): Promise<RetryLater | undefined> {
    const current = this.draining.get(conversationId);
    if (current) {
      // The running drain takes one more pass instead of this job waiting for its lock.
      current.again = true;
      current.entriesOnly &&= entriesOnly;
      return undefined;
    }
    const state: DrainRequest = { again: false, entriesOnly };
    this.draining.set(conversationId, state);
    let later: RetryLater | undefined;
    try {
      later = await this.deps.locks.withLock(threadLockKey(conversationId), async () => {
        for (;;) {
          const pass = state.entriesOnly;
          state.again = false;
          state.entriesOnly = true;
          const result = await this.drain(conversationId, pass);
          if (result || !state.again) return result;
        }
      });
    } finally {
      this.draining.delete(conversationId);
    }
    // A request that came while the lock was being released found this drain still registered and
    // left its work to it: take that pass now, or the entry would wait for the sweeper.
    return later ?? (state.again ? this.syncOnce(conversationId, state.entriesOnly) : undefined);
  }

  private async drain(conversationId: string, entriesOnly: boolean): Promise<RetryLater | undefined> {
    const { db, logger } = this.deps;
    const conversation = await loadConversation(db, conversationId);
    if (!conversation) return undefined;
    const channel =
      conversation.channelId ?? conversation.line.defaultChannel ?? this.deps.defaultChannel ?? null;
    if (!channel) {
      logger.error(
        { conversationId },
        "no channel for this conversation: set the line's channel or SLACK_DEFAULT_CHANNEL",
      );
      return undefined;
    }
    try {
      return await this.drainInto(channel, conversation, entriesOnly);
    } catch (error) {
      const waitMs = rateLimitedFor(error);
      if (waitMs === null) throw error;
      // Every entry posted so far is marked; the rest wait for the channel to be free again.
      logger.debug({ conversationId, channel, waitMs }, "Slack rate limit for this channel: posting later");
      return { retryAt: new Date(this.pacer.limited(channel, waitMs)) };
    }
  }

  /** The channel's next free moment when it is not free now; every post waits for one. */
  private notYet(channel: string): RetryLater | null {
    const at = this.pacer.nextPostAt(channel);
    return at === null ? null : { retryAt: new Date(at) };
  }

  private async drainInto(
    channel: string,
    conversation: LoadedConversation,
    entriesOnly: boolean,
  ): Promise<RetryLater | undefined> {
    const root = await this.rootOf(channel, conversation);
    if (typeof root !== "string") return root;
    return this.postPending(channel, root, conversation, entriesOnly);
  }

  /** The conversation's thread: posted (or adopted) first if it has none, updated if it changed. */
  private async rootOf(channel: string, conversation: LoadedConversation): Promise<string | RetryLater> {
    const { db, publisher } = this.deps;
    const conversationId = conversation.id;
    let threadTs = conversation.threadTs;
    if (!threadTs) {
      // A root post begun before (a crash, a timeout) may exist: found by its metadata, it is adopted.
      const adopted = conversation.rootPostingAt
        ? await publisher.findRootPost(channel, conversationId)
        : null;
      if (adopted) {
        threadTs = adopted;
        this.deps.logger.info({ conversationId }, "thread root found in the channel and adopted");
      } else {
        const wait = this.notYet(channel);
        if (wait) return wait;
        await db.groupConversation.update({
          where: { id: conversationId },
          data: { rootPostingAt: new Date() },
        });
        const sentAt = Date.now();
        threadTs = await publisher.postRoot(channel, await rootView(db, conversation), conversationId);
        this.pacer.posted(channel, sentAt);
      }
      await db.groupConversation.update({
        where: { id: conversation.id },
        data: { channelId: channel, threadTs, rootDirty: false, rootPostingAt: null },
      });
    } else if (conversation.rootDirty) {
      // Cleared first, so a change made while Slack is being updated marks it dirty again.
      await db.groupConversation.update({ where: { id: conversation.id }, data: { rootDirty: false } });
      try {
        await publisher.updateRoot(channel, threadTs, await rootView(db, conversation));
      } catch (error) {
        // Slack refusing the update itself (the root was deleted, say) is final; anything else is retried.
        if (error instanceof SlackRefused) {
          this.deps.logger.warn({ err: error, conversationId }, "thread root could not be updated");
        } else {
          await db.groupConversation.update({ where: { id: conversation.id }, data: { rootDirty: true } });
          throw error;
        }
      }
    }
    return threadTs;
  }

  /** Posts the conversation's waiting entries into its thread, in order. */
  private async postPending(
    channel: string,
    threadTs: string,
    conversation: LoadedConversation,
    entriesOnly: boolean,
  ): Promise<RetryLater | undefined> {
    const { db, publisher } = this.deps;
    const conversationId = conversation.id;
    const pending = await db.message.findMany({
      where: { conversationId, postState: { in: ["PENDING", "POSTING"] } },
      orderBy: { seq: "asc" },
    });
    // This drain holds the thread's lock: an entry found POSTING was being posted when its process
    // died or its request failed (unless this process stored it so, to post it now: `fresh`). Its
    // post, if Slack made it, carries its id: adopt it, never repost.
    const inDoubt = pending.filter((m) => m.postState === "POSTING" && !this.fresh.has(m.id));
    const found = inDoubt.length
      ? await publisher.findEntryPosts(channel, threadTs)
      : new Map<string, string>();
    const icons = senderIcons(conversation.participants.map((p) => p.contact.number));
    for (const message of pending) {
      const adopted = found.get(message.id);
      // An inbound entry with media goes on to its upload, its text post adopted (see post()).
      if (adopted && !(message.kind === "INBOUND" && message.media.length)) {
        await db.message.update({
          where: { id: message.id },
          data: { postState: "POSTED", slackChannelId: channel, slackTs: adopted },
        });
        this.deps.logger.info({ messageId: message.id }, "thread entry found in the thread and adopted");
        continue;
      }
      const wait = this.notYet(channel);
      if (wait) return wait;
      if (message.kind !== "COMPLIANCE" && message.postState !== "POSTING") {
        await db.message.update({ where: { id: message.id }, data: { postState: "POSTING" } });
      }
      // Once tried, it is in doubt like any other until marked posted.
      this.fresh.delete(message.id);
      const sentAt = Date.now();
      const ts = await this.post(channel, threadTs, conversation, adopted ?? null, message, icons).catch(
        async (error: unknown) => {
          // Slack's 429 says the post was not made: nothing to reconcile.
          if (rateLimitedFor(error) !== null)
            await db.message.update({ where: { id: message.id }, data: { postState: "PENDING" } });
          throw error;
        },
      );
      if (ts) this.pacer.posted(channel, sentAt);
      await db.message.update({
        where: { id: message.id },
        data: {
          postState: "POSTED",
          slackChannelId: ts ? channel : message.slackChannelId,
          slackTs: ts ?? message.slackTs,
        },
      });
    }
    // New entries change no delivery; only an entry stored for an assignee asks for a DM.
    if (!entriesOnly) await this.markDelivered(conversationId);
    if (!entriesOnly || pending.some((m) => m.notifyAssignee)) await this.notifyAssignee(conversation);
    return undefined;
  }

  /**
   * The assignee hears of each new text from the contacts by DM, with a link to it, once it is in
   * the thread. At most once: the mark is cleared before the DM, so a crash loses a DM rather than
   * sending it twice (the text itself is in the thread either way).
   */
  private async notifyAssignee(conversation: LoadedConversation): Promise<void> {
    const { db, publisher, logger } = this.deps;
    const waiting = await db.message.findMany({
      where: { conversationId: conversation.id, notifyAssignee: { not: null }, postState: "POSTED" },
      orderBy: { seq: "asc" },
    });
    for (const message of waiting) {
      const assignee = message.notifyAssignee;
      const { count } = await db.message.updateMany({
        where: { id: message.id, notifyAssignee: assignee },
        data: { notifyAssignee: null },
      });
      if (count === 0 || !assignee) continue;
      const number = message.senderNumber ?? "";
      const contact = conversation.participants.find((p) => p.contact.number === number)?.contact;
      const link =
        message.slackChannelId && message.slackTs
          ? await publisher.permalink(message.slackChannelId, message.slackTs)
          : null;
      const preview = message.text.length > 300 ? `${message.text.slice(0, 300)}…` : message.text;
      await publisher
        .directMessage(assignee, {
          kind: "assigned-text",
          conversation: conversation.name,
          line: conversation.line.name,
          link,
          sender: { name: contact?.name ?? null, number },
          preview,
          media: message.media.length > 0,
        })
        .catch((error: unknown) => logger.warn({ err: error, messageId: message.id }, "assignee DM failed"));
    }
  }

  private async post(
    channel: string,
    threadTs: string,
    conversation: LoadedConversation,
    /** The entry's text post, found in the thread, when only its files are left to upload. */
    found: string | null,
    message: Awaited<ReturnType<Db["message"]["findMany"]>>[number],
    icons: Map<string, string>,
  ): Promise<string | null> {
    const { publisher } = this.deps;
    // An entry whose post was made before (found in the thread after a crash, or posted before its
    // other files failed to upload and the job is retrying) is not posted again: it already shows
    // its pictures, and only the other files are uploaded.
    const posted = (message.kind === "INBOUND" && message.slackTs ? message.slackTs : null) ?? found;
    let entry: ThreadEntryView;
    let files: UploadedFile[] = [];
    switch (message.kind) {
      case "INBOUND":
        ({ entry, files } = await this.inboundEntry(conversation, message, icons, posted !== null));
        break;
      case "OUTBOUND":
        entry = {
          kind: "outbound",
          slackUserId: message.slackUserId,
          text: message.text,
          cost: describeCost(message.recipients.length, message.text, message.media.length),
          mediaCount: message.media.length,
          ...(conversation.participants.length === 1 ? { oneToOne: true } : {}),
          ...(message.sourceKey?.startsWith("groupstart:") ? { noteMarker: await this.noteMarker() } : {}),
        };
        break;
      case "NOTICE": {
        const sendAgain = sendAgainTarget(message.sourceKey);
        entry = {
          kind: "notice",
          notice: storedNotice(message),
          ...(sendAgain ? { sendAgainMessageId: sendAgain } : {}),
        };
        break;
      }
      case "COMPLIANCE":
        return null;
    }
    const ts = posted ?? (await publisher.postEntry(channel, threadTs, entry, message.id));
    if (files.length && entry.kind === "inbound") {
      if (!posted) {
        await this.deps.db.message.update({
          where: { id: message.id },
          data: { slackChannelId: channel, slackTs: ts },
        });
      }
      await publisher.uploadFiles(channel, threadTs, files, `Sent by ${entry.senderLabel}`);
    }
    return ts;
  }

  /**
   * A contact's text with its media: pictures uploaded (unless its post was made before) to show in
   * the post, other files returned to be shared under it.
   */
  private async inboundEntry(
    conversation: LoadedConversation,
    message: Awaited<ReturnType<Db["message"]["findMany"]>>[number],
    icons: Map<string, string>,
    alreadyPosted: boolean,
  ): Promise<{ entry: ThreadEntryView; files: UploadedFile[] }> {
    const number = message.senderNumber ?? "";
    // Someone removed from the group may still text its old set, which lands here: named all the same.
    const contact =
      conversation.participants.find((p) => p.contact.number === number)?.contact ??
      (await this.deps.db.contact.findUnique({ where: { number } }));
    const fetched = await this.fetchMedia(message.media);
    const images = fetched.files.filter((f) => PICTURE_TYPES.has(f.contentType));
    // Uploaded unshared before the post that shows them: an upload in doubt (a crash) leaves only
    // a private file no one sees, and the post itself stays adoptable by its metadata.
    const sender = contact?.name?.trim()
      ? `${contact.name.trim()} ${formatPhone(number)}`
      : formatPhone(number);
    const uploads = images.map((file, index) => ({
      file,
      altText: `Picture${images.length > 1 ? ` ${index + 1} of ${images.length}` : ""} from ${sender}`,
    }));
    const ids = alreadyPosted ? [] : await this.deps.publisher.uploadPictures(uploads);
    const entry = inboundEntryView(contact?.name, number, icons, message.text, {
      missing: fetched.missing,
      pictures: ids.map((slackFileId, index) => ({ slackFileId, altText: uploads[index]?.altText ?? "" })),
    });
    return { entry, files: fetched.files.filter((f) => !images.includes(f)) };
  }

  private async noteMarker(): Promise<string> {
    const settings = await this.deps.db.settings.findUnique({
      where: { id: 1 },
      select: { noteMarker: true },
    });
    return settings?.noteMarker ?? DEFAULT_NOTE_MARKER;
  }

  private async fetchMedia(urls: string[]): Promise<{ files: UploadedFile[]; missing: number }> {
    const files: UploadedFile[] = [];
    let missing = 0;
    for (const [index, url] of urls.entries()) {
      // SMIL files describe MMS layout; they are not something a person wants to see.
      if (/\.smil$/i.test(url)) continue;
      try {
        const { bytes, contentType } = await this.deps.bandwidth.downloadMedia(url);
        const fromUrl = decodeURIComponent(url.split("/").pop() ?? "");
        const type = contentType.split(";")[0]?.trim() ?? "application/octet-stream";
        const filename = /\.[a-z0-9]{2,5}$/i.test(fromUrl)
          ? fromUrl
          : `attachment-${index + 1}.${extensions[type] ?? "bin"}`;
        files.push({ bytes, filename, contentType: type });
      } catch (error) {
        missing++;
        this.deps.logger.warn({ err: error, index }, "MMS attachment could not be fetched");
      }
    }
    return { files, missing };
  }

  /** A check mark on each outbound message once every recipient has it. */
  private async markDelivered(conversationId: string): Promise<void> {
    const { db, publisher } = this.deps;
    const candidates = await db.message.findMany({
      where: {
        conversationId,
        kind: "OUTBOUND",
        sendState: "SENT",
        deliveryNotified: false,
        slackTs: { not: null },
        deliveries: { every: { status: "DELIVERED" } },
      },
      include: { deliveries: true },
    });
    for (const message of candidates) {
      if (message.deliveries.length === 0 || !message.slackChannelId || !message.slackTs) continue;
      await db.message.update({ where: { id: message.id }, data: { deliveryNotified: true } });
      await publisher.react(message.slackChannelId, message.slackTs, "white_check_mark");
    }
  }
}
