import { z } from "zod";
import type { MultiSendTally } from "./multiSend";
import { contactLabel, formatPhone } from "./phone";

/**
 * What the app tells people, in the domain's words: services make a Notice, and the Slack edge
 * (src/slack/views/notices.ts) decides how it reads there. Thread notices are stored as one (the
 * Message's `notice` column, parsed with `noticeSchema` when they are posted), so every field is
 * plain data: names and numbers as they are, Slack user and channel ids, dates as ISO strings.
 */

/** A contact as a notice names it: "Name (phone)", or the phone alone. */
const contact = z.object({ name: z.string().nullable(), number: z.string() });

/** A post in a conversation's thread (its channel and ts), linked to from a notice. */
const threadPost = z.object({ channel: z.string(), ts: z.string() });

const user = z.string();

/** Notices left in a conversation's thread (stored with the Message, posted later). */
const threadNotices = [
  z.object({
    kind: z.literal("not-delivered"),
    contact,
    description: z.string(),
    errorCode: z.number().nullable(),
    /** The teammate's reply that failed, when it has a post in the thread. */
    entry: threadPost.nullable(),
  }),
  z.object({ kind: z.literal("report-set-aside"), eventType: z.string() }),
  z.object({
    kind: z.literal("text-set-aside"),
    from: z.string().nullable(),
    reason: z.enum(["failed", "invalid"]),
  }),
  z.object({ kind: z.literal("reopened-by-text"), contact }),
  z.object({ kind: z.literal("reopened-by-start"), user }),
  z.object({ kind: z.literal("start-failed"), alone: z.boolean(), why: z.string(), requestedBy: user }),
  z.object({ kind: z.literal("start-blocked"), alone: z.boolean() }),
  z.object({ kind: z.literal("start-unconfirmed"), waitSeconds: z.number() }),
  z.object({
    kind: z.literal("reply-unconfirmed"),
    waitSeconds: z.number(),
    /** A compliance reply names its recipients; a teammate's reply links to its post when it has one. */
    what: z.discriminatedUnion("kind", [
      z.object({ kind: z.literal("compliance"), recipients: z.array(z.string()) }),
      z.object({ kind: z.literal("reply"), entry: threadPost.nullable() }),
    ]),
  }),
  z.object({ kind: z.literal("send-again-chosen"), user }),
  z.object({ kind: z.literal("line-inactive"), line: z.string() }),
  z.object({ kind: z.literal("reply-failed"), reason: z.string() }),
  z.object({
    kind: z.literal("texted"),
    recipients: z.number(),
    signature: z.string().nullable(),
    cost: z.string(),
    excluded: z.number(),
  }),
  z.object({ kind: z.literal("auto-reply"), contact, text: z.string() }),
  z.object({
    kind: z.literal("consent-changed"),
    contact,
    status: z.enum(["OPTED_OUT", "OPTED_IN"]),
    /** A keyword texted by the contact (reason: the keyword as texted), or an admin's change. */
    byKeyword: z.boolean(),
    actor: user.nullable(),
    reason: z.string().nullable(),
    at: z.iso.datetime(),
    remaining: z.number(),
  }),
  z.object({ kind: z.literal("renamed"), actor: user, name: z.string() }),
  z.object({ kind: z.literal("name-removed"), actor: user }),
  z.object({ kind: z.literal("closed"), actor: user }),
  z.object({ kind: z.literal("reopened"), actor: user }),
  z.object({ kind: z.literal("assigned"), actor: user, to: user.nullable() }),
  z.object({
    kind: z.literal("participants-changed"),
    actor: user,
    /** Contacts as the thread names them ("Name (phone)" or the phone). */
    added: z.array(z.string()),
    removed: z.array(z.string()),
    count: z.number(),
  }),
] as const;

export const threadNoticeSchema = z.discriminatedUnion("kind", threadNotices);

/** A notice in a conversation's thread, as stored in its Message row. */
export type ThreadNotice = z.infer<typeof threadNoticeSchema>;

