import { ErrorCode, type WebClient } from "@slack/web-api";
import { z } from "zod";
import type { Logger } from "../logger";
import { type SlackFile, SlackRateLimited, SlackRefused, type ThreadPublisher } from "../services/ports";
import { createSlackFileFetcher, slackFileOrigins } from "./fileDownload";
import { escapeMrkdwn } from "./views/text";
import { threadEntryMessage } from "./views/threadEntry";
import { threadRootBlocks, threadRootText } from "./views/threadRoot";

/**
 * Every post carries the identity of what it shows in Slack's message metadata, so a post whose
 * outcome the app did not learn (a crash, a timeout) can be found in the channel and adopted
 * instead of being posted twice.
 */
const ENTRY_EVENT = "reply_all_entry";
const ROOT_EVENT = "reply_all_thread";

function slackErrorCode(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | null)?.data;
  return typeof data?.error === "string" ? data.error : undefined;
}

const postedEntrySchema = z.object({
  ts: z.string(),
  metadata: z.object({ event_type: z.string(), event_payload: z.object({ entry_id: z.string() }) }),
});
const postedRootSchema = z.object({
  ts: z.string(),
  metadata: z.object({ event_type: z.string(), event_payload: z.object({ conversation_id: z.string() }) }),
});

/** What filesUploadV2 returns: one files.completeUploadExternal answer per destination. */
const completedUploadsSchema = z.object({
  files: z.array(z.object({ files: z.array(z.object({ id: z.string().min(1) })) })),
});

const fileInfoSchema = z.object({ file: z.object({ mimetype: z.string() }) });
/** About 6 s in all: Slack usually finishes a picture within a second. */
const PROCESSING_PAUSES_MS = [100, 200, 400, 800, 1600, 3200];

/** Slack's answers in the port's words (a 429 left to the caller, a refusal); anything else as it came. */
function portError(error: unknown): unknown {
  const { code, retryAfter } = (error ?? {}) as { code?: unknown; retryAfter?: unknown };
  if (code === ErrorCode.RateLimitedError && typeof retryAfter === "number") {
    return new SlackRateLimited(retryAfter * 1000);
  }
  if (code === ErrorCode.PlatformError) return new SlackRefused(slackErrorCode(error) ?? "unknown");
  return error;
}

function speakingPortErrors(publisher: ThreadPublisher): ThreadPublisher {
  const translated: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(publisher)) {
    if (typeof member !== "function") {
      translated[name] = member;
      continue;
    }
    translated[name] = (...args: unknown[]) => {
      try {
        const result: unknown = member(...args);
        return result instanceof Promise
          ? result.catch((error: unknown) => Promise.reject(portError(error)))
          : result;
      } catch (error) {
        throw portError(error);
      }
    };
  }
  return translated as unknown as ThreadPublisher;
}

/**
 * ThreadPublisher on the Slack Web API. Rate limits (429 Retry-After) are honoured by WebClient,
 * unless the client rejects rate-limited calls: then SlackRateLimited says how long to wait.
 */
export function createSlackPublisher(
  client: WebClient,
  botToken: string,
  logger: Logger,
  fetchFile: typeof fetch = fetch,
): ThreadPublisher {
  return speakingPortErrors(slackPublisher(client, botToken, logger, fetchFile));
}

