import type { Button, KnownBlock } from "@slack/types";
import type { HomeInput } from "./home";
import { contactsTabBlocks } from "./homeContacts";
import { conversationsTabBlocks } from "./homeConversations";
import { HOME_ACTIONS } from "./homeIds";
import { linesTabBlocks } from "./homeLines";
import { optOutsTabBlocks } from "./homeOptOuts";
import { settingsTabBlocks } from "./homeSettings";
import type { HomeTab } from "./homeState";
import { usageTabBlocks } from "./homeUsage";
import { context, noticeBlock, plain } from "./kit";
import { mrkdwn } from "./text";

const TAB_NAMES: Record<HomeTab, string> = {
  lines: "Lines",
  conversations: "Conversations",
  contacts: "Contacts",
  optouts: "Opt-outs",
  usage: "Usage",
  settings: "Settings",
};

/**
 * An admin's Home: a header, the tab bar and one tab's content. Each tab pages or truncates its
 * list so the whole view stays far below Slack's 100 blocks.
 */
export function adminHomeBlocks(input: Extract<HomeInput, { kind: "admin" }>): KnownBlock[] {
  const tabs: Button[] = (Object.keys(TAB_NAMES) as HomeTab[]).map((tab) => ({
    type: "button",
    text: plain(TAB_NAMES[tab]),
    action_id: `${HOME_ACTIONS.nav}_${tab}`,
    value: tab,
    ...(tab === input.data.tab ? { style: "primary" as const } : {}),
  }));
  const blocks: KnownBlock[] = [
    { type: "header", text: plain("Reply-All group texts · admin", 150) },
    context(
      mrkdwn`You are a Reply-All admin${input.via === "workspace" ? " as a workspace admin" : ""}. Teammates start group texts with \`${input.command}\`.`,
    ),
  ];
  if (input.notice) blocks.push(noticeBlock(input.notice));
  blocks.push({ type: "actions", block_id: "home_tabs", elements: tabs }, { type: "divider" });
  const data = input.data;
  switch (data.tab) {
    case "lines":
      blocks.push(...linesTabBlocks(data));
      break;
    case "conversations":
      blocks.push(...conversationsTabBlocks(data, input.userId));
      break;
    case "contacts":
      blocks.push(...contactsTabBlocks(data));
      break;
    case "optouts":
      blocks.push(...optOutsTabBlocks(data));
      break;
    case "usage":
      blocks.push(...usageTabBlocks(data, input.chartUrl));
      break;
    case "settings":
      blocks.push(...settingsTabBlocks(data));
      break;
  }
  return blocks;
}