/** Notices said privately to one member (ephemeral in a thread or channel, or by DM), never stored. */
export type PersonalNotice =
  | { kind: "start-failed-requester"; alone: boolean; why: string; name: string | null }
  | { kind: "start-blocked-requester"; alone: boolean }
  | { kind: "thread-not-posted"; name: string | null; channel: string }
  | { kind: "went-to-thread"; alone: boolean; link: string | null; cost: string }
  | { kind: "reply-not-sent-closed" }
  | { kind: "files-not-texted"; files: { name: string; reason: string }[] }
  | { kind: "reply-too-long"; length: number; max: number }
  | { kind: "reply-cannot-unsend"; how: "edited" | "deleted" }
  | { kind: "reply-blocked-opted-out"; line: string }
  | {
      kind: "assigned-text";
      /** The conversation's name, or null: named after its line then. */
      conversation: string | null;
      line: string;
      link: string | null;
      sender: { name: string | null; number: string };
      preview: string;
      media: boolean;
    }
  | {
      kind: "admin-refused";
      why: "only-admins-add" | "only-admins-remove" | "not-a-user" | "unknown-user" | "bot" | "deactivated";
    }
  | { kind: "already-workspace-admin"; user: string };

/** A message of the app's own in a channel, updated in place as what it reports moves on. */
export type ChannelNotice = {
  kind: "multi-send-report";
  requestedBy: string;
  line: { name: string; number: string };
  tally: MultiSendTally & { pending: number };
};

export type Notice = ThreadNotice | PersonalNotice | ChannelNotice;

/**
 * A stored thread notice's row: the notice itself, and a plain-text line for anyone reading the
 * table (the thread shows the notice as the Slack edge renders it).
 */
export function noticeRow(notice: ThreadNotice): { kind: "NOTICE"; text: string; notice: ThreadNotice } {
  return { kind: "NOTICE", text: noticeSummary(notice), notice };
}

/**
 * A stored notice as it is posted. Rows written before notices were stored structured hold only the
 * Slack markup `mrkdwn` made of them, in `text`; a column that does not parse (written by a later
 * version, say) is shown by its plain-text line, as outside text.
 */
export type StoredNotice =
  | ThreadNotice
  | { kind: "stored-markup"; markup: string }
  | { kind: "unreadable"; text: string };

export function storedNotice(row: { notice: unknown; text: string }): StoredNotice {
  if (row.notice === null || row.notice === undefined) return { kind: "stored-markup", markup: row.text };
  const parsed = threadNoticeSchema.safeParse(row.notice);
  return parsed.success ? parsed.data : { kind: "unreadable", text: row.text };
}

const who = (c: { name: string | null; number: string }) => contactLabel(c.name, c.number);

/** A plain-text line for a stored notice (the Message's `text`); never shown in Slack. */
export function noticeSummary(notice: ThreadNotice): string {
  switch (notice.kind) {
    case "not-delivered":
      return `Not delivered to ${who(notice.contact)}: “${notice.description}”${notice.errorCode ? ` (error ${notice.errorCode})` : ""}.`;
    case "report-set-aside":
      return `A delivery report (${notice.eventType}) was set aside.`;
    case "text-set-aside":
      return `A text from ${notice.from ? formatPhone(notice.from) : "a contact"} was set aside (${notice.reason}).`;
    case "reopened-by-text":
      return `Reopened by a new text from ${who(notice.contact)}.`;
    case "reopened-by-start":
      return `Reopened by ${notice.user}, who texted the same people again.`;
    case "start-failed":
      return `Not sent: ${notice.why}`;
    case "start-blocked":
      return "Not sent: opted out.";
    case "start-unconfirmed":
    case "reply-unconfirmed":
      return "Not confirmed by Bandwidth.";
    case "send-again-chosen":
      return `${notice.user} chose to send the unconfirmed reply again.`;
    case "line-inactive":
      return `Not texted: ${notice.line} is inactive.`;
    case "reply-failed":
      return `Not texted: ${notice.reason}.`;
    case "texted":
      return `Texted to ${notice.recipients}: ${notice.cost}`;
    case "auto-reply":
      return `Auto-reply texted to ${who(notice.contact)}: “${notice.text}”`;
    case "consent-changed":
      return `${who(notice.contact)} ${notice.status === "OPTED_OUT" ? "opted out" : "opted back in"}.`;
    case "renamed":
      return `${notice.actor} renamed the group to “${notice.name}”.`;
    case "name-removed":
      return `${notice.actor} removed the group's name.`;
    case "closed":
      return `${notice.actor} closed this conversation.`;
    case "reopened":
      return `${notice.actor} reopened this conversation.`;
    case "assigned":
      return notice.to
        ? `${notice.actor} assigned this conversation to ${notice.to}.`
        : `${notice.actor} unassigned this conversation.`;
    case "participants-changed":
      return `${notice.actor} changed the participants: now ${notice.count}.`;
  }
}
