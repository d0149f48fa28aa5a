// Drives the Home tab the way Slack does: app_home_opened, clicks in the published view, and modal
// submissions built from the view the app opened. Every request is signed like Slack's.
import type { RecordedCall } from "./fakeSlack";
import type { Harness } from "./harness";
import { appHomeOpenedEvent, blockActionsBody, eventCallbackBody, viewSubmissionBody } from "./slackRequests";

export type Block = {
  type: string;
  block_id?: string;
  text?: { type: string; text: string };
  accessory?: Record<string, unknown> & { action_id?: string };
  elements?: (Record<string, unknown> & { action_id?: string })[];
  element?: Record<string, unknown> & { action_id?: string };
  image_url?: string;
};
export type SlackView = {
  type: string;
  callback_id?: string;
  private_metadata?: string;
  blocks: Block[];
  title?: { text: string };
};

export const ADMIN = "UADMIN";
export const OWNER = "UOWNER";
export const MEMBER = "UDANA";
export const OTHER_MEMBER = "UEVAN";

export const HOME_USERS = {
  [ADMIN]: { name: "ada", is_admin: true },
  [OWNER]: { name: "otto", is_owner: true },
  [MEMBER]: { name: "dana" },
  [OTHER_MEMBER]: { name: "evan" },
};

function publishesFor(calls: readonly RecordedCall[], userId: string): RecordedCall[] {
  return calls.filter((c) => c.method === "views.publish" && !c.error && c.args.user_id === userId);
}

/** The Home view last published for a user. */
export function lastHome(h: Harness, userId: string): SlackView {
  const call = publishesFor(h.slack.calls, userId).at(-1);
  if (!call) throw new Error(`no Home view published for ${userId}`);
  return call.args.view as SlackView;
}

/** Runs `act` and waits for the next Home publish for `userId`; returns that view. */
export async function nextHome(h: Harness, userId: string, act: () => Promise<unknown>): Promise<SlackView> {
  const before = publishesFor(h.slack.calls, userId).length;
  await act();
  const calls = await h.slack.waitFor((all) => publishesFor(all, userId).length > before);
  return publishesFor(calls, userId).at(-1)?.args.view as SlackView;
}

export function openHome(h: Harness, userId: string): Promise<SlackView> {
  return nextHome(h, userId, () => h.slackRequest(eventCallbackBody({ event: appHomeOpenedEvent(userId) })));
}

/** Every interactive element of a view (those with an action_id), wherever it sits. */
export function elements(view: SlackView): (Record<string, unknown> & { action_id?: string })[] {
  return view.blocks
    .flatMap((b) => [
      ...(b.elements ?? []),
      ...(b.accessory ? [b.accessory] : []),
      ...(b.element ? [b.element] : []),
    ])
    .filter((e) => typeof e.action_id === "string");
}

export function findElement(view: SlackView, predicate: (e: Record<string, unknown>) => boolean) {
  const found = elements(view).find(predicate);
  if (!found)
    throw new Error(
      `no such element in view: ${JSON.stringify(view.blocks.map((b) => b.block_id ?? b.type))}`,
    );
  return found;
}

export function viewText(view: SlackView): string {
  return JSON.stringify(view.blocks);
}

/** A block action from the Home tab (or a modal, with `modal`), as Slack posts it. */
export function homeAction(
  h: Harness,
  userId: string,
  action: Record<string, unknown> & { action_id: string },
  from: {
    view: SlackView;
    id?: string;
    type?: "home" | "modal";
    values?: Record<string, Record<string, unknown>>;
  },
) {
  return h.slackRequest(
    blockActionsBody({
      userId,
      actions: [action],
      view: {
        type: from.type ?? "home",
        callback_id: from.view.callback_id ?? "",
        private_metadata: from.view.private_metadata ?? "",
        blocks: from.view.blocks,
        ...(from.id ? { id: from.id } : {}),
        state: { values: from.values ?? {} },
      },
    }),
  );
}

/** Runs `act` and returns the modal it opened with views.open. */
export async function nextModal(h: Harness, act: () => Promise<unknown>): Promise<SlackView> {
  const before = h.slack.callsTo("views.open").length;
  await act();
  const calls = await h.slack.waitForCalls("views.open", before + 1);
  const call = calls.at(-1);
  if (call?.error) throw new Error(`views.open failed: ${call.error}`);
  return call?.args.view as SlackView;
}

/** The input block of a field (its block id may carry a version suffix). */
export function inputBlock(view: SlackView, field: string): Block {
  const block = view.blocks.find(
    (b) => b.type === "input" && (b.block_id === field || b.block_id?.startsWith(`${field}.`)),
  );
  if (!block) throw new Error(`no input ${field} in ${view.callback_id}`);
  return block;
}

/** State values for a submission of `view`: field → the value object Slack would send. */
export function stateOf(view: SlackView, fields: Record<string, Record<string, unknown>>) {
  const values: Record<string, Record<string, unknown>> = {};
  for (const [field, value] of Object.entries(fields)) {
    const block = inputBlock(view, field);
    values[block.block_id as string] = { [field]: value };
  }
  return values;
}

export const text = (value: string | null) => ({ type: "plain_text_input", value });
export const select = (value: string | null) => ({
  type: "static_select",
  selected_option: value ? { value } : null,
});
export const checks = (...values: string[]) => ({
  type: "checkboxes",
  selected_options: values.map((value) => ({ value })),
});
export const conversation = (id: string | null) => ({
  type: "conversations_select",
  selected_conversation: id,
});

/** Submits a modal the app opened, with the given field values. */
export function submit(
  h: Harness,
  userId: string,
  view: SlackView,
  fields: Record<string, Record<string, unknown>>,
  viewId?: string,
) {
  return h.slackRequest(
    viewSubmissionBody({
      userId,
      view: {
        callback_id: view.callback_id ?? "",
        private_metadata: view.private_metadata ?? "",
        blocks: view.blocks,
        state: { values: stateOf(view, fields) },
        ...(viewId ? { id: viewId } : {}),
      },
    }),
  );
}
