import type { App } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import { z } from "zod";
import { type FormMetadata, parseFormMetadata } from "../views/form";
import { type HomeState, parseHomeState } from "../views/homeState";
import { mrkdwn, slackText } from "../views/text";
import { FormValues, selectedOption, viewStateSchema } from "./formValues";
import type { HomeDeps } from "./homeDeps";
import { notice, REFUSED } from "./homeNotice";

const actionSchema = z.object({
  action_id: z.string(),
  value: z.string().max(2000).optional(),
  selected_option: selectedOption.nullish(),
  selected_options: z.array(selectedOption).nullish(),
  selected_user: z.string().nullish(),
  action_ts: z.string().max(64).optional(),
});

const blockActionsSchema = z.object({
  user: z.object({ id: z.string().min(1) }),
  trigger_id: z.string().optional(),
  actions: z.array(actionSchema).min(1),
  view: z
    .object({
      id: z.string(),
      type: z.string(),
      hash: z.string().optional(),
      private_metadata: z.string().default(""),
      state: viewStateSchema.catch({ values: {} }).optional(),
    })
    .nullish(),
});

export interface HomeAction {
  userId: string;
  triggerId: string | null;
  action: z.infer<typeof actionSchema>;
  /** The Home tab's state for actions there; a modal's metadata home state for actions in modals. */
  home: HomeState;
  view: {
    id: string;
    type: string;
    hash: string | null;
    metadata: FormMetadata | null;
    form: FormValues;
  } | null;
}

type ActionHandler = (action: HomeAction, client: WebClient) => Promise<void>;

/** A Home tab action (or an action inside a Home modal), read from Bolt's body; null when it is not one. */
export function readHomeAction(body: unknown, deps: HomeDeps): HomeAction | null {
  const parsed = blockActionsSchema.safeParse(body);
  if (!parsed.success) {
    deps.logger.warn({ issues: parsed.error.issues.slice(0, 5) }, "Home action did not parse");
    return null;
  }
  const { user, trigger_id, actions, view } = parsed.data;
  const [action] = actions;
  if (!action) return null;
  const metadata = view && view.type === "modal" ? parseFormMetadata(view.private_metadata) : null;
  const home =
    view?.type === "home"
      ? parseHomeState(view.private_metadata)
      : (metadata?.home ?? deps.home.lastState(user.id));
  return {
    userId: user.id,
    triggerId: trigger_id ?? null,
    action,
    home,
    view: view
      ? {
          id: view.id,
          type: view.type,
          hash: view.hash ?? null,
          metadata,
          form: new FormValues(view.state?.values ?? {}),
        }
      : null,
  };
}

/**
 * Whether this action was taken before. Slack gives every action its own trigger: one sent again
 * changes nothing (replaying "make X an admin" after X was removed would otherwise make X an admin
 * again).
 */
async function isReplay(deps: HomeDeps, { userId, triggerId, action }: HomeAction): Promise<boolean> {
  const replayKey = triggerId ?? action.action_ts;
  if (!replayKey) return false;
  if (await deps.interactions.claim({ kind: "block_actions", id: replayKey, userId })) return false;
  deps.logger.warn({ userId, actionId: action.action_id }, "a Home action came again; ignored");
  return true;
}

/** Runs an admin's action, once; a failure shows an error in their Home tab. */
async function runAdminAction(
  deps: HomeDeps,
  action: HomeAction,
  handler: ActionHandler,
  client: WebClient,
): Promise<void> {
  if (!(await deps.admins.isAdmin(action.userId))) {
    deps.logger.warn(
      { userId: action.userId, actionId: action.action.action_id },
      "refused a Home admin action from a non-admin",
    );
    await deps.home.publish(action.userId, undefined, notice("error", slackText(REFUSED)));
    return;
  }
  try {
    if (await isReplay(deps, action)) return;
    await handler(action, client);
  } catch (error) {
    deps.logger.error({ err: error, actionId: action.action.action_id }, "Home action failed");
    await deps.home.publish(
      action.userId,
      action.home,
      notice("error", mrkdwn`That did not work; please try again.`),
    );
  }
}

/**
 * A Home tab action only admins may take. The permission is checked here, on the action itself,
 * whatever the view showed: a non-admin's (forged) action changes nothing and gets an error in their
 * Home tab.
 */
export function onAdminAction(
  app: App,
  deps: HomeDeps,
  actionId: string | RegExp,
  handler: ActionHandler,
): void {
  app.action({ type: "block_actions", action_id: actionId }, async ({ ack, body, client }) => {
    await ack();
    const action = readHomeAction(body, deps);
    if (action) await runAdminAction(deps, action, handler, client);
  });
}

/** Opens a modal from an action; without a trigger to open it with, logs and opens nothing. */
export async function openModal(
  client: WebClient,
  deps: HomeDeps,
  action: HomeAction,
  view: Parameters<WebClient["views"]["open"]>[0]["view"],
): Promise<void> {
  if (!action.triggerId) {
    deps.logger.warn({ actionId: action.action.action_id }, "no trigger_id to open a modal with");
    return;
  }
  await client.views.open({ trigger_id: action.triggerId, view });
}
