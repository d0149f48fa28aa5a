import type { App } from "@slack/bolt";
import { z } from "zod";
import { MAX_TEXT_LENGTH } from "../../../domain/segments";
import type { GroupStartService } from "../../../services/groupStart";
import { encodeModalOrigin, slackChannelId, slackUserId } from "../../modalOrigin";
import { groupModalView } from "../../views/groupModal";

const command = z.object({
  trigger_id: z.string().min(1).max(200),
  user_id: slackUserId,
  channel_id: slackChannelId,
  text: z.string().default(""),
});

/** `/grouptext help` or `/grouptext ?`, exactly: anything else is a first message ("Help me move?"). */
const HELP = /^\s*(help|\?)\s*$/i;

function usage(name: string): string {
  return [
    `*${name}* starts a Reply-All group text: one SMS/MMS group between a line and up to 9 contacts, followed in one Slack thread.`,
    `• \`${name}\` opens the form; \`${name} Pizza at 7?\` opens it with that first message.`,
    "• The thread is posted first, in the channel you pick (this one by default), then the text goes out. The app must be in a private channel to post there: invite it first.",
    "• Every reply in the thread is texted to the whole group, except a reply that starts with the note marker (`//` by default).",
    "• The *New group text* shortcut (the ⚡ menu) opens the same form from anywhere.",
  ].join("\n");
}

/**
 * The slash command opens the group modal; the text after the command pre-fills the message.
 * The channel it was typed in is the picker's default, and the modal is signed for its user.
 */
export function register(app: App, name: string, groups: GroupStartService, signingSecret: string): void {
  app.command(name, async ({ ack, body, client, logger }) => {
    const parsed = command.safeParse(body);
    if (!parsed.success) {
      logger.warn("slash command did not parse", parsed.error.issues.slice(0, 5));
      await ack("This command could not be read here; please try it again from a channel.");
      return;
    }
    const { trigger_id, user_id, channel_id, text } = parsed.data;
    // Answered in place and privately: "help" is never a group's first message.
    if (HELP.test(text)) {
      await ack({ response_type: "ephemeral", text: usage(name) });
      return;
    }
    await ack();
    try {
      // Asked together: the trigger id expires 3 s after the command.
      const [choices, defaultChannel] = await Promise.all([
        groups.choicesForCommand({ triggerId: trigger_id, userId: user_id }),
        groups.defaultChannel(channel_id),
      ]);
      if (!choices) {
        logger.warn("a slash command was sent again (same trigger_id); it opens nothing");
        return;
      }
      await client.views.open({
        trigger_id,
        view: groupModalView({
          privateMetadata: encodeModalOrigin(signingSecret, { channelId: channel_id, userId: user_id }),
          ...choices,
          defaultChannel,
          initialText: text.slice(0, MAX_TEXT_LENGTH),
        }),
      });
    } catch (error) {
      logger.error("opening the group modal failed", error);
    }
  });
}
