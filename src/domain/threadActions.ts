import { MAX_GROUP_CONTACTS, MAX_GROUP_NAME_LENGTH } from "./participants";
import { formatPhone } from "./phone";

/** What a teammate can do to a conversation from its thread root's menu. */
export const THREAD_ACTIONS = ["rename", "participants", "close", "reopen", "assign", "take"] as const;
export type ThreadAction = (typeof THREAD_ACTIONS)[number];

export interface Actor {
  userId: string;
  /** A Reply-All admin (workspace owner or admin, or added in the Home tab). */
  admin: boolean;
  /** Member of the channel that holds the conversation's thread, as Slack says now. */
  inChannel: boolean;
}

export type Permission = { ok: true } | { ok: false; reason: string };

/**
 * Who may act on a conversation. The thread lives in a channel, and whoever can read it may work
 * it: rename, change participants, close, reopen, take it or assign it while it is unassigned (or
 * hand on their own). Taking a conversation away from the teammate who holds it is for that
 * teammate or an admin, so ownership is never silently lost. Nobody outside the channel, admins
 * included, acts on a thread they cannot see.
 */
export function mayAct(
  action: ThreadAction,
  actor: Actor,
  conversation: { assignee: string | null },
  /** For "assign": who it goes to (null: nobody). */
  target?: string | null,
): Permission {
  if (!actor.inChannel)
    return {
      ok: false,
      reason:
        "Only members of this conversation's channel can act on it. Join the channel first, or ask someone in it.",
    };
  if (action !== "assign" && action !== "take") return { ok: true };
  const holder = conversation.assignee;
  const next = action === "take" ? actor.userId : (target ?? null);
  if (holder === null || holder === actor.userId || holder === next || actor.admin) return { ok: true };
  return {
    ok: false,
    reason:
      "This conversation is assigned to someone else. Only they or a Reply-All admin can assign it to another teammate.",
  };
}

/** An optional group name: blank clears it. */
export function parseGroupName(
  raw: string,
): { ok: true; name: string | null } | { ok: false; error: string } {
  const name = raw.replace(/\s+/g, " ").trim();
  if (name.length > MAX_GROUP_NAME_LENGTH)
    return { ok: false, error: `A group name can be at most ${MAX_GROUP_NAME_LENGTH} characters.` };
  return { ok: true, name: name || null };
}

export type ParticipantPlan =
  | { ok: true; next: string[]; added: string[]; removed: string[] }
  | { ok: false; error: string };

/**
 * The participant set after adding and removing numbers (E.164). A set of more than one contact is
 * a group MMS, so it needs a group-enabled line; nobody who opted out of the line is added; the
 * group keeps at least one contact and at most MAX_GROUP_CONTACTS.
 */
export function planParticipants(input: {
  current: readonly string[];
  keep: readonly string[];
  add: readonly string[];
  groupEnabled: boolean;
  optedOut: ReadonlySet<string>;
}): ParticipantPlan {
  const current = new Set(input.current);
  const kept = input.current.filter((n) => input.keep.includes(n));
  const added = [...new Set(input.add)].filter((n) => !current.has(n));
  const removed = input.current.filter((n) => !kept.includes(n));
  const next = [...kept, ...added];
  const refused = added.filter((n) => input.optedOut.has(n));
  if (refused.length)
    return {
      ok: false,
      error: `${refused.map(formatPhone).join(", ")} opted out of texts from this line and cannot be added until they text START.`,
    };
  if (added.length === 0 && removed.length === 0)
    return { ok: false, error: "Nothing changed: add a number or untick someone to remove them." };
  if (next.length === 0) return { ok: false, error: "A conversation needs at least one contact." };
  if (next.length > MAX_GROUP_CONTACTS)
    return {
      ok: false,
      error: `A group text can include at most ${MAX_GROUP_CONTACTS} contacts. This would have ${next.length}.`,
    };
  if (next.length > 1 && !input.groupEnabled)
    return { ok: false, error: "This line is not enabled for group texts, so it can text one contact only." };
  return { ok: true, next, added, removed };
}
