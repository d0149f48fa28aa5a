import type { KnownBlock } from "@slack/types";
import { formatPhone } from "../../domain/phone";
import { type ConversationRow, type HomeTabData, PAGE_SIZES } from "../../services/home";
import { HOME_ACTIONS } from "./homeIds";
import { context, pager, plain, plural, section } from "./kit";
import { mention, mrkdwn, type SlackText, slackDate, slackLink } from "./text";

type ConversationsTab = Extract<HomeTabData, { tab: "conversations" }>;

const STATE_NAMES = { open: "Open", closed: "Closed", all: "Open and closed" } as const;

/** A link to the thread, in the archive link style Slack resolves for anyone in the channel. */
export function threadLink(channelId: string | null, threadTs: string | null): string | null {
  return channelId && threadTs
    ? `https://slack.com/archives/${channelId}/p${threadTs.replace(".", "")}`
    : null;
}

/** One line per conversation: its name (a link to the thread), line, size, state, owner and last activity. */
export function conversationRow(c: ConversationRow, you?: string): SlackText {
  const title = c.name ?? `Group of ${c.participants}`;
  const link = threadLink(c.channelId, c.threadTs);
  const when = slackDate(c.updatedAt, "{date_short_pretty}", c.updatedAt.toISOString().slice(0, 10));
  const owner = c.assignee
    ? c.assignee === you
      ? mrkdwn`assigned to you`
      : mrkdwn`assigned to ${mention(c.assignee)}`
    : mrkdwn`unassigned`;
  return mrkdwn`${c.closed ? ":lock: " : ""}${link ? slackLink(link, title) : title} · ${c.lineName} · ${plural(c.participants, "contact")} · ${c.closed ? "closed" : "open"}, ${owner} · ${when}`;
}

/** The admin's Conversations tab: their own assigned ones, then every conversation, by line and state. */
export function conversationsTabBlocks(data: ConversationsTab, userId?: string): KnownBlock[] {
  const lineOptions = [
    { text: plain("All lines"), value: "all" },
    ...data.lines
      .slice(0, 99)
      .map((l) => ({ text: plain(`${l.name} · ${formatPhone(l.number)}`), value: l.id })),
  ];
  const stateOptions = (Object.keys(STATE_NAMES) as (keyof typeof STATE_NAMES)[]).map((s) => ({
    text: plain(STATE_NAMES[s]),
    value: s,
  }));
  const blocks: KnownBlock[] = [];
  if (data.assigned.length) {
    blocks.push(section(mrkdwn`*Assigned to you*`));
    for (const row of data.assigned) blocks.push(context(conversationRow(row, userId)));
    blocks.push({ type: "divider" });
  }
  blocks.push(section(mrkdwn`*Conversations* · ${plural(data.total, "conversation")}`), {
    type: "actions",
    block_id: "home_conversation_filters",
    elements: [
      {
        type: "static_select",
        action_id: HOME_ACTIONS.conversationLine,
        placeholder: plain("Line"),
        options: lineOptions,
        initial_option: lineOptions.find((o) => o.value === (data.lineId ?? "all")) ?? lineOptions[0],
      },
      {
        type: "static_select",
        action_id: HOME_ACTIONS.conversationState,
        placeholder: plain("State"),
        options: stateOptions,
        initial_option: stateOptions.find((o) => o.value === data.state) ?? stateOptions[0],
      },
    ],
  });
  if (data.rows.length === 0) blocks.push(section(mrkdwn`_No conversations match._`));
  for (const row of data.rows) blocks.push(section(conversationRow(row, userId)));
  blocks.push(
    ...pager(HOME_ACTIONS.page, data.page, data.pages, PAGE_SIZES.conversations, data.total, "conversations"),
  );
  return blocks;
}
