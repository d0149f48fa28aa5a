import type { App, ViewResponseAction } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import { z } from "zod";
import type { Logger } from "../../logger";
import type { AdminService } from "../../services/admins";
import type { ConsentAdminService } from "../../services/consentAdmin";
import type { ContactService } from "../../services/contacts";
import type { InteractionReceipts } from "../../services/interactions";
import type { LineService } from "../../services/lines";
import type { SettingsService } from "../../services/settings";
import type { HomePublisher } from "../homePublisher";
import { type FormMetadata, parseFormMetadata } from "../views/form";
import { type HomeState, parseHomeState } from "../views/homeState";
import type { Notice } from "../views/kit";
import { mrkdwn, type SlackText, slackText } from "../views/text";

/** What the Home tab's listeners use. */
export interface HomeDeps {
  admins: AdminService;
  /** Modal submissions already acted on: a replayed one changes nothing. */
  interactions: InteractionReceipts;
  lines: LineService;
  contacts: ContactService;
  consentAdmin: ConsentAdminService;
  settings: SettingsService;
  home: HomePublisher;
  logger: Logger;
  /**
   * Downloads a file from Slack (url_private) with the bot token, at most `maxBytes`; throws
   * FileRefused when the link is not Slack's or the file is too large.
   */
  downloadFile(
    file: { id: string; name: string; mimetype: string; size: number; url: string },
    maxBytes: number,
  ): Promise<Buffer>;
}

export const REFUSED =
  "Only Reply-All admins can do that. Workspace owners and admins are admins; they can add others in the Home tab's Settings.";

const option = z.object({ value: z.string().max(2000) });

const actionSchema = z.object({
  action_id: z.string(),
  value: z.string().max(2000).optional(),
  selected_option: option.nullish(),
  selected_options: z.array(option).nullish(),
  selected_user: z.string().nullish(),
  action_ts: z.string().max(64).optional(),
});

const stateValue = z
  .object({
    type: z.string().optional(),
    value: z.string().nullish(),
    selected_option: option.nullish(),
    selected_options: z.array(option).nullish(),
    selected_conversation: z.string().nullish(),
    selected_user: z.string().nullish(),
    files: z.array(z.object({ id: z.string() }).passthrough()).nullish(),
  })
  .passthrough();

const stateSchema = z
  .object({ values: z.record(z.string(), z.record(z.string(), stateValue)) })
  .catch({ values: {} });

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
      state: stateSchema.optional(),
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

/** The values of a submitted (or interacted-with) view, found by field name. */
export class FormValues {
  constructor(
    private readonly values: Record<string, Record<string, z.infer<typeof stateValue>>>,
    private readonly blocks: { block_id?: string | undefined; type?: string | undefined }[] = [],
  ) {}

  private entry(field: string) {
    for (const [blockId, actions] of Object.entries(this.values)) {
      if (blockId === field || blockId.startsWith(`${field}.`)) return actions[field];
    }
    return undefined;
  }

  text(field: string): string {
    return this.entry(field)?.value ?? "";
  }

  selected(field: string): string | null {
    return this.entry(field)?.selected_option?.value ?? null;
  }

  checked(field: string): string[] {
    return (this.entry(field)?.selected_options ?? []).map((o) => o.value);
  }

  conversation(field: string): string | null {
    return this.entry(field)?.selected_conversation ?? null;
  }

  fileIds(field: string): string[] {
    return (this.entry(field)?.files ?? []).map((f) => f.id);
  }

  /** The input block a field is in, as the view has it now. */
  blockId(field: string): string | undefined {
    return this.inputs().find((id) => id === field || id.startsWith(`${field}.`));
  }

  inputs(): string[] {
    return this.blocks.filter((b) => b.type === "input" && b.block_id).map((b) => b.block_id as string);
  }

  /** Errors keyed by the view's block ids; a field the view does not show lands on `fallback`. */
  errors(errors: Record<string, string | undefined>, fallback: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [field, message] of Object.entries(errors)) {
      if (!message) continue;
      const block = this.blockId(field) ?? this.blockId(fallback) ?? this.inputs()[0];
      if (!block) continue;
      out[block] = out[block] ? `${out[block]} ${message}` : message;
    }
    return out;
  }
}

type ActionHandler = (action: HomeAction, client: WebClient) => Promise<void>;

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
    const parsed = blockActionsSchema.safeParse(body);
    if (!parsed.success) {
      deps.logger.warn({ issues: parsed.error.issues.slice(0, 5) }, "Home action did not parse");
      return;
    }
    const { user, trigger_id, actions, view } = parsed.data;
    const [action] = actions;
    if (!action) return;
    const metadata = view && view.type === "modal" ? parseFormMetadata(view.private_metadata) : null;
    const home =
      view?.type === "home"
        ? parseHomeState(view.private_metadata)
        : (metadata?.home ?? deps.home.lastState(user.id));
    const homeAction: HomeAction = {
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
    if (!(await deps.admins.isAdmin(user.id))) {
      deps.logger.warn(
        { userId: user.id, actionId: action.action_id },
        "refused a Home admin action from a non-admin",
      );
      await deps.home.publish(user.id, undefined, notice("error", slackText(REFUSED)));
      return;
    }
    // Slack gives every action its own trigger: one sent again changes nothing (replaying "make
    // X an admin" after X was removed would otherwise make X an admin again).
    const replayKey = trigger_id ?? action.action_ts;
    try {
      if (
        replayKey &&
        !(await deps.interactions.claim({ kind: "block_actions", id: replayKey, userId: user.id }))
      ) {
        deps.logger.warn(
          { userId: user.id, actionId: action.action_id },
          "a Home action came again; ignored",
        );
        return;
      }
      await handler(homeAction, client);
    } catch (error) {
      deps.logger.error({ err: error, actionId: action.action_id }, "Home action failed");
      await deps.home.publish(user.id, home, notice("error", mrkdwn`That did not work; please try again.`));
    }
  });
}

