import type {
  Button,
  ContextBlock,
  InputBlock,
  KnownBlock,
  PlainTextElement,
  SectionBlock,
} from "@slack/types";
import { clip, mrkdwn, SlackText } from "./text";

/** Small Block Kit helpers that keep every text within Slack's limits. */

export function plain(text: string, max = 75): PlainTextElement {
  return { type: "plain_text", text: clip(text || " ", max), emoji: true };
}

/** Slack's limits on an input block's label and hint, and on an element's placeholder. */
const LABEL_MAX = 2000;
const HINT_MAX = 2000;
const PLACEHOLDER_MAX = 150;

/** An input block: its label, its one element, and the hint under it (all plain text). */
export function inputBlock(
  blockId: string,
  label: string,
  element: InputBlock["element"],
  more: { hint?: string; optional?: boolean; dispatchAction?: boolean } = {},
): InputBlock {
  return {
    type: "input",
    block_id: blockId,
    label: plain(label, LABEL_MAX),
    ...(more.hint ? { hint: plain(more.hint, HINT_MAX) } : {}),
    ...(more.optional !== undefined ? { optional: more.optional } : {}),
    ...(more.dispatchAction ? { dispatch_action: true } : {}),
    element,
  };
}

export function placeholder(text: string): PlainTextElement {
  return plain(text, PLACEHOLDER_MAX);
}

/** Every mrkdwn field takes SlackText: outside values reach it only escaped (see `mrkdwn`). */
export function section(text: SlackText, accessory?: SectionBlock["accessory"]): SectionBlock {
  return {
    type: "section",
    text: { type: "mrkdwn", text: text.clip(3000).markup || " " },
    ...(accessory ? { accessory } : {}),
  };
}

export function context(...texts: SlackText[]): ContextBlock {
  return {
    type: "context",
    elements: texts.slice(0, 10).map((t) => ({ type: "mrkdwn", text: t.clip(3000).markup || " " })),
  };
}

export function button(
  text: string,
  actionId: string,
  value: string,
  style?: "primary" | "danger",
  confirm?: { title: string; text: SlackText; confirm: string },
): Button {
  return {
    type: "button",
    text: plain(text),
    action_id: actionId,
    value: value.slice(0, 2000),
    ...(style ? { style } : {}),
    ...(confirm
      ? {
          confirm: {
            title: plain(confirm.title, 100),
            text: { type: "mrkdwn", text: confirm.text.clip(300).markup },
            confirm: plain(confirm.confirm, 30),
            deny: plain("Cancel", 30),
            ...(style === "danger" ? { style: "danger" as const } : {}),
          },
        }
      : {}),
  };
}

export type Notice = { tone: "ok" | "error" | "info"; text: SlackText };

export function noticeBlock(notice: Notice): KnownBlock {
  const icon =
    notice.tone === "ok"
      ? ":white_check_mark:"
      : notice.tone === "error"
        ? ":warning:"
        : ":information_source:";
  return section(SlackText.join([SlackText.stored(icon), notice.text], " "));
}

/** "Showing 21–40 of 500" with Previous/Next buttons whose values are the target pages. */
export function pager(
  actionId: string,
  page: number,
  pages: number,
  pageSize: number,
  total: number,
  noun: string,
): KnownBlock[] {
  if (total === 0) return [];
  const from = page * pageSize + 1;
  const to = Math.min(total, (page + 1) * pageSize);
  const blocks: KnownBlock[] = [
    context(mrkdwn`Showing ${from}–${to} of ${total} ${noun} · page ${page + 1} of ${pages}`),
  ];
  const buttons: Button[] = [];
  if (page > 0) buttons.push(button("◀ Previous", `${actionId}_prev`, String(page - 1)));
  if (page < pages - 1) buttons.push(button("Next page ▶", `${actionId}_next`, String(page + 1)));
  if (buttons.length) blocks.push({ type: "actions", block_id: `${actionId}_pager`, elements: buttons });
  return blocks;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}
