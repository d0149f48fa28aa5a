/** views.*: modals the app opens and updates, and the Home tab it publishes. */
import { validateView } from "./limits";
import { type MethodTable, newHash, newId, type SlackState } from "./state";
import { APP_ID, BOT_ID, SlackApiError, TEAM_ID } from "./types";
import { type Json, requireStr, str } from "./wire";

function storeView(s: SlackState, view: Json, id: string, extra: Json = {}): Json {
  const stored: Json = {
    id,
    team_id: TEAM_ID,
    type: view.type,
    blocks: view.blocks ?? [],
    private_metadata: view.private_metadata ?? "",
    callback_id: view.callback_id ?? "",
    state: { values: {} },
    hash: newHash(s),
    title: view.title ?? null,
    clear_on_close: view.clear_on_close ?? false,
    notify_on_close: view.notify_on_close ?? false,
    close: view.close ?? null,
    submit: view.submit ?? null,
    previous_view_id: null,
    root_view_id: id,
    app_id: APP_ID,
    external_id: view.external_id ?? "",
    app_installed_team_id: TEAM_ID,
    bot_id: BOT_ID,
    ...extra,
  };
  s.views.set(id, stored);
  return stored;
}

/** A view replacing the one with this id keeps its place in the modal stack. */
function stackOf(existing: Json | undefined): Json {
  return existing ? { previous_view_id: existing.previous_view_id, root_view_id: existing.root_view_id } : {};
}

function checkHash(args: Json, existing: Json | undefined): void {
  const hash = str(args, "hash");
  if (hash !== undefined && existing !== undefined && existing.hash !== hash)
    throw new SlackApiError("hash_conflict");
}

/** A new modal, remembered under the trigger that opened it. */
function open(s: SlackState, args: Json): Json {
  const trigger = requireStr(args, "trigger_id", "invalid_trigger_id");
  const stored = storeView(s, validateView(args.view), newId(s, "V"));
  s.openedBy.set(trigger, String(stored.id));
  return { view: stored };
}

function update(s: SlackState, args: Json): Json {
  const view = validateView(args.view);
  const externalId = str(args, "external_id");
  let id = str(args, "view_id");
  if (id === undefined && externalId !== undefined) {
    id = [...s.views.values()].find((v) => v.external_id === externalId)?.id as string | undefined;
    if (id === undefined) throw new SlackApiError("not_found");
  }
  if (id === undefined) throw new SlackApiError("invalid_arguments");
  // Unknown view ids are accepted: tests often build interaction payloads for views the fake never opened.
  const existing = s.views.get(id);
  checkHash(args, existing);
  return { view: storeView(s, view, id, stackOf(existing)) };
}

function publish(s: SlackState, args: Json): Json {
  const userId = requireStr(args, "user_id", "invalid_arguments");
  const view = validateView(args.view);
  if (view.type !== "home") throw new SlackApiError("invalid_arguments");
  let id = s.homeViewIds.get(userId);
  if (id === undefined) {
    id = newId(s, "V");
    s.homeViewIds.set(userId, id);
  }
  checkHash(args, s.views.get(id));
  return { view: storeView(s, view, id) };
}

export function viewMethods(s: SlackState): MethodTable {
  return {
    "views.open": (args) => open(s, args),
    "views.update": (args) => update(s, args),
    "views.publish": (args) => publish(s, args),
  };
}

/**
 * Shows a view an app answered with (response_action update or push), as Slack does: `id` keeps
 * the modal's id (update), none makes a new one (push).
 */
export function showView(s: SlackState, view: unknown, id?: string): Json {
  const existing = id === undefined ? undefined : s.views.get(id);
  return storeView(s, validateView(view), id ?? newId(s, "V"), stackOf(existing));
}

export function viewOpenedBy(s: SlackState, triggerId: string): Json | undefined {
  const id = s.openedBy.get(triggerId);
  return id === undefined ? undefined : s.views.get(id);
}

export function homeViewOf(s: SlackState, userId: string): Json | undefined {
  const id = s.homeViewIds.get(userId);
  return id === undefined ? undefined : s.views.get(id);
}
