import type { App } from "@slack/bolt";
import { z } from "zod";
import type { GroupStartService } from "../../../services/groupStart";
import { encodeModalOrigin, slackUserId } from "../../modalOrigin";
import { groupModalView } from "../../views/groupModal";

/** The global shortcut's callback id, as declared in manifest.yml. */
export const NEW_GROUP_SHORTCUT = "new_group_text";

const shortcut = z.object({
  type: z.literal("shortcut"),
  trigger_id: z.string().min(1).max(200),
  user: z.object({ id: slackUserId }),
});

/**
 * "New group text" from Slack's shortcut menu opens the group modal. It comes from no channel, so
 * the modal's channel picker starts empty and must be filled; the modal is signed for its user.
 */
export function register(app: App, groups: GroupStartService, signingSecret: string): void {
  app.shortcut(
    { callback_id: NEW_GROUP_SHORTCUT, type: "shortcut" },
    async ({ ack, body, client, logger }) => {
      await ack();
      const parsed = shortcut.safeParse(body);
      if (!parsed.success) {
        logger.warn("global shortcut did not parse", parsed.error.issues.slice(0, 5));
        return;
      }
      const { trigger_id, user } = parsed.data;
      try {
        const choices = await groups.choicesForCommand({
          triggerId: trigger_id,
          userId: user.id,
          shortcut: true,
        });
        if (!choices) {
          logger.warn("a shortcut was sent again (same trigger_id); it opens nothing");
          return;
        }
        await client.views.open({
          trigger_id,
          view: groupModalView({
            privateMetadata: encodeModalOrigin(signingSecret, { channelId: null, userId: user.id }),
            ...choices,
            defaultChannel: null,
          }),
        });
      } catch (error) {
        logger.error("opening the group modal from the shortcut failed", error);
      }
    },
  );
}
