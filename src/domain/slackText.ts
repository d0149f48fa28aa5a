/**
 * Turns Slack's message markup into what a phone should show: links as their address, mentions
 * and channels by name where Slack gave one, and entities unescaped.
 */
export function slackToPlainText(text: string): string {
  return text
    .replace(/<([^<>|]+)\|([^<>]+)>/g, (_all, target: string, label: string) => {
      if (target.startsWith("@") || target.startsWith("#")) return `${target[0]}${label}`;
      if (target.startsWith("!")) return `@${label}`;
      return label === target.replace(/^mailto:/, "")
        ? label
        : `${label} (${target.replace(/^mailto:/, "")})`;
    })
    .replace(/<!(here|channel|everyone)>/g, "@$1")
    .replace(/<@([A-Z0-9]+)>/g, "@someone")
    .replace(/<#([A-Z0-9]+)>/g, "#channel")
    .replace(/<([^<>]+)>/g, (_all, target: string) => target.replace(/^mailto:/, ""))
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/**
 * Slack mrkdwn that is safe to send: the app's own markup (`*bold*`, `<@U…>`, `:emoji:`), with
 * every outside value in it (contacts' texts and names, group and line names, reasons, carrier
 * descriptions) escaped. Only `mrkdwn` and the helpers below make one, so a builder that takes a
 * SlackText cannot be handed raw outside text.
 */
export class SlackText {
  private constructor(readonly markup: string) {}

  /** Markup the app stored itself (a thread notice), built with `mrkdwn` when it was written. */
  static stored(markup: string): SlackText {
    return new SlackText(markup);
  }

  static join(parts: readonly SlackText[], separator = ""): SlackText {
    return new SlackText(parts.map((p) => p.markup).join(escapeSlack(separator)));
  }

  static readonly empty = new SlackText("");

  get length(): number {
    return this.markup.length;
  }

  toString(): string {
    return this.markup;
  }

  /** At most `max` characters, never cutting an entity (`&amp;`) or a `<…>` token in half. */
  clip(max: number): SlackText {
    if (this.markup.length <= max) return this;
    let cut = this.markup.slice(0, max - 1);
    const open = cut.lastIndexOf("<");
    if (open > cut.lastIndexOf(">")) cut = cut.slice(0, open);
    const amp = cut.lastIndexOf("&");
    if (amp >= 0 && !cut.slice(amp).includes(";")) cut = cut.slice(0, amp);
    return new SlackText(`${cut}…`);
  }
}

/** Slack's own escaping rule: `&`, `<` and `>` are the only characters it parses as markup. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export type SlackValue = SlackText | string | number;

function render(value: SlackValue): string {
  return value instanceof SlackText ? value.markup : escapeSlack(String(value));
}

/**
 * The one way outside text becomes Slack text: the template's literal parts are the app's markup,
 * every `${value}` is escaped unless it is a SlackText already.
 *
 *     mrkdwn`*${line.name}* texted by ${mention(userId)}`
 */
export function mrkdwn(strings: TemplateStringsArray, ...values: SlackValue[]): SlackText {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? "");
  });
  return SlackText.stored(out);
}

/** One outside value as Slack text. */
export function slackText(value: string): SlackText {
  return SlackText.stored(escapeSlack(value));
}

const SLACK_ID = /^[A-Z][A-Z0-9]{1,30}$/;

/** `<@U…>`; anything that is not a Slack id is shown as text. */
export function mention(userId: string): SlackText {
  return SLACK_ID.test(userId) ? SlackText.stored(`<@${userId}>`) : slackText(userId);
}

/** `<#C…>`; anything that is not a Slack id is shown as text. */
export function channelMention(channelId: string): SlackText {
  return SLACK_ID.test(channelId) ? SlackText.stored(`<#${channelId}>`) : slackText(channelId);
}

/** A date Slack shows in the reader's time zone (`format` as Slack documents it), else `fallback`. */
export function slackDate(moment: Date, format: string, fallback = moment.toISOString()): SlackText {
  return SlackText.stored(
    `<!date^${Math.floor(moment.getTime() / 1000)}^${escapeSlack(format).replace(/\|/g, "")}|${escapeSlack(fallback).replace(/\|/g, "")}>`,
  );
}

/** `<url|label>` for an https URL the app made; the label is escaped, the URL kept to a safe form. */
export function slackLink(url: string, label: SlackValue): SlackText {
  const safeUrl = /^https?:\/\/[^\s<>|]+$/.test(url) ? url : null;
  return safeUrl ? SlackText.stored(`<${safeUrl}|${render(label)}>`) : SlackText.stored(render(label));
}
