import type { App } from "@slack/bolt";
import { z } from "zod";
import type { OutboundService } from "../../../services/outbound";
import { SEND_AGAIN_ACTION } from "../../views/threadEntry";

const sendAgainClick = z.object({
  user: z.object({ id: z.string().regex(/^[UW][A-Z0-9]{2,}$/) }),
  channel: z.object({ id: z.string().min(1) }),
  actions: z.array(z.object({ action_id: z.literal(SEND_AGAIN_ACTION), value: z.uuid() })).min(1),
});

/**
 * "Send again" on a text shown as not confirmed. The service decides, on the server, whether the
 * text is still waiting for that decision, so a second click (by anyone) sends nothing more.
 */
export function register(app: App, outbound: OutboundService): void {
  app.action(SEND_AGAIN_ACTION, async ({ ack, body, client, logger }) => {
    await ack();
    const parsed = sendAgainClick.safeParse(body);
    if (!parsed.success) {
      logger.warn("send again: unexpected payload");
      return;
    }
    const { user, channel, actions } = parsed.data;
    const messageId = actions[0]?.value ?? "";
    const outcome = await outbound.sendAgain(messageId, user.id);
    if (outcome === "queued") return;
    await client.chat.postEphemeral({
      channel: channel.id,
      user: user.id,
      text:
        outcome === "already-sent"
          ? "Bandwidth has since confirmed that text, or it was already sent again: nothing more was sent."
          : "That text is no longer waiting for a decision: nothing was sent.",
    });
  });
}
