import type { KnownBlock } from "@slack/types";
import type { ThreadEntryView } from "../../services/ports";
import { renderNotice } from "./notices";
import { mention, mrkdwn, SlackText } from "./text";

/** The button on a "not confirmed" notice; its value is the message to send again. */
export const SEND_AGAIN_ACTION = "send_again";

export interface EntryMessage {
  text: string;
  blocks?: KnownBlock[];
  username?: string;
  icon_emoji?: string;
}

/** Block Kit caps a section's text; a long text is split over sections, never inside an entity. */
const SECTION_TEXT_MAX = 3000;

function textSections(text: string): KnownBlock[] {
  const sections: KnownBlock[] = [];
  let chunk = "";
  let size = 0;
  const flush = () => {
    if (chunk) sections.push({ type: "section", text: { type: "mrkdwn", text: mrkdwn`${chunk}`.markup } });
    chunk = "";
    size = 0;
  };
  for (const character of text) {
    const width = mrkdwn`${character}`.length;
    if (size + width > SECTION_TEXT_MAX) flush();
    chunk += character;
    size += width;
  }
  flush();
  return sections;
}

/** How one conversation entry reads in the Slack thread. */
export function threadEntryMessage(entry: ThreadEntryView): EntryMessage {
  switch (entry.kind) {
    case "inbound":
      return inboundMessage(entry);
    case "outbound":
      return outboundMessage(entry);
    case "notice":
      return noticeMessage(entry);
  }
}

type EntryOf<K extends ThreadEntryView["kind"]> = Extract<ThreadEntryView, { kind: K }>;

/** A contact's text, posted under their name and icon; pictures are shown in the post itself. */
function inboundMessage(entry: EntryOf<"inbound">): EntryMessage {
  const body = entry.text ? mrkdwn`${entry.text}` : mrkdwn`_(no text)_`;
  const missing =
    entry.missingMedia > 0
      ? mrkdwn`\n:warning: ${entry.missingMedia} attachment${entry.missingMedia === 1 ? "" : "s"} could not be fetched from Bandwidth.`
      : SlackText.empty;
  // username/icon_emoji (chat:write.customize) make each contact read as a distinct sender.
  const identity = { username: entry.senderLabel, icon_emoji: entry.senderIcon };
  if (entry.pictures.length === 0)
    return { text: mrkdwn`${body}${missing}`.clip(39_000).markup, ...identity };
  // With blocks, `text` is only the notification's fallback: the text itself goes in sections.
  const n = entry.pictures.length;
  const fallback = entry.text ? body : mrkdwn`_(${n === 1 ? "a picture" : `${n} pictures`})_`;
  return {
    text: mrkdwn`${fallback}${missing}`.clip(39_000).markup,
    blocks: [
      ...textSections(entry.text),
      ...(entry.missingMedia > 0
        ? [{ type: "context" as const, elements: [{ type: "mrkdwn" as const, text: missing.markup.trim() }] }]
        : []),
      // The picture itself, in the contact's own post; alt text is plain text, never markup.
      ...entry.pictures.map(
        (picture): KnownBlock => ({
          type: "image",
          slack_file: { id: picture.slackFileId },
          alt_text: picture.altText.slice(0, 2000),
        }),
      ),
    ],
    ...identity,
  };
}

/** A teammate's reply as it was texted, with who sent it and what it cost. */
function outboundMessage(entry: EntryOf<"outbound">): EntryMessage {
  const by = entry.slackUserId ? mention(entry.slackUserId) : mrkdwn`The app`;
  const media = entry.mediaCount
    ? mrkdwn` · ${entry.mediaCount} attachment${entry.mediaCount === 1 ? "" : "s"}`
    : SlackText.empty;
  const note =
    entry.noteMarker === undefined
      ? SlackText.empty
      : mrkdwn`\nReplies in this thread are texted to ${entry.oneToOne ? "the contact" : "the whole group"}; start one with \`${entry.noteMarker}\` to keep it as an internal note.`;
  return {
    text: mrkdwn`${by}: ${entry.text}`.markup,
    blocks: [
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: (entry.text ? mrkdwn`${entry.text}` : mrkdwn`_(no text)_`).clip(3000).markup,
        },
      },
      {
        type: "context",
        elements: [
          {
            type: "mrkdwn",
            text: mrkdwn`Texted to the ${entry.oneToOne ? "contact" : "group"} by ${by} · ${entry.cost}${media}${note}`
              .markup,
          },
        ],
      },
    ],
  };
}

/** The app's own word in the thread; one about a text not confirmed offers to send it again. */
function noticeMessage(entry: EntryOf<"notice">): EntryMessage {
  const text = renderNotice(entry.notice);
  return {
    text: text.markup,
    blocks: [
      {
        type: "context",
        elements: [{ type: "mrkdwn", text: mrkdwn`:information_source: ${text}`.clip(3000).markup }],
      },
      ...(entry.sendAgainMessageId ? [sendAgainBlock(entry.sendAgainMessageId)] : []),
    ],
  };
}

function sendAgainBlock(messageId: string): KnownBlock {
  return {
    type: "actions",
    elements: [
      {
        type: "button",
        action_id: SEND_AGAIN_ACTION,
        text: { type: "plain_text", text: "Send again" },
        value: messageId,
        confirm: {
          title: { type: "plain_text", text: "Send this text again?" },
          text: { type: "mrkdwn", text: "If the first one did reach the group, everyone gets it twice." },
          confirm: { type: "plain_text", text: "Send again" },
          deny: { type: "plain_text", text: "Cancel" },
        },
      },
    ],
  };
}
