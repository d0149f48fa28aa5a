import type { WebClient } from "@slack/web-api";
import type { Logger } from "../logger";
import type { SlackFile, ThreadPublisher } from "../services/ports";
import { createSlackFileFetcher, slackFileOrigins } from "./fileDownload";
import { escapeMrkdwn } from "./views/text";
import { threadEntryMessage } from "./views/threadEntry";
import { threadRootBlocks, threadRootText } from "./views/threadRoot";

/** ThreadPublisher on the Slack Web API. Rate limits (429 Retry-After) are honoured by WebClient. */
export function createSlackPublisher(
  client: WebClient,
  botToken: string,
  logger: Logger,
  fetchFile: typeof fetch = fetch,
): ThreadPublisher {
  const files = createSlackFileFetcher({
    botToken,
    origins: slackFileOrigins(client.slackApiUrl),
    fetch: fetchFile,
  });
  return {
    async postRoot(channel, root) {
      const result = await client.chat.postMessage({
        channel,
        text: threadRootText(root),
        blocks: threadRootBlocks(root),
        unfurl_links: false,
      });
      if (!result.ts) throw new Error("chat.postMessage returned no ts");
      return result.ts;
    },

    async updateRoot(channel, ts, root) {
      await client.chat.update({ channel, ts, text: threadRootText(root), blocks: threadRootBlocks(root) });
    },

    async postEntry(channel, threadTs, entry) {
      const message = threadEntryMessage(entry);
      const result = await client.chat.postMessage({
        channel,
        thread_ts: threadTs,
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks } : {}),
        ...(message.username ? { username: message.username } : {}),
        ...(message.icon_emoji ? { icon_emoji: message.icon_emoji } : {}),
        unfurl_links: false,
        unfurl_media: false,
      });
      if (!result.ts) throw new Error("chat.postMessage returned no ts");
      return result.ts;
    },

    async uploadFiles(channel, threadTs, files, comment) {
      await client.filesUploadV2({
        channel_id: channel,
        thread_ts: threadTs,
        initial_comment: escapeMrkdwn(comment),
        file_uploads: files.map((f) => ({ file: f.bytes, filename: f.filename })),
      });
    },

    async notifyUser(channel, user, text, threadTs) {
      try {
        await client.chat.postEphemeral({
          channel,
          user,
          text,
          ...(threadTs ? { thread_ts: threadTs } : {}),
        });
      } catch (error) {
        // The app may not be in that channel (a DM, say): fall back to a direct message.
        logger.debug({ err: error }, "ephemeral failed; sending a DM instead");
        await client.chat.postMessage({ channel: user, text });
      }
    },

    async permalink(channel, ts) {
      try {
        const result = await client.chat.getPermalink({ channel, message_ts: ts });
        return result.permalink ?? null;
      } catch {
        return null;
      }
    },

    async react(channel, ts, emoji) {
      try {
        await client.reactions.add({ channel, timestamp: ts, name: emoji });
      } catch (error) {
        if (!String(error).includes("already_reacted")) throw error;
      }
    },

    isSlackFileUrl: (url) => files.allows(url),

    downloadFile: (file: SlackFile, maxBytes: number) => files.download(file.url, maxBytes),
  };
}
