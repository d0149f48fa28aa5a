import type { KnownBlock } from "@slack/types";
import { formatPhone } from "../../domain/phone";
import type { ThreadRootView } from "../../services/ports";
import { clip, escapeMrkdwn } from "./text";

export function threadRootText(root: ThreadRootView): string {
  const title = root.groupName ?? `Group text with ${root.participants.length} contacts`;
  return `${title} — from ${root.line.name} ${formatPhone(root.line.number)}`;
}

export function threadRootBlocks(root: ThreadRootView): KnownBlock[] {
  const participants = root.participants
    .map((p) => {
      const who = p.name ? `${escapeMrkdwn(p.name)} · ${formatPhone(p.number)}` : formatPhone(p.number);
      return p.optedOut ? `• ~${who}~ _opted out_` : `• ${who}`;
    })
    .join("\n");
  const active = root.participants.filter((p) => !p.optedOut).length;
  const started = root.startedBy ? `Started by <@${root.startedBy}>` : "Started by the contacts";
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
          text: `*Line*\n${escapeMrkdwn(root.line.name)} · ${formatPhone(root.line.number)}${root.line.active ? "" : " _(inactive)_"}`,
        },
        { type: "mrkdwn", text: `*Participants (${active} receiving)*\n${clip(participants, 1900)}` },
      ],
    },
    {
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: [
            started,
            root.cost ? `first message: ${root.cost}` : null,
            `replies here are texted to the whole group; start one with \`${escapeMrkdwn(root.noteMarker)}\` for an internal note`,
          ]
            .filter(Boolean)
            .join(" · "),
        },
      ],
    },
  ];
  return blocks;
}
