import { escapeSlack, type SlackText } from "../../domain/slackText";

export {
  channelMention,
  escapeSlack,
  mention,
  mrkdwn,
  SlackText,
  type SlackValue,
  slackDate,
  slackLink,
  slackText,
} from "../../domain/slackText";

/** Escapes text from outside (contacts' texts, names) so it cannot mention @channel or fake links. */
export function escapeMrkdwn(text: string): string {
  return escapeSlack(text);
}

/** Block Kit caps section text at 3000 characters. */
export function clip(text: string, max = 3000): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Clips Slack text without cutting an entity or a `<…>` token in half. */
export function clipSlack(text: SlackText, max = 3000): SlackText {
  return text.clip(max);
}
