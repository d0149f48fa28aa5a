import { senderLabel } from "../../domain/labels";
import type { Notice, PersonalNotice, StoredNotice, ThreadNotice } from "../../domain/notices";
import { contactLabel, formatPhone } from "../../domain/phone";
import { multiSendReport } from "./multiSendReport";
import { channelMention, mention, mrkdwn, SlackText, slackDate, slackLink } from "./text";

/** The Slack text of a notice a service made: the app's markup, every outside value escaped. */
export function renderNotice(notice: Notice | StoredNotice): SlackText {
  if (notice.kind === "stored-markup") {
    // Written before notices were stored structured: the markup `mrkdwn` made of it then.
    return SlackText.stored(notice.markup);
  }
  if (notice.kind === "unreadable") return mrkdwn`${notice.text}`;
  if (notice.kind === "multi-send-report") return multiSendReport(notice);
  return isPersonal(notice) ? personalText(notice) : threadText(notice);
}

const PERSONAL_KINDS = new Set<string>([
  "start-failed-requester",
  "start-blocked-requester",
  "thread-not-posted",
  "went-to-thread",
  "reply-not-sent-closed",
  "files-not-texted",
  "reply-too-long",
  "reply-cannot-unsend",
  "reply-blocked-opted-out",
  "assigned-text",
  "admin-refused",
  "already-workspace-admin",
] satisfies PersonalNotice["kind"][]);

function isPersonal(notice: ThreadNotice | PersonalNotice): notice is PersonalNotice {
  return PERSONAL_KINDS.has(notice.kind);
}

const who = (c: { name: string | null; number: string }) => contactLabel(c.name, c.number);

function archiveLink(post: { channel: string; ts: string }, label: string): SlackText {
  return slackLink(`https://slack.com/archives/${post.channel}/p${post.ts.replace(".", "")}`, label);
}

function listNames(names: string[]): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

const NOT_CONFIRMED_AFTER =
  "It may not have reached the group. Nothing is re-sent automatically: check with a participant, or send it again.";

function threadText(notice: ThreadNotice): SlackText {
  switch (notice.kind) {
    case "not-delivered": {
      const where = notice.entry ? mrkdwn` ${archiveLink(notice.entry, "this message")}` : " a message";
      return mrkdwn`:warning: Not delivered to ${who(notice.contact)}:${where} failed with “${notice.description}”${notice.errorCode ? ` (error ${notice.errorCode})` : ""}.`;
    }
    case "report-set-aside":
      return mrkdwn`:warning: A delivery report from Bandwidth (${notice.eventType}) could not be taken in and was set aside; the delivery state shown here may be out of date.`;
    case "text-set-aside": {
      const from = notice.from ? formatPhone(notice.from) : "a contact";
      const why =
        notice.reason === "failed"
          ? "it failed every attempt"
          : "Bandwidth sent it in a form that cannot be stored";
      return mrkdwn`:warning: A text from ${from} could not be shown here: ${why}. It was set aside, and the texts after it follow.`;
    }
    case "reopened-by-text":
      return mrkdwn`Reopened by a new text from ${who(notice.contact)}. Replies here are texted again.`;
    case "reopened-by-start":
      return mrkdwn`Reopened by ${mention(notice.user)}, who texted the same people again.`;
    case "start-failed":
      return mrkdwn`:x: This ${notice.alone ? "text" : "group text"} was not sent. ${notice.why} Nothing was texted; ${mention(notice.requestedBy)} can try again.`;
    case "start-blocked":
      return notice.alone
        ? mrkdwn`:no_entry: This text was not sent: the contact has opted out of this line.`
        : mrkdwn`:no_entry: This group text was not sent: every contact in the group has opted out of this line.`;
    case "start-unconfirmed":
      return mrkdwn`:warning: Not confirmed: the app lost contact with Bandwidth while texting this group, and Bandwidth shows no record of it after ${notice.waitSeconds} s. ${NOT_CONFIRMED_AFTER}`;
    case "reply-unconfirmed": {
      const what =
        notice.what.kind === "compliance"
          ? mrkdwn`the compliance reply to ${notice.what.recipients.join(", ")}`
          : notice.what.entry
            ? archiveLink(notice.what.entry, "this reply")
            : mrkdwn`this reply`;
      return mrkdwn`:warning: Not confirmed: the app lost contact with Bandwidth while texting ${what}, and Bandwidth shows no record of it after ${notice.waitSeconds} s. ${NOT_CONFIRMED_AFTER}`;
    }
    case "send-again-chosen":
      return mrkdwn`${mention(notice.user)} chose to send the unconfirmed reply again.`;
    case "line-inactive":
      return mrkdwn`:no_entry: ${notice.line} is inactive, so this reply was not texted.`;
    case "reply-failed":
      return mrkdwn`:x: This reply was not texted: ${notice.reason}.`;
    case "texted": {
      const n = notice.recipients;
      const signed = notice.signature ? mrkdwn`, signed “${notice.signature}”` : SlackText.empty;
      const excluded = notice.excluded ? ` · not sent to ${notice.excluded} opted-out` : "";
      return mrkdwn`Texted to ${n} participant${n === 1 ? "" : "s"}${signed}: ${notice.cost}${excluded}`;
    }
    case "auto-reply":
      return mrkdwn`Auto-reply texted to ${senderLabel(notice.contact.name, notice.contact.number)}: “${notice.text}”`;
    case "consent-changed":
      return consentChanged(notice);
    case "renamed":
      return mrkdwn`${mention(notice.actor)} renamed the group to “${notice.name}”.`;
    case "name-removed":
      return mrkdwn`${mention(notice.actor)} removed the group's name.`;
    case "closed":
      return mrkdwn`${mention(notice.actor)} closed this conversation. Replies here are not texted until it is reopened; a new text from a contact reopens it.`;
    case "reopened":
      return mrkdwn`${mention(notice.actor)} reopened this conversation. Replies here are texted again.`;
    case "assigned":
      return notice.to === null
        ? mrkdwn`${mention(notice.actor)} unassigned this conversation.`
        : notice.to === notice.actor
          ? mrkdwn`${mention(notice.actor)} took this conversation.`
          : mrkdwn`${mention(notice.actor)} assigned this conversation to ${mention(notice.to)}.`;
    case "participants-changed": {
      const parts = [
        ...(notice.added.length ? [mrkdwn`added ${listNames(notice.added)}`] : []),
        ...(notice.removed.length ? [mrkdwn`removed ${listNames(notice.removed)}`] : []),
      ];
      return mrkdwn`${mention(notice.actor)} ${SlackText.join(parts, " and ")}. Replies here now go to ${notice.count} ${notice.count === 1 ? "contact" : "contacts"}; on the phones this is a new group text, and texts from the old group and the new one both land in this thread.`;
    }
  }
}

