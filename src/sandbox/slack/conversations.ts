/** conversations.*: channels the app checks and joins, a DM it opens, and threads it reads back. */
import type { MethodTable, SlackState } from "./state";
import { type FakeChannel, SlackApiError, type StoredMessage, TEAM_ID } from "./types";
import { type Json, requireStr, str } from "./wire";

const byTs = (a: StoredMessage, b: StoredMessage): number => Number(a.ts) - Number(b.ts);

/** A channel the test named, or one synthesized for any plausible id (C... public, G... private). */
function knownChannel(s: SlackState, id: string, plausible = /^[CG][A-Z0-9]+$/): FakeChannel {
  const known = s.channels.get(id);
  if (!known && !plausible.test(id)) throw new SlackApiError("channel_not_found");
  return known ?? {};
}

/** oldest/latest (exclusive unless inclusive), limit and an offset cursor, as Slack pages. */
function pageOfMessages(list: StoredMessage[], args: Json): Json {
  const oldest = Number(str(args, "oldest") ?? "0");
  const latest = Number(str(args, "latest") ?? "Infinity");
  const inclusive = String(args.inclusive) === "true" || args.inclusive === true;
  const withMetadata = String(args.include_all_metadata) === "true" || args.include_all_metadata === true;
  const inRange = list.filter((m) => {
    const t = Number(m.ts);
    return inclusive ? t >= oldest && t <= latest : t > oldest && t < latest;
  });
  const start = Number(str(args, "cursor") ?? "0") || 0;
  const limit = Math.min(1000, Math.max(1, Number(str(args, "limit") ?? "100") || 100));
  const page = inRange
    .slice(start, start + limit)
    .map(({ channel: _channel, metadata, ...rest }) =>
      withMetadata && metadata !== undefined ? { ...rest, metadata } : rest,
    );
  const more = start + limit < inRange.length;
  return {
    messages: page,
    has_more: more,
    response_metadata: { next_cursor: more ? String(start + limit) : "" },
  };
}

function info(s: SlackState, args: Json): Json {
  const id = requireStr(args, "channel", "channel_not_found");
  const c = knownChannel(s, id);
  const isPrivate = c.is_private ?? id.startsWith("G");
  return {
    channel: {
      id,
      name: c.name ?? id.toLowerCase(),
      is_channel: !isPrivate,
      is_group: false,
      is_im: false,
      is_mpim: false,
      is_private: isPrivate,
      is_archived: c.is_archived ?? false,
      is_general: false,
      is_member: c.is_member ?? true,
      is_ext_shared: false,
      is_shared: false,
      is_org_shared: false,
      context_team_id: TEAM_ID,
      created: 1_700_000_000,
      creator: "UCREATOR",
      topic: { value: "", creator: "", last_set: 0 },
      purpose: { value: "", creator: "", last_set: 0 },
    },
  };
}

function members(s: SlackState, args: Json): Json {
  const id = requireStr(args, "channel", "channel_not_found");
  const c = knownChannel(s, id);
  return { members: c.members ?? [], response_metadata: { next_cursor: "" } };
}

/** As Slack: a bot joins public channels only (channels:join); a private one needs an invitation. */
function join(s: SlackState, args: Json): Json {
  const id = requireStr(args, "channel", "channel_not_found");
  const c = knownChannel(s, id, /^C[A-Z0-9]+$/);
  if (c.is_private ?? id.startsWith("G")) throw new SlackApiError("method_not_supported_for_channel_type");
  if (c.is_archived) throw new SlackApiError("is_archived");
  s.channels.set(id, { ...c, is_member: true });
  return { channel: { id, name: c.name ?? id.toLowerCase(), is_channel: true, is_member: true } };
}

/** The app's direct message with one person: `D` and the user id without its `U` (UADMIN → DADMIN). */
export function dmChannelOf(userId: string): string {
  return `D${userId.slice(1)}`;
}

function open(args: Json): Json {
  const user = requireStr(args, "users", "users_list_not_supplied");
  if (!/^[UW][A-Z0-9]+$/.test(user)) throw new SlackApiError("user_not_found");
  return { channel: { id: dmChannelOf(user) } };
}

/**
 * A thread: its parent first, then replies oldest first. Message metadata is returned only with
 * include_all_metadata, so a caller relying on it must ask for it.
 */
function replies(s: SlackState, args: Json): Json {
  const channel = requireStr(args, "channel", "channel_not_found");
  const ts = requireStr(args, "ts", "thread_not_found");
  const all = [...(s.messages.get(channel)?.values() ?? [])];
  const parent = all.find((m) => m.ts === ts);
  if (!parent) throw new SlackApiError("thread_not_found");
  const thread = [parent, ...all.filter((m) => m.thread_ts === ts && m.ts !== ts).sort(byTs)];
  return pageOfMessages(thread, args);
}

/** Top-level messages of a channel, newest first. */
function history(s: SlackState, args: Json): Json {
  const channel = requireStr(args, "channel", "channel_not_found");
  const top = [...(s.messages.get(channel)?.values() ?? [])]
    .filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts)
    .sort((a, b) => byTs(b, a));
  return pageOfMessages(top, args);
}

export function conversationMethods(s: SlackState): MethodTable {
  return {
    "conversations.info": (args) => info(s, args),
    "conversations.members": (args) => members(s, args),
    "conversations.join": (args) => join(s, args),
    "conversations.open": open,
    "conversations.replies": (args) => replies(s, args),
    "conversations.history": (args) => history(s, args),
  };
}
