import type { KnownBlock, View } from "@slack/types";
import { formatPhone } from "../../domain/phone";
import { clip, escapeMrkdwn } from "./text";

export interface HomeInput {
  command: string;
  lines: {
    name: string;
    number: string;
    groupEnabled: boolean;
    active: boolean;
    defaultChannel: string | null;
  }[];
  conversations: { name: string | null; lineName: string; participants: number; link: string | null }[];
}

/** The Home tab: the lines a teammate can text from and the latest group conversations. */
export function homeView(input: HomeInput): View {
  const blocks: KnownBlock[] = [
    { type: "header", text: { type: "plain_text", text: "Reply-All group texts" } },
    {
      type: "section",
      text: {
        type: "mrkdwn",
        text: `Type \`${input.command}\` in any channel the app is in to start a group text.`,
      },
    },
    { type: "divider" },
    { type: "header", text: { type: "plain_text", text: "Lines" } },
  ];
  if (input.lines.length === 0) {
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: "_No lines yet. Set `BANDWIDTH_LINES` to add them._" },
    });
  }
  for (const line of input.lines.slice(0, 40)) {
    const flags = [
      line.groupEnabled ? "group messaging" : "1:1 only",
      line.active ? null : "inactive",
      line.defaultChannel ? `opens in <#${line.defaultChannel}>` : null,
    ]
      .filter(Boolean)
      .join(" · ");
    blocks.push({
      type: "section",
      text: {
        type: "mrkdwn",
        text: clip(`*${escapeMrkdwn(line.name)}* · ${formatPhone(line.number)}\n${flags}`),
      },
    });
  }
  blocks.push(
    { type: "divider" },
    { type: "header", text: { type: "plain_text", text: "Recent conversations" } },
  );
  if (input.conversations.length === 0) {
    blocks.push({ type: "section", text: { type: "mrkdwn", text: "_None yet._" } });
  }
  for (const c of input.conversations.slice(0, 40)) {
    const title = escapeMrkdwn(c.name ?? `Group of ${c.participants}`);
    blocks.push({
      type: "section",
      text: {
        type: "mrkdwn",
        text: clip(
          `${c.link ? `<${c.link}|${title}>` : title} · ${escapeMrkdwn(c.lineName)} · ${c.participants} contacts`,
        ),
      },
    });
  }
  return { type: "home", blocks: blocks.slice(0, 100) };
}
