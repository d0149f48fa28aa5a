import { ErrorCode, type WebClient } from "@slack/web-api";
import { z } from "zod";
import type { Logger } from "../logger";
import {
  type PictureUpload,
  type SlackFile,
  SlackRateLimited,
  SlackRefused,
  type ThreadEntryView,
  type ThreadPublisher,
  type ThreadRootView,
  type UploadedFile,
} from "../services/ports";
import { createSlackFileFetcher, slackFileOrigins } from "./fileDownload";
import { renderNotice } from "./views/notices";
import { escapeMrkdwn, type SlackText } from "./views/text";
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
    postRoot: (channel, root, conversationId) => postRoot(client, channel, root, conversationId),
    updateRoot: (channel, ts, root) => updateRoot(client, channel, ts, root),
    postEntry: (channel, threadTs, entry, entryId) => postEntry(client, channel, threadTs, entry, entryId),
    findEntryPosts: (channel, threadTs) => findEntryPosts(client, channel, threadTs),
    findRootPost: (channel, conversationId) => findRootPost(client, channel, conversationId),
    uploadFiles: (channel, threadTs, uploads, comment) =>
      uploadFiles(client, channel, threadTs, uploads, comment),
    uploadPictures: (pictures) => uploadPictures(client, pictures),
    postNotice: (channel, notice) => postNotice(client, channel, renderNotice(notice)),
    updateNotice: (channel, ts, notice) => updateNotice(client, channel, ts, renderNotice(notice)),
    notifyUser: (channel, user, notice, threadTs) =>
      notifyUser(client, logger, channel, user, renderNotice(notice), threadTs),
    directMessage: (user, notice) => directMessage(client, user, renderNotice(notice)),
    permalink: (channel, ts) => permalink(client, channel, ts),
    react: (channel, ts, emoji) => react(client, channel, ts, emoji),
    isSlackFileUrl: (url) => files.allows(url),
    downloadFile: (file: SlackFile, maxBytes: number) => files.download(file.url, maxBytes),
  };
}

/** A posted message's ts; Slack answers every post with one. */
function postedTs(result: { ts?: string | undefined }): string {
  if (!result.ts) throw new Error("chat.postMessage returned no ts");
  return result.ts;
}

async function postRoot(
  client: WebClient,
  channel: string,
  root: ThreadRootView,
  conversationId: string,
): Promise<string> {
  const result = await client.chat.postMessage({
    channel,
    text: threadRootText(root),
    blocks: threadRootBlocks(root),
    unfurl_links: false,
    metadata: { event_type: ROOT_EVENT, event_payload: { conversation_id: conversationId } },
  });
  return postedTs(result);
}

async function updateRoot(
  client: WebClient,
  channel: string,
  ts: string,
  root: ThreadRootView,
): Promise<void> {
  await client.chat.update({ channel, ts, text: threadRootText(root), blocks: threadRootBlocks(root) });
}

async function postEntry(
  client: WebClient,
  channel: string,
  threadTs: string,
  entry: ThreadEntryView,
  entryId: string,
): Promise<string> {
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
  return postedTs(result);
}

async function findEntryPosts(
  client: WebClient,
  channel: string,
  threadTs: string,
): Promise<Map<string, string>> {
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
}

async function findRootPost(
  client: WebClient,
  channel: string,
  conversationId: string,
): Promise<string | null> {
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
}

async function uploadFiles(
  client: WebClient,
  channel: string,
  threadTs: string,
  files: UploadedFile[],
  comment: string,
): Promise<void> {
  await client.filesUploadV2({
    channel_id: channel,
    thread_ts: threadTs,
    initial_comment: escapeMrkdwn(comment),
    file_uploads: files.map((f) => ({ file: f.bytes, filename: f.filename })),
  });
}

async function uploadPictures(client: WebClient, pictures: PictureUpload[]): Promise<string[]> {
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
  for (const id of ids) await untilProcessed(client, id);
  return ids;
}

/**
 * Slack completes an upload asynchronously, and refuses an image block naming a file it has not
 * finished (invalid_blocks): wait, boundedly, until files.info gives the file its type. Past the
 * bound the post is tried all the same; if Slack refuses it, the job tries again later.
 */
async function untilProcessed(client: WebClient, fileId: string): Promise<void> {
  for (const pause of PROCESSING_PAUSES_MS) {
    const info = fileInfoSchema.safeParse(await client.files.info({ file: fileId }).catch(() => null));
    if (info.success && info.data.file.mimetype) return;
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

async function postNotice(client: WebClient, channel: string, text: SlackText): Promise<string> {
  const result = await client.chat.postMessage({ channel, text: text.markup });
  return postedTs(result);
}

async function updateNotice(client: WebClient, channel: string, ts: string, text: SlackText): Promise<void> {
  await client.chat.update({ channel, ts, text: text.markup });
}

async function notifyUser(
  client: WebClient,
  logger: Logger,
  channel: string,
  user: string,
  message: SlackText,
  threadTs?: string,
): Promise<void> {
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
}

async function directMessage(client: WebClient, user: string, message: SlackText): Promise<void> {
  await client.chat.postMessage({ channel: user, text: message.markup, unfurl_links: false });
}

async function permalink(client: WebClient, channel: string, ts: string): Promise<string | null> {
  try {
    const result = await client.chat.getPermalink({ channel, message_ts: ts });
    return result.permalink ?? null;
  } catch {
    return null;
  }
}

async function react(client: WebClient, channel: string, ts: string, emoji: string): Promise<void> {
  try {
    await client.reactions.add({ channel, timestamp: ts, name: emoji });
  } catch (error) {
    if (!String(error).includes("already_reacted")) throw error;
  }
}
