import type { Notice } from "../views/kit";
import type { SlackText } from "../views/text";

/** What a non-admin is told when they try an admin's action or form. */
export const REFUSED =
  "Only Reply-All admins can do that. Workspace owners and admins are admins; they can add others in the Home tab's Settings.";

/** A line atop the Home tab; its text is built with `mrkdwn`, so outside values arrive escaped. */
export function notice(tone: Notice["tone"], text: SlackText): Notice {
  return { tone, text };
}
