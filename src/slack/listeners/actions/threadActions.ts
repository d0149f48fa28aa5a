import type { App } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import { z } from "zod";
import { THREAD_ACTIONS } from "../../../domain/threadActions";
import type { Logger } from "../../../logger";
import type { ThreadActionService } from "../../../services/threadActions";
import { slackChannelId, slackUserId } from "../../modalOrigin";
import { encodeThreadModalOrigin } from "../../threadModalOrigin";
import { assignModalView, participantsModalView, renameModalView } from "../../views/threadModals";
import { THREAD_ACTIONS_MENU } from "../../views/threadRoot";

const menuClick = z.object({
  user: z.object({ id: slackUserId }),
  trigger_id: z.string().min(1).max(200),
  channel: z.object({ id: slackChannelId }),
  container: z.object({ message_ts: z.string().regex(/^\d{1,12}\.\d{1,8}$/) }),
  actions: z
    .array(
      z.object({
        action_id: z.literal(THREAD_ACTIONS_MENU),
        selected_option: z.object({ value: z.enum(THREAD_ACTIONS) }),
      }),
    )
    .length(1),
});

/** Said privately in the thread: nobody else needs to see a refusal. */
async function tell(
  client: WebClient,
  logger: Logger,
  channel: string,
  user: string,
  rootTs: string,
  text: string,
) {
  await client.chat
    .postEphemeral({ channel, user, thread_ts: rootTs, text })
    .catch((error: unknown) => logger.warn({ err: error }, "thread action: could not answer privately"));
}

/**
 * The thread root's menu. The conversation is the one whose root the click came from; what may be
 * done is decided by the service (channel membership, admin rules), whatever the menu showed.
 * Rename, participants and assign open a modal (within the trigger's 3 s); close, reopen and take
 * apply at once, once per click (its trigger id).
 */
export function register(
  app: App,
  actions: ThreadActionService,
  signingSecret: string,
  logger: Logger,
): void {
  app.action(THREAD_ACTIONS_MENU, async ({ ack, body, client }) => {
    await ack();
    const parsed = menuClick.safeParse(body);
    if (!parsed.success) {
      logger.warn({ issues: parsed.error.issues.slice(0, 5) }, "thread action did not parse");
      return;
    }
    const { user, channel, container, trigger_id } = parsed.data;
    const action = parsed.data.actions[0]?.selected_option.value;
    if (!action) return;
    const rootTs = container.message_ts;
    const answer = (text: string) => tell(client, logger, channel.id, user.id, rootTs, text);
    const conversationId = await actions.find(channel.id, rootTs);
    if (!conversationId) {
      await answer("This message is not a Reply-All conversation's thread.");
      return;
    }
    if (action === "rename" || action === "participants" || action === "assign") {
      const checked = await actions.check(conversationId, user.id, action);
      if (!checked.ok) {
        logger.warn({ userId: user.id, action }, "thread action refused");
        await answer(checked.reason);
        return;
      }
      const metadata = encodeThreadModalOrigin(signingSecret, { conversationId, userId: user.id });
      const view =
        action === "rename"
          ? renameModalView(checked.form, metadata)
          : action === "participants"
            ? participantsModalView(checked.form, metadata)
            : assignModalView(checked.form, metadata);
      await client.views
        .open({ trigger_id, view })
        .catch((error: unknown) => logger.warn({ err: error, action }, "thread action: modal not opened"));
      return;
    }
    const change = action === "take" ? { kind: "take" as const } : { kind: action };
    const result = await actions.apply(
      conversationId,
      user.id,
      { kind: "block_actions", id: trigger_id, userId: user.id },
      change,
    );
    switch (result.status) {
      case "done":
        return;
      case "replay":
        logger.warn({ userId: user.id, action }, "a thread action came again; ignored");
        return;
      case "refused":
        logger.warn({ userId: user.id, action }, "thread action refused");
        await answer(result.reason);
        return;
      case "invalid":
        await answer(result.error);
        return;
      case "unchanged":
        await answer(result.reason);
        return;
      case "missing":
        await answer("This conversation no longer exists.");
    }
  });
}
