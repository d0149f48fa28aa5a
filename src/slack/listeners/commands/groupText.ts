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

/**
 * The slash command opens the group modal; the text after the command pre-fills the message.
 * The modal remembers, signed, the channel the command was typed in: the group's thread goes there.
 */
export function register(app: App, name: string, groups: GroupStartService, signingSecret: string): void {
  app.command(name, async ({ ack, body, client, logger }) => {
    const parsed = command.safeParse(body);
    if (!parsed.success) {
      logger.warn("slash command did not parse", parsed.error.issues.slice(0, 5));
      await ack("This command could not be read here; please try it again from a channel.");
      return;
    }
    await ack();
    const { trigger_id, user_id, channel_id, text } = parsed.data;
    try {
      const choices = await groups.choicesForCommand({ triggerId: trigger_id, userId: user_id });
      if (!choices) {
        logger.warn("a slash command was sent again (same trigger_id); it opens nothing");
        return;
      }
      await client.views.open({
        trigger_id,
        view: groupModalView({
          privateMetadata: encodeModalOrigin(signingSecret, { channelId: channel_id, userId: user_id }),
          ...choices,
          initialText: text.slice(0, MAX_TEXT_LENGTH),
        }),
      });
    } catch (error) {
      logger.error("opening the group modal failed", error);
    }
  });
}
