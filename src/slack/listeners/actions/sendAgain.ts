import type { App } from "@slack/bolt";
import { z } from "zod";
import type { OutboundService } from "../../../services/outbound";
import { SEND_AGAIN_ACTION } from "../../views/threadEntry";

const sendAgainClick = z.object({
  user: z.object({ id: z.string().regex(/^[UW][A-Z0-9]{2,}$/) }),
  channel: z.object({ id: z.string().min(1) }),
  /** The notice itself, so that its button can be replaced by who decided. */
  message: z
    .object({
      ts: z.string(),
      text: z.string().default(""),
      blocks: z.array(z.looseObject({ type: z.string() })).default([]),
    })
    .optional(),
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
    const notice = parsed.data.message;
    if (outcome === "queued" && notice) {
      // The decision is taken: the notice says by whom instead of offering the button again.
      const blocks = [
        ...notice.blocks.filter((b) => b.type !== "actions"),
        { type: "context", elements: [{ type: "mrkdwn", text: `<@${user.id}> chose *Send again*.` }] },
      ];
      await client.chat
        .update({ channel: channel.id, ts: notice.ts, text: notice.text, blocks })
        .catch((error: unknown) =>
          logger.warn(`send again: the notice could not be updated: ${String(error)}`),
        );
      return;
    }
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
