/** reactions.add: the emoji the app puts on a post (delivery marks). */
import type { MethodTable, SlackState } from "./state";
import { SlackApiError } from "./types";
import { type Json, requireStr } from "./wire";

function add(s: SlackState, args: Json): Json {
  const channel = requireStr(args, "channel", "channel_not_found");
  const ts = requireStr(args, "timestamp", "message_not_found");
  const name = requireStr(args, "name", "invalid_name");
  const key = `${channel}/${ts}/${name}`;
  if (s.reactions.has(key)) throw new SlackApiError("already_reacted");
  s.reactions.add(key);
  return {};
}

export function reactionMethods(s: SlackState): MethodTable {
  return { "reactions.add": (args) => add(s, args) };
}

/** The reaction names on one message, in the order they were added. */
export function reactionsOn(s: SlackState, channel: string, ts: string): string[] {
  return [...s.reactions]
    .filter((key) => key.startsWith(`${channel}/${ts}/`))
    .map((key) => key.split("/")[2] ?? "");
}
