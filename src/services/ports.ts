/** What the services need from Slack, in the domain's words. The Slack adapter builds the blocks. */

import type { ChannelNotice, PersonalNotice, StoredNotice } from "../domain/notices";

export interface ParticipantView {
  name: string | null;
  number: string;
  optedOut: boolean;
}

export interface ThreadRootView {
  groupName: string | null;
  line: { name: string; number: string; active: boolean };
  participants: ParticipantView[];
  /** Slack user id, or null when the contacts started the conversation. */
  startedBy: string | null;
  /** How a teammate keeps a reply in Slack (see domain/notes). */
  noteMarker: string;
  /** The cost line of the first message, e.g. "9 MMS (group text: 1 per contact, any length)". */
  cost: string | null;
  /** Closed: teammates' replies are not texted until it is reopened. */
  closed: boolean;
  /** The teammate who owns it (Slack user id). */
  assignee: string | null;
  /** The latest action taken on it from the thread: who, what, when. */
  lastAction: { actor: string | null; what: string; at: Date } | null;
}

export type ThreadEntryView =
  | {
      kind: "inbound";
      senderLabel: string;
      senderIcon: string;
      text: string;
      /** Attachments that could not be fetched from Bandwidth, reported in the thread. */
      missingMedia: number;
      /** Pictures already uploaded to Slack (unshared), shown in this post under the contact's name. */
      pictures: PostedPicture[];
    }
  | {
      kind: "outbound";
      slackUserId: string | null;
      text: string;
      cost: string;
      mediaCount: number;
      /** Set on a group's first text: its post says how replies and notes work (see domain/notes). */
      noteMarker?: string;
      /** A one-to-one conversation: texted to its contact, not to a group. */
      oneToOne?: boolean;
    }
  | {
      kind: "notice";
      /** What the thread is told, in the domain's words (the Slack edge renders it). */
      notice: StoredNotice;
      /** A text shown as not confirmed: the notice offers to send it again (a teammate's decision). */
      sendAgainMessageId?: string;
    };

export interface UploadedFile {
  bytes: Buffer;
  filename: string;
  contentType: string;
}

/** A picture for a contact's post: uploaded unshared, then shown by the post that refers to it. */
export interface PictureUpload {
  file: UploadedFile;
  /** What it is and who sent it, for people who cannot see it (plain text, not markup). */
  altText: string;
}

export interface PostedPicture {
  slackFileId: string;
  altText: string;
}

export interface SlackFile {
  id: string;
  name: string;
  mimetype: string;
  size: number;
  url: string;
}

/** Slack will not take a call before `retryAfterMs` (its 429), and left the waiting to us. */
export class SlackRateLimited extends Error {
  constructor(readonly retryAfterMs: number) {
    super(`Slack asked to wait ${retryAfterMs} ms`);
    this.name = "SlackRateLimited";
  }
}

/** Slack refused the call itself (a platform error such as "message_not_found"): trying again cannot help. */
export class SlackRefused extends Error {
  constructor(readonly reason: string) {
    super(`Slack refused: ${reason}`);
    this.name = "SlackRefused";
  }
}