/** Slack's own cap on a plain_text_input: anything longer was not typed into the form. */
const MAX_SUBMITTED_TEXT = 3000;

const submissionSchema = z.object({
  id: z.string().regex(/^V[A-Z0-9]{1,30}$/),
  hash: z.string().optional(),
  private_metadata: z.string(),
  state: stateSchema,
  blocks: z
    .array(z.object({ block_id: z.string().optional(), type: z.string().optional() }).passthrough())
    .default([]),
});

export interface HomeSubmission {
  userId: string;
  viewId: string;
  metadata: FormMetadata;
  form: FormValues;
  /**
   * Answers Slack. By default an answer that closes the modal means the submission took effect;
   * errors or a form shown again mean it did not, and the same view may be submitted again.
   */
  ack(response?: ViewResponseAction, outcome?: { tookEffect: boolean }): Promise<void>;
}

/**
 * A modal submission only admins may make, checked on the submission itself: a non-admin's
 * (forged) submission is answered with an inline error and changes nothing.
 */
export function onAdminView(
  app: App,
  deps: HomeDeps,
  callbackId: string,
  handler: (submission: HomeSubmission, client: WebClient) => Promise<void>,
): void {
  app.view({ type: "view_submission", callback_id: callbackId }, async ({ ack, body, view, client }) => {
    const parsed = submissionSchema.safeParse(view);
    const form = new FormValues(parsed.data?.state.values ?? {}, parsed.data?.blocks ?? []);
    const firstInput = form.inputs()[0];
    const refuse = async (message: string) => {
      if (firstInput) await ack({ response_action: "errors", errors: { [firstInput]: message } });
      else await ack();
    };
    const metadata = parsed.success ? parseFormMetadata(parsed.data.private_metadata) : null;
    if (!parsed.success || !metadata) {
      deps.logger.warn({ callbackId }, "Home modal submission did not parse");
      await refuse("Something went wrong reading this form; please close it and try again.");
      return;
    }
    if (!(await deps.admins.isAdmin(body.user.id))) {
      deps.logger.warn(
        { userId: body.user.id, callbackId },
        "refused a Home modal submission from a non-admin",
      );
      await refuse(REFUSED);
      return;
    }
    const overlong = Object.entries(parsed.data.state.values).find(([, actions]) =>
      Object.values(actions).some((a) => (a.value?.length ?? 0) > MAX_SUBMITTED_TEXT),
    );
    if (overlong) {
      await ack({
        response_action: "errors",
        errors: { [overlong[0]]: `At most ${MAX_SUBMITTED_TEXT} characters.` },
      });
      return;
    }
    const interaction = { kind: "view_submission", id: parsed.data.id, userId: body.user.id } as const;
    let claimed: boolean;
    try {
      claimed = await deps.interactions.claim(interaction);
    } catch (error) {
      deps.logger.error({ err: error, callbackId }, "could not record a Home modal submission");
      await refuse("That did not work; please try again.");
      return;
    }
    if (!claimed) {
      deps.logger.warn({ userId: body.user.id, callbackId }, "a Home modal submission came again; ignored");
      await ack();
      return;
    }
    let acked = false;
    const submission: HomeSubmission = {
      userId: body.user.id,
      viewId: parsed.data.id,
      metadata,
      form,
      async ack(response, outcome) {
        const tookEffect = outcome?.tookEffect ?? response === undefined;
        if (!tookEffect) {
          // Slack must be answered even so; the form then cannot be sent again (it closes).
          await deps.interactions.release(interaction).catch((error: unknown) => {
            deps.logger.warn({ err: error, callbackId }, "could not release a Home modal submission");
          });
        }
        acked = true;
        await (response ? ack(response) : ack());
      },
    };
    try {
      await handler(submission, client);
    } catch (error) {
      deps.logger.error({ err: error, callbackId }, "Home modal submission failed");
      if (!acked) {
        await deps.interactions.release(interaction).catch(() => undefined);
        await refuse("That did not work; please try again.");
      }
    }
  });
}

/** Opens a modal from an action, logging (not throwing) when Slack refuses. */
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

/** A line atop the Home tab; its text is built with `mrkdwn`, so outside values arrive escaped. */
export function notice(tone: Notice["tone"], text: SlackText): Notice {
  return { tone, text };
}
