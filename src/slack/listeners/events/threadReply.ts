import type { App } from "@slack/bolt";
import { z } from "zod";
import { slackToPlainText } from "../../../domain/slackText";
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

// A teammate's reply as it was or is now, inside an edit or a deletion event.
const replyInThread = z.object({
  ts: z.string(),
  thread_ts: z.string(),
  text: z.string().default(""),
  bot_id: z.undefined().optional(),
});

// An edit of a reply's words (Slack also sends message_changed when it adds link previews).
const replyEdited = z.object({
  type: z.literal("message"),
  subtype: z.literal("message_changed"),
  channel: z.string(),
  message: replyInThread,
  previous_message: replyInThread,
});

const replyDeleted = z.object({
  type: z.literal("message"),
  subtype: z.literal("message_deleted"),
  channel: z.string(),
  previous_message: replyInThread,
});

export function register(app: App, outbound: OutboundService): void {
  app.event("message", async ({ event, logger }) => {
    const edited = replyEdited.safeParse(event);
    if (edited.success) {
      const { message, previous_message: before } = edited.data;
      if (message.ts === message.thread_ts || message.text === before.text) return;
      const outcome = await outbound.replyChangedInSlack({
        channelId: edited.data.channel,
        threadTs: message.thread_ts,
        ts: message.ts,
        how: "edited",
      });
      logger.debug(`edited reply: ${outcome}`);
      return;
    }
    const deleted = replyDeleted.safeParse(event);
    if (deleted.success) {
      const before = deleted.data.previous_message;
      if (before.ts === before.thread_ts) return;
      const outcome = await outbound.replyChangedInSlack({
        channelId: deleted.data.channel,
        threadTs: before.thread_ts,
        ts: before.ts,
        how: "deleted",
      });
      logger.debug(`deleted reply: ${outcome}`);
      return;
    }
    const parsed = threadReply.safeParse(event);
    if (!parsed.success || parsed.data.thread_ts === parsed.data.ts) return;
    const reply = parsed.data;
    const outcome = await outbound.receiveThreadReply({
      channelId: reply.channel,
      threadTs: reply.thread_ts,
      ts: reply.ts,
      userId: reply.user,
      // Texted as the phones will show it: links as addresses, mentions by name, entities unescaped.
      text: slackToPlainText(reply.text),
      files: reply.files.flatMap((f) => {
        const url = f.url_private_download ?? f.url_private;
        return url ? [{ id: f.id, name: f.name, mimetype: f.mimetype, size: f.size, url }] : [];
      }),
    });
    logger.debug(`thread reply ${outcome}`);
  });
}
