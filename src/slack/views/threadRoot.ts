import type { KnownBlock } from "@slack/types";
import { formatPhone } from "../../domain/phone";
import type { ThreadRootView } from "../../services/ports";
import { clip, mention, mrkdwn, SlackText, slackDate } from "./text";

/** The thread root's menu: slash commands do not work in threads, so its actions live here. */
export const THREAD_ACTIONS_MENU = "thread_actions";

/** The notification and fallback text: mrkdwn too, so the names in it are escaped like the blocks. */
export function threadRootText(root: ThreadRootView): string {
  const title =
    root.groupName ??
    (root.participants.length === 1
      ? "Text with 1 contact"
      : `Group text with ${root.participants.length} contacts`);
  return mrkdwn`${root.closed ? "[Closed] " : ""}${title} — from ${root.line.name} ${formatPhone(root.line.number)}`
    .markup;
}

export function threadRootBlocks(root: ThreadRootView): KnownBlock[] {
  const participants = SlackText.join(
    root.participants.map((p) => {
      const who = p.name ? mrkdwn`${p.name} · ${formatPhone(p.number)}` : mrkdwn`${formatPhone(p.number)}`;
      return p.optedOut ? mrkdwn`• ~${who}~ _opted out_` : mrkdwn`• ${who}`;
    }),
    "\n",
  );
  const active = root.participants.filter((p) => !p.optedOut).length;
  const started = root.startedBy
    ? mrkdwn`Started by ${mention(root.startedBy)}`
    : mrkdwn`Started by the contacts`;
  const blocks: KnownBlock[] = [
    {
      type: "header",
      // One contact: a one-to-one conversation (from the modal, or a contact texting the line alone).
      text: {
        type: "plain_text",
        text: clip(
          root.groupName ?? (root.participants.length === 1 ? "Reply-All text" : "Reply-All group text"),
          150,
        ),
      },
    },
    {
      type: "section",
      fields: [
        {
          type: "mrkdwn",
          text: mrkdwn`*Line*\n${root.line.name} · ${formatPhone(root.line.number)}${root.line.active ? "" : " _(inactive)_"}`
            .markup,
        },
        {
          type: "mrkdwn",
          text: mrkdwn`*Participants (${active} receiving)*\n${participants.clip(1900)}`.markup,
        },
      ],
    },
    {
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: SlackText.join(
            [
              started,
              ...(root.cost ? [mrkdwn`first message: ${root.cost}`] : []),
              mrkdwn`replies here are texted to ${root.participants.length === 1 ? "the contact" : "the whole group"}; start one with \`${root.noteMarker}\` for an internal note`,
            ],
            " · ",
          ).markup,
        },
      ],
    },
    {
      type: "context",
      elements: [{ type: "mrkdwn", text: statusLine(root).markup }],
    },
    {
      type: "actions",
      block_id: "thread_actions",
      elements: [
        {
          type: "overflow",
          action_id: THREAD_ACTIONS_MENU,
          options: [
            { text: { type: "plain_text", text: "Rename" }, value: "rename" },
            { text: { type: "plain_text", text: "Participants" }, value: "participants" },
            root.closed
              ? { text: { type: "plain_text", text: "Reopen" }, value: "reopen" }
              : { text: { type: "plain_text", text: "Close" }, value: "close" },
            { text: { type: "plain_text", text: "Assign…" }, value: "assign" },
            { text: { type: "plain_text", text: "Take it" }, value: "take" },
          ],
        },
      ],
    },
  ];
  return blocks;
}

/** Open or closed, who owns it, and the latest action on it (who and when). */
function statusLine(root: ThreadRootView): SlackText {
  const parts = [
    root.closed
      ? mrkdwn`:lock: *Closed*: replies here are not texted until it is reopened`
      : mrkdwn`:large_green_circle: *Open*`,
    root.assignee ? mrkdwn`assigned to ${mention(root.assignee)}` : mrkdwn`unassigned`,
  ];
  if (root.lastAction) {
    const who = root.lastAction.actor
      ? mrkdwn` by ${mention(root.lastAction.actor)}`
      : mrkdwn` by a contact's text`;
    parts.push(
      mrkdwn`${root.lastAction.what}${who} ${slackDate(root.lastAction.at, "{date_short_pretty} {time}")}`,
    );
  }
  return SlackText.join(parts, " · ");
}
