/** chat.*: messages the app posts, updates and links to, checked against Slack's block limits. */
import { imageBlockProblem } from "./files";
import { MAX_MESSAGE_BLOCKS, validateBlocks } from "./limits";
import { channelMessages, type MethodTable, newTs, type SlackState } from "./state";
import {
  APP_ID,
  BOT_ID,
  BOT_USER_ID,
  SlackApiError,
  type StoredMessage,
  TEAM_DOMAIN,
  TEAM_ID,
} from "./types";
import type { Json } from "./wire";
import { requireStr, str } from "./wire";

function checkBlocks(s: SlackState, blocks: unknown): void {
  const problem = validateBlocks(blocks, MAX_MESSAGE_BLOCKS, "blocks") ?? imageBlockProblem(s, blocks);
  if (problem)
    throw new SlackApiError("invalid_blocks", { response_metadata: { messages: [`[ERROR] ${problem}`] } });
}

function postMessageLike(s: SlackState, args: Json, kind: "message" | "ephemeral"): StoredMessage {
  const channel = requireStr(args, "channel", "channel_not_found");
  const text = str(args, "text") ?? "";
  if (text === "" && args.blocks === undefined && args.attachments === undefined)
    throw new SlackApiError("no_text");
  checkBlocks(s, args.blocks);
  const ts = newTs(s);
  const message: StoredMessage = {
    channel,
    ts,
    type: "message",
    text,
    user: BOT_USER_ID,
    bot_id: BOT_ID,
    app_id: APP_ID,
    team: TEAM_ID,
    bot_profile: { id: BOT_ID, app_id: APP_ID, name: "Reply-All Texts", deleted: false, team_id: TEAM_ID },
  };
  for (const key of ["blocks", "attachments", "thread_ts", "username", "metadata", "reply_broadcast"]) {
    if (args[key] !== undefined) message[key] = args[key];
  }
  if (args.icon_url !== undefined || args.icon_emoji !== undefined) {
    message.icons = { image_48: args.icon_url, emoji: args.icon_emoji };
  }
  if (kind === "message") channelMessages(s, channel).set(ts, message);
  else s.ephemerals.push({ ...message, ...(typeof args.user === "string" ? { to: args.user } : {}) });
  return message;
}

/** As Slack: only the app's own messages can be changed by it. */
function findOwnMessage(s: SlackState, args: Json): StoredMessage {
  const channel = requireStr(args, "channel", "channel_not_found");
  const ts = requireStr(args, "ts", "message_not_found");
  const message = s.messages.get(channel)?.get(ts);
  if (!message) throw new SlackApiError("message_not_found");
  if (message.user !== BOT_USER_ID) throw new SlackApiError("cant_update_message");
  return message;
}

function postMessage(s: SlackState, args: Json): Json {
  const message = postMessageLike(s, args, "message");
  const { channel, ...rest } = message;
  return { channel, ts: message.ts, message: rest };
}

function postEphemeral(s: SlackState, args: Json): Json {
  requireStr(args, "user", "user_not_in_channel");
  return { message_ts: postMessageLike(s, args, "ephemeral").ts };
}

function update(s: SlackState, args: Json): Json {
  const message = findOwnMessage(s, args);
  checkBlocks(s, args.blocks);
  for (const key of ["text", "blocks", "attachments", "metadata"]) {
    if (args[key] !== undefined) message[key] = args[key];
  }
  message.edited = { user: BOT_USER_ID, ts: newTs(s) };
  const { channel, ...rest } = message;
  return { channel, ts: message.ts, text: message.text, message: rest };
}

function getPermalink(args: Json): Json {
  const channel = requireStr(args, "channel", "channel_not_found");
  const ts = requireStr(args, "message_ts", "message_not_found");
  return {
    channel,
    permalink: `https://${TEAM_DOMAIN}.slack.com/archives/${channel}/p${ts.replace(".", "")}`,
  };
}

export function chatMethods(s: SlackState): MethodTable {
  return {
    "chat.postMessage": (args) => postMessage(s, args),
    "chat.postEphemeral": (args) => postEphemeral(s, args),
    "chat.update": (args) => update(s, args),
    "chat.getPermalink": getPermalink,
  };
}

/** A message as if posted before the test; `user` defaults to the bot. */
export function seedMessage(
  s: SlackState,
  input: { channel: string; ts: string; text?: string; user?: string; thread_ts?: string },
): void {
  const { channel, ts, text, user, thread_ts } = input;
  const message: StoredMessage = {
    channel,
    ts,
    type: "message",
    text: text ?? "",
    user: user ?? BOT_USER_ID,
    team: TEAM_ID,
  };
  if (message.user === BOT_USER_ID) message.bot_id = BOT_ID;
  if (thread_ts !== undefined) message.thread_ts = thread_ts;
  channelMessages(s, channel).set(ts, message);
}

/** A message typed by a person in Slack's client (not by the app). */
export function postAsUser(
  s: SlackState,
  input: { channel: string; user: string; text: string; threadTs?: string; files?: unknown[] },
): StoredMessage {
  const { channel, user, text, threadTs, files } = input;
  const ts = newTs(s);
  const message: StoredMessage = { channel, ts, type: "message", text, user, team: TEAM_ID };
  if (threadTs !== undefined) message.thread_ts = threadTs;
  if (files !== undefined && files.length > 0) {
    message.subtype = "file_share";
    message.files = files;
  }
  channelMessages(s, channel).set(ts, message);
  return message;
}
