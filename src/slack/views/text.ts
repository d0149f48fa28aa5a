/** Escapes text from outside (contacts' texts, names) so it cannot mention @channel or fake links. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Block Kit caps section text at 3000 characters. */
export function clip(text: string, max = 3000): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
