import type { App } from "@slack/bolt";
import { z } from "zod";
import { commandKind, MAX_MULTI_RECIPIENTS } from "../../../domain/conversationKind";
import { MAX_GROUP_CONTACTS } from "../../../domain/participants";
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
    `*${name}* texts contacts from one of your lines, each conversation followed in one Slack thread. The form starts one of three kinds:`,
    `• *Group*: one SMS/MMS group between a line and up to ${MAX_GROUP_CONTACTS} contacts, in one shared thread where everyone sees every reply.`,
    `• *One contact* (\`${name} one\`): a text to one contact from any active line; a contact who already has a conversation on that line continues in its thread.`,
    `• *Many contacts* (\`${name} many\`): the same text to up to ${MAX_MULTI_RECIPIENTS} contacts, each separately in their own one-to-one thread; contacts who opted out are skipped, and a message in the channel shows the progress and then what was sent, skipped or failed.`,
    `• \`${name}\` opens the form for a group; \`${name} Pizza at 7?\` opens it with that first message (\`${name} one Your order is ready\` likewise).`,
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
    const { trigger_id, user_id, channel_id } = parsed.data;
    // Answered in place and privately: "help" is never a group's first message.
    if (HELP.test(parsed.data.text)) {
      await ack({ response_type: "ephemeral", text: usage(name) });
      return;
    }
    // "one" or "many" first picks the kind; the rest is the first message.
    const { kind, text } = commandKind(parsed.data.text);
    await ack();
    try {
      // Asked together: the trigger id expires 3 s after the command.
      const [choices, defaultChannel] = await Promise.all([
        groups.choicesForCommand({ triggerId: trigger_id, userId: user_id, kind: kind ?? "group" }),
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
          kind: kind ?? "group",
          defaultChannel,
          initialText: text.slice(0, MAX_TEXT_LENGTH),
        }),
      });
    } catch (error) {
      logger.error("opening the group modal failed", error);
    }
  });
}
