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