/** Adapters throw SlackRateLimited and SlackRefused for Slack's answers; anything else may be retried. */
export interface ThreadPublisher {
  /** Posts carry the conversation's (root) or the entry's (entry) id, so that they can be found again. */
  postRoot(channel: string, root: ThreadRootView, conversationId: string): Promise<string>;
  updateRoot(channel: string, ts: string, root: ThreadRootView): Promise<void>;
  postEntry(channel: string, threadTs: string, entry: ThreadEntryView, entryId: string): Promise<string>;
  /** The thread's posts that carry an entry's id: entry id → ts. */
  findEntryPosts(channel: string, threadTs: string): Promise<Map<string, string>>;
  /** The channel's recent root post for this conversation, if any. */
  findRootPost(channel: string, conversationId: string): Promise<string | null>;
  uploadFiles(channel: string, threadTs: string, files: UploadedFile[], comment: string): Promise<void>;
  /**
   * Uploads pictures without sharing them to any channel: they are seen only in a post that shows
   * them. Returns their Slack file ids, in order.
   */
  uploadPictures(pictures: PictureUpload[]): Promise<string[]>;
  /** A message of the app's own in a channel (not in a thread); returns its ts. */
  postNotice(channel: string, notice: ChannelNotice): Promise<string>;
  updateNotice(channel: string, ts: string, notice: ChannelNotice): Promise<void>;
  /** Privately, to one user; in the thread when `threadTs` is given. */
  notifyUser(channel: string, user: string, notice: PersonalNotice, threadTs?: string): Promise<void>;
  /** A direct message from the app to one user (the app's DM with them). */
  directMessage(user: string, notice: PersonalNotice): Promise<void>;
  permalink(channel: string, ts: string): Promise<string | null>;
  react(channel: string, ts: string, emoji: string): Promise<void>;
  /** Whether a file's URL is on Slack's own file servers, the only place the bot token goes. */
  isSlackFileUrl(url: string): boolean;
  /** At most `maxBytes`; throws FileRefused (domain/media) when the file will not be passed on. */
  downloadFile(file: SlackFile, maxBytes: number): Promise<Buffer>;
}

/** What Slack says about a channel picked for a group's thread, asked under a deadline. */
export type ChannelCheck =
  | { kind: "member"; name: string; private: boolean }
  /** A public channel the app is not in yet: it may join by itself. */
  | { kind: "joinable"; name: string }
  | { kind: "private-without-app"; name: string | null }
  | { kind: "archived"; name: string }
  /** A DM or group DM: nowhere to hold a group's thread. */
  | { kind: "not-a-channel" }
  | { kind: "slow" }
  | { kind: "failed" };

/**
 * Whether the app can post a thread in a channel and receive its replies. Both calls answer within
 * a short deadline: they run while Slack waits (3 s) for the modal's answer.
 */
export interface ChannelAccess {
  check(channel: string): Promise<ChannelCheck>;
  /** Joins a public channel; false when Slack refused or did not answer in time. */
  join(channel: string): Promise<"joined" | "refused" | "slow">;
  /** Whether a member is in a (private) channel. */
  hasMember(channel: string, userId: string): Promise<boolean | "slow" | "failed">;
}

// The messaging provider (Bandwidth) as services see it; src/bandwidth/client.ts implements it.

export interface OutgoingText {
  from: string;
  to: string[];
  text: string;
  media?: string[];
  tag: string;
}

/** Why Bandwidth did not take a request, and whether trying again can help. */
export class BandwidthError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryable: boolean,
    readonly retryAfterMs: number | null = null,
    /**
     * The request may have reached Bandwidth and been taken: it timed out, was cut short, or the
     * connection dropped after it was written. Sending again could text the same people twice.
     */
    readonly inDoubt = false,
  ) {
    super(message);
    this.name = "BandwidthError";
  }
}

/** A text Bandwidth lists as sent from a line (List Messages), one row per recipient. */
export interface ListedText {
  messageId: string;
  destination: string;
  recipientCount: number | null;
  receivedAt: Date | null;
}

export interface ListedTextsQuery {
  from: string;
  to: string;
  since: Date;
  until: Date;
}

/** What Bandwidth answered to a send: its id, and the segments it will bill when it said so. */
export interface TakenText {
  id: string;
  segmentCount: number | null;
}

export interface BandwidthMessaging {
  send(text: OutgoingText): Promise<TakenText>;
  /** Outbound texts from one number to another in a window: Bandwidth's own record of what it took. */
  listSent(query: ListedTextsQuery): Promise<ListedText[]>;
  downloadMedia(url: string): Promise<{ bytes: Buffer; contentType: string }>;
  uploadMedia(mediaId: string, bytes: Buffer, contentType: string): Promise<string>;
}
