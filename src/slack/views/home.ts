import type { KnownBlock, View } from "@slack/types";
import { MAX_GROUP_CONTACTS } from "../../domain/participants";
import { formatPhone } from "../../domain/phone";
import type { HomeTabData, MemberHomeData } from "../../services/home";
import { adminHomeBlocks } from "./homeAdmin";
import { conversationRow } from "./homeConversations";
import type { HomeState } from "./homeState";
import { encodeHomeState } from "./homeState";
import { context, type Notice, noticeBlock, plain, section } from "./kit";
import { mrkdwn } from "./text";

export type HomeInput =
  | { kind: "member"; command: string; data: MemberHomeData; notice?: Notice }
  | {
      kind: "admin";
      /** Whose Home it is: their own assigned conversations are shown as theirs. */
      userId?: string;
      command: string;
      via: "workspace" | "app";
      state: HomeState;
      data: HomeTabData;
      chartUrl: string | null;
      notice?: Notice;
    };

/** Slack refuses a view with more than this many blocks. */
export const MAX_VIEW_BLOCKS = 100;

/** The Home tab: admins manage the app here; everyone else sees the lines and their own groups. */
export function homeView(input: HomeInput): View {
  const blocks = input.kind === "admin" ? adminHomeBlocks(input) : memberHomeBlocks(input);
  return {
    type: "home",
    ...(input.kind === "admin" ? { private_metadata: encodeHomeState(input.state) } : {}),
    blocks: blocks.slice(0, MAX_VIEW_BLOCKS),
  };
}

function memberHomeBlocks(input: Extract<HomeInput, { kind: "member" }>): KnownBlock[] {
  const { data } = input;
  const blocks: KnownBlock[] = [
    { type: "header", text: plain("Reply-All group texts", 150) },
    section(
      mrkdwn`Type \`${input.command}\` in a channel to text a group of up to ${MAX_GROUP_CONTACTS} contacts from one of the lines below. Every contact sees every reply, and the conversation stays in one thread.`,
    ),
  ];
  if (input.notice) blocks.push(noticeBlock(input.notice));
  blocks.push({ type: "divider" }, { type: "header", text: plain("Lines you can start a group on", 150) });
  if (data.lines.length === 0) {
    blocks.push(
      section(mrkdwn`_No line can send group texts yet. An admin can add or enable one in this Home tab._`),
    );
  }
  for (const line of data.lines) {
    blocks.push(
      section(
        mrkdwn`*${line.name}* · ${formatPhone(line.number)}\n${line.groupEnabled ? "Group texts" : "One-to-one texts only"}`,
      ),
    );
  }
  if (data.linesTotal > data.lines.length) {
    blocks.push(context(mrkdwn`…and ${data.linesTotal - data.lines.length} more.`));
  }
  blocks.push(
    { type: "divider" },
    { type: "header", text: plain("Your conversations: assigned to you, or started or replied in", 150) },
  );
  if (data.conversations.length === 0) {
    blocks.push(section(mrkdwn`_None yet. Start one with \`${input.command}\`._`));
  }
  for (const c of data.conversations) {
    blocks.push(section(conversationRow(c, c.assignedToYou ? (c.assignee ?? undefined) : undefined)));
  }
  blocks.push(context(mrkdwn`Only Reply-All admins can change lines, contacts and settings.`));
  return blocks;
}