function consentChanged(notice: Extract<ThreadNotice, { kind: "consent-changed" }>): SlackText {
  // The keyword as texted and an admin's reason are outside text: `mrkdwn` escapes them.
  const by = notice.actor ? mention(notice.actor) : "an admin";
  const why = notice.reason ? mrkdwn` (${notice.reason})` : "";
  const optedOut = notice.status === "OPTED_OUT";
  const how = notice.byKeyword
    ? optedOut
      ? mrkdwn`texted ${notice.reason ?? "STOP"} and opted out`
      : mrkdwn`texted ${notice.reason ?? "START"} and opted back in`
    : optedOut
      ? mrkdwn`was opted out by ${by}${why}`
      : mrkdwn`was opted back in by ${by}${why}`;
  const next =
    notice.remaining === 0
      ? "Every participant has opted out; nothing more can be texted to this group."
      : `Further messages go to the remaining ${notice.remaining} participant${notice.remaining === 1 ? "" : "s"}.`;
  return mrkdwn`${who(notice.contact)} ${how} at ${slackDate(new Date(notice.at), "{time} on {date_short}")}. ${next}`;
}

const ADMIN_REFUSALS: Record<Extract<PersonalNotice, { kind: "admin-refused" }>["why"], string> = {
  "only-admins-add": "Only admins can add admins.",
  "only-admins-remove": "Only admins can remove admins.",
  "not-a-user": "That is not a Slack user.",
  "unknown-user": "Slack does not know that user.",
  bot: "Apps and bots cannot be admins.",
  deactivated: "That account is deactivated.",
};

function personalText(notice: PersonalNotice): SlackText {
  switch (notice.kind) {
    case "start-failed-requester":
      return mrkdwn`:x: Your ${notice.alone ? "text" : "group text"}${notice.name ? ` “${notice.name}”` : ""} was not sent. ${notice.why} Nothing was texted; you can try again.`;
    case "start-blocked-requester":
      return notice.alone
        ? mrkdwn`:no_entry: That contact has opted out of this line; nothing was sent.`
        : mrkdwn`:no_entry: Every contact in that group has opted out of this line; nothing was sent.`;
    case "thread-not-posted":
      return mrkdwn`:x: Your group text${notice.name ? ` “${notice.name}”` : ""} was not sent: the app could not post its thread in ${channelMention(notice.channel)}. Nothing was texted; check that the app is in that channel and try again.`;
    case "went-to-thread":
      return notice.alone
        ? mrkdwn`This contact already has a conversation on this line, so your text went to its thread${notice.link ? `: ${notice.link}` : "."} (${notice.cost})`
        : mrkdwn`This group already has a thread, so your message went there${notice.link ? `: ${notice.link}` : "."} (${notice.cost})`;
    case "reply-not-sent-closed":
      return mrkdwn`:lock: This conversation is closed, so your reply was not texted. Reopen it from the menu on the thread's first message (⋮ → Reopen), then reply again.`;
    case "files-not-texted": {
      const lines = SlackText.join(
        notice.files.map((f) => mrkdwn`• ${f.name}: ${f.reason}`),
        "\n",
      );
      return mrkdwn`:warning: ${notice.files.length === 1 ? "This file was" : "These files were"} not texted:\n${lines}`;
    }
    case "reply-too-long":
      return mrkdwn`:x: That reply is ${notice.length} characters; a text can be at most ${notice.max}. Nothing was sent.`;
    case "reply-cannot-unsend": {
      const what =
        notice.how === "edited"
          ? "Editing it here does not change what the contacts received."
          : "Deleting it here does not unsend it.";
      return mrkdwn`:information_source: That reply was texted to the group, and a text cannot be unsent. ${what}`;
    }
    case "reply-blocked-opted-out":
      return mrkdwn`:no_entry: Every participant in this group has opted out of texts from ${notice.line}, so your reply was not texted.`;
    case "assigned-text": {
      const title = notice.conversation ?? `the group text on ${notice.line}`;
      const where = notice.link ? slackLink(notice.link, title) : mrkdwn`${title}`;
      const name = notice.sender.name?.trim();
      const sender = name
        ? `${name} ${formatPhone(notice.sender.number)}`
        : formatPhone(notice.sender.number);
      return mrkdwn`:speech_balloon: New text in ${where} (assigned to you) from ${sender}${notice.preview ? mrkdwn`: “${notice.preview}”` : mrkdwn`${notice.media ? " (media)" : ""}`}`;
    }
    case "admin-refused":
      return mrkdwn`${ADMIN_REFUSALS[notice.why]}`;
    case "already-workspace-admin":
      return mrkdwn`${mention(notice.user)} is a workspace admin, and so already a Reply-All admin.`;
  }
}
