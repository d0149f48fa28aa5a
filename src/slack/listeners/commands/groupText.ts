import type { App } from "@slack/bolt";
import type { GroupStartService } from "../../../services/groupStart";
import { groupModalView } from "../../views/groupModal";

/** The slash command opens the group modal; the text after the command pre-fills the message. */
export function register(app: App, command: string, groups: GroupStartService): void {
  app.command(command, async ({ ack, body, client, logger }) => {
    await ack();
    const choices = await groups.modalChoices();
    try {
      await client.views.open({
        trigger_id: body.trigger_id,
        view: groupModalView({ channelId: body.channel_id, ...choices, initialText: body.text }),
      });
    } catch (error) {
      logger.error("views.open failed", error);
    }
  });
}
