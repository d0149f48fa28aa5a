import type { KnownBlock } from "@slack/types";
import { formatPhone } from "../../domain/phone";
import type { ThreadRootView } from "../../services/ports";
import { clip, mention, mrkdwn, SlackText } from "./text";

/** The notification and fallback text: mrkdwn too, so the names in it are escaped like the blocks. */
export function threadRootText(root: ThreadRootView): string {
  const title = root.groupName ?? `Group text with ${root.participants.length} contacts`;
  return mrkdwn`${title} — from ${root.line.name} ${formatPhone(root.line.number)}`.markup;
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
      text: { type: "plain_text", text: clip(root.groupName ?? "Reply-All group text", 150) },
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
              mrkdwn`replies here are texted to the whole group; start one with \`${root.noteMarker}\` for an internal note`,
            ],
            " · ",
          ).markup,
        },
      ],
    },
  ];
  return blocks;
}
