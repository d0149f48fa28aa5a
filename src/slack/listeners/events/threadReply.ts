import type { App } from "@slack/bolt";
import { z } from "zod";
import type { OutboundService } from "../../../services/outbound";

// Only what a teammate typed in a thread: no bots (the app's own posts included), no edits or
// deletions (those carry a subtype), no top-level channel messages.
const threadReply = z.object({
  type: z.literal("message"),
  subtype: z.enum(["file_share", "thread_broadcast"]).optional(),
  channel: z.string(),
  user: z.string(),
  text: z.string().default(""),
  files: z
    .array(
      z.object({
        id: z.string(),
        name: z.string().default("file"),
        mimetype: z.string().default("application/octet-stream"),
        size: z.number().default(0),
        url_private_download: z.string().optional(),
        url_private: z.string().optional(),
      }),
    )
    .default([]),
  ts: z.string(),
  thread_ts: z.string(),
  bot_id: z.undefined().optional(),
});

export function register(app: App, outbound: OutboundService): void {
  app.event("message", async ({ event, logger }) => {
    const parsed = threadReply.safeParse(event);
    if (!parsed.success || parsed.data.thread_ts === parsed.data.ts) return;
    const reply = parsed.data;
    const outcome = await outbound.receiveThreadReply({
      channelId: reply.channel,
      threadTs: reply.thread_ts,
      ts: reply.ts,
      userId: reply.user,
      text: reply.text,
      files: reply.files.flatMap((f) => {
        const url = f.url_private_download ?? f.url_private;
        return url ? [{ id: f.id, name: f.name, mimetype: f.mimetype, size: f.size, url }] : [];
      }),
    });
    logger.debug(`thread reply ${outcome}`);
  });
}