function slackPublisher(
  client: WebClient,
  botToken: string,
  logger: Logger,
  fetchFile: typeof fetch,
): ThreadPublisher {
  const files = createSlackFileFetcher({
    botToken,
    origins: slackFileOrigins(client.slackApiUrl),
    fetch: fetchFile,
  });
  return {
    async postRoot(channel, root, conversationId) {
      const result = await client.chat.postMessage({
        channel,
        text: threadRootText(root),
        blocks: threadRootBlocks(root),
        unfurl_links: false,
        metadata: { event_type: ROOT_EVENT, event_payload: { conversation_id: conversationId } },
      });
      if (!result.ts) throw new Error("chat.postMessage returned no ts");
      return result.ts;
    },

    async updateRoot(channel, ts, root) {
      await client.chat.update({ channel, ts, text: threadRootText(root), blocks: threadRootBlocks(root) });
    },

    async postEntry(channel, threadTs, entry, entryId) {
      const message = threadEntryMessage(entry);
      const result = await client.chat.postMessage({
        channel,
        thread_ts: threadTs,
        metadata: { event_type: ENTRY_EVENT, event_payload: { entry_id: entryId } },
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

    async findEntryPosts(channel, threadTs) {
      const found = new Map<string, string>();
      let cursor: string | undefined;
      for (let page = 0; page < 50; page++) {
        const result = await client.conversations
          .replies({
            channel,
            ts: threadTs,
            include_all_metadata: true,
            limit: 200,
            ...(cursor ? { cursor } : {}),
          })
          .catch((error: unknown) => {
            // A thread whose root is gone holds no posts of ours to adopt.
            if (slackErrorCode(error) === "thread_not_found") return null;
            throw error;
          });
        if (!result) break;
        for (const message of result.messages ?? []) {
          const parsed = postedEntrySchema.safeParse(message);
          if (parsed.success && parsed.data.metadata.event_type === ENTRY_EVENT)
            found.set(parsed.data.metadata.event_payload.entry_id, parsed.data.ts);
        }
        cursor = result.response_metadata?.next_cursor || undefined;
        if (!result.has_more || !cursor) break;
      }
      return found;
    },

    async findRootPost(channel, conversationId) {
      let cursor: string | undefined;
      // Newest first: a root whose post was in doubt was made moments before, among the latest.
      for (let page = 0; page < 5; page++) {
        const result = await client.conversations.history({
          channel,
          include_all_metadata: true,
          limit: 200,
          ...(cursor ? { cursor } : {}),
        });
        for (const message of result.messages ?? []) {
          const parsed = postedRootSchema.safeParse(message);
          if (
            parsed.success &&
            parsed.data.metadata.event_type === ROOT_EVENT &&
            parsed.data.metadata.event_payload.conversation_id === conversationId
          )
            return parsed.data.ts;
        }
        cursor = result.response_metadata?.next_cursor || undefined;
        if (!result.has_more || !cursor) break;
      }
      return null;
    },

    async uploadFiles(channel, threadTs, files, comment) {
      await client.filesUploadV2({
        channel_id: channel,
        thread_ts: threadTs,
        initial_comment: escapeMrkdwn(comment),
        file_uploads: files.map((f) => ({ file: f.bytes, filename: f.filename })),
      });
    },

    async uploadPictures(pictures) {
      if (pictures.length === 0) return [];
      // No channel: files.completeUploadExternal then shares them nowhere, and a post shows them.
      const result = await client.filesUploadV2({
        file_uploads: pictures.map((p) => ({
          file: p.file.bytes,
          filename: p.file.filename,
          alt_text: p.altText,
        })),
      });
      const ids = completedUploadsSchema.parse(result).files.flatMap((c) => c.files.map((f) => f.id));
      if (ids.length !== pictures.length)
        throw new Error(`files.completeUploadExternal returned ${ids.length} of ${pictures.length} files`);
      // Slack completes an upload asynchronously, and refuses an image block naming a file it has not
      // finished (invalid_blocks): wait, boundedly, until files.info gives each file its type. Past
      // the bound the post is tried all the same; if Slack refuses it, the job tries again later.
      for (const id of ids) {
        for (const pause of PROCESSING_PAUSES_MS) {
          const info = fileInfoSchema.safeParse(await client.files.info({ file: id }).catch(() => null));
          if (info.success && info.data.file.mimetype) break;
          await new Promise((resolve) => setTimeout(resolve, pause));
        }
      }
      return ids;
    },

    async postNotice(channel, text) {
      const result = await client.chat.postMessage({ channel, text: text.markup });
      if (!result.ts) throw new Error("chat.postMessage returned no ts");
      return result.ts;
    },

    async updateNotice(channel, ts, text) {
      await client.chat.update({ channel, ts, text: text.markup });
    },

    async notifyUser(channel, user, message, threadTs) {
      const text = message.markup;
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

    async directMessage(user, message) {
      await client.chat.postMessage({ channel: user, text: message.markup, unfurl_links: false });
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
