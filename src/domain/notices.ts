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
  return { kind: "NOTICE", text: noticePlainText(notice), notice };
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
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function listNames(names: string[]): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

const NOT_CONFIRMED_AFTER =
  "It may not have reached the group. Nothing is re-sent automatically: check with a participant, or send it again.";

/**
 * A stored notice as plain text (the Message's `text`, for anyone reading the table): the words the
 * thread shows, without Slack's markup (users by id, links by their label). A unit test holds the
 * two to the same words.
 */
export function noticePlainText(notice: ThreadNotice): string {
  switch (notice.kind) {
    case "not-delivered":
      return `Not delivered to ${who(notice.contact)}: ${notice.entry ? "this message" : "a message"} failed with “${notice.description}”${notice.errorCode ? ` (error ${notice.errorCode})` : ""}.`;
    case "report-set-aside":
      return `A delivery report from Bandwidth (${notice.eventType}) could not be taken in and was set aside; the delivery state shown here may be out of date.`;
    case "text-set-aside":
      return `A text from ${notice.from ? formatPhone(notice.from) : "a contact"} could not be shown here: ${notice.reason === "failed" ? "it failed every attempt" : "Bandwidth sent it in a form that cannot be stored"}. It was set aside, and the texts after it follow.`;
    case "reopened-by-text":
      return `Reopened by a new text from ${who(notice.contact)}. Replies here are texted again.`;
    case "reopened-by-start":
      return `Reopened by @${notice.user}, who texted the same people again.`;
    case "start-failed":
      return `This ${notice.alone ? "text" : "group text"} was not sent. ${notice.why} Nothing was texted; @${notice.requestedBy} can try again.`;
    case "start-blocked":
      return notice.alone
        ? "This text was not sent: the contact has opted out of this line."
        : "This group text was not sent: every contact in the group has opted out of this line.";
    case "start-unconfirmed":
      return `Not confirmed: the app lost contact with Bandwidth while texting this group, and Bandwidth shows no record of it after ${notice.waitSeconds} s. ${NOT_CONFIRMED_AFTER}`;
    case "reply-unconfirmed": {
      const what =
        notice.what.kind === "compliance"
          ? `the compliance reply to ${notice.what.recipients.join(", ")}`
          : "this reply";
      return `Not confirmed: the app lost contact with Bandwidth while texting ${what}, and Bandwidth shows no record of it after ${notice.waitSeconds} s. ${NOT_CONFIRMED_AFTER}`;
    }
    case "send-again-chosen":
      return `@${notice.user} chose to send the unconfirmed reply again.`;
    case "line-inactive":
      return `${notice.line} is inactive, so this reply was not texted.`;
    case "reply-failed":
      return `This reply was not texted: ${notice.reason}.`;
    case "texted":
      return `Texted to ${plural(notice.recipients, "participant")}${notice.signature ? `, signed “${notice.signature}”` : ""}: ${notice.cost}${notice.excluded ? ` · not sent to ${notice.excluded} opted-out` : ""}`;
    case "auto-reply":
      return `Auto-reply texted to ${notice.contact.name?.trim() || formatPhone(notice.contact.number)}: “${notice.text}”`;
    case "consent-changed": {
      const why = notice.reason ? ` (${notice.reason})` : "";
      const by = notice.actor ? `@${notice.actor}` : "an admin";
      const out = notice.status === "OPTED_OUT";
      const how = notice.byKeyword
        ? `texted ${notice.reason ?? (out ? "STOP" : "START")} and ${out ? "opted out" : "opted back in"}`
        : `was ${out ? "opted out" : "opted back in"} by ${by}${why}`;
      const next =
        notice.remaining === 0
          ? "Every participant has opted out; nothing more can be texted to this group."
          : `Further messages go to the remaining ${plural(notice.remaining, "participant")}.`;
      return `${who(notice.contact)} ${how} at ${notice.at}. ${next}`;
    }
    case "renamed":
      return `@${notice.actor} renamed the group to “${notice.name}”.`;
    case "name-removed":
      return `@${notice.actor} removed the group's name.`;
    case "closed":
      return `@${notice.actor} closed this conversation. Replies here are not texted until it is reopened; a new text from a contact reopens it.`;
    case "reopened":
      return `@${notice.actor} reopened this conversation. Replies here are texted again.`;
    case "assigned":
      return notice.to === null
        ? `@${notice.actor} unassigned this conversation.`
        : notice.to === notice.actor
          ? `@${notice.actor} took this conversation.`
          : `@${notice.actor} assigned this conversation to @${notice.to}.`;
    case "participants-changed": {
      const parts = [
        ...(notice.added.length ? [`added ${listNames(notice.added)}`] : []),
        ...(notice.removed.length ? [`removed ${listNames(notice.removed)}`] : []),
      ];
      return `@${notice.actor} ${parts.join(" and ")}. Replies here now go to ${plural(notice.count, "contact")}; on the phones this is a new group text, and texts from the old group and the new one both land in this thread.`;
    }
  }
}
