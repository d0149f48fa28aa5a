import type { App } from "@slack/bolt";
import type { KnownBlock, ModalView } from "@slack/types";
import { z } from "zod";
import { parseKind } from "../../../domain/conversationKind";
import { countRecipients, modalEstimate } from "../../../domain/modalEstimate";
import { withPlainPunctuation } from "../../../domain/segments";
import type { GroupStartService } from "../../../services/groupStart";
import { slackUserId, verifyModalOrigin } from "../../modalOrigin";
import {
  GROUP_MODAL_BLOCKS,
  GROUP_MODAL_CALLBACK,
  groupModalView,
  groupModalWithEstimate,
  INPUT_ACTION,
  messageBlockVersion,
  PLAIN_PUNCTUATION_ACTION,
} from "../../views/groupModal";
import { groupModalForm } from "../groupModalForm";

const plainText = z.object({
  type: z.literal("plain_text"),
  text: z.string().max(150),
  emoji: z.boolean().optional(),
});

const stateValue = z.looseObject({
  value: z.string().max(4000).nullish(),
  selected_options: z
    .array(z.object({ value: z.string().max(150) }))
    .max(100)
    .nullish(),
  selected_option: z.object({ value: z.string().max(150) }).nullish(),
  selected_conversation: z.string().max(40).nullish(),
});

const modalAction = z.object({
  user: z.object({ id: slackUserId }),
  actions: z
    .array(
      z.looseObject({
        action_ts: z.string().regex(/^\d{1,12}(\.\d{1,9})?$/),
        selected_option: z.object({ value: z.string().max(150) }).nullish(),
      }),
    )
    .min(1)
    .max(5),
  view: z.object({
    id: z.string().regex(/^V[A-Z0-9]{1,30}$/),
    hash: z.string().max(200),
    callback_id: z.literal(GROUP_MODAL_CALLBACK),
    private_metadata: z.string().max(3000),
    title: plainText,
    submit: plainText.nullish(),
    close: plainText.nullish(),
    blocks: z.array(z.looseObject({ type: z.string(), block_id: z.string().max(255).optional() })).max(100),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), stateValue)) }),
  }),
});

type ModalAction = z.infer<typeof modalAction>;

/** The message as typed now: the input under its latest block id (see messageBlockId). */
function currentMessage(values: ModalAction["view"]["state"]["values"]): { version: number; text: string } {
  let latest: { version: number; text: string } | null = null;
  for (const [blockId, fields] of Object.entries(values)) {
    const version = messageBlockVersion(blockId);
    if (version === null || (latest && latest.version > version)) continue;
    latest = { version, text: fields[GROUP_MODAL_BLOCKS.message + INPUT_ACTION]?.value ?? "" };
  }
  return latest ?? { version: 0, text: "" };
}

/** How many modals' latest updates are remembered; the oldest are forgotten first. */
const REMEMBERED_VIEWS = 1_000;

/**
 * Keystrokes come faster than views.update round trips, so two actions can carry the same hash:
 * the later one is refused (hash_conflict) though its state is the newer, and the estimate would lag
 * a keystroke until the next. Per view, this remembers the newest action seen and the hash of the
 * view this process last set, so that the newest action alone retries, once, with that hash: it
 * replaces only a view made from an older action. An update by another instance in between changes
 * the hash again, and the retry is refused like any stale update.
 */
class LatestUpdates {
  private readonly views = new Map<string, { actionTs: number; hash: string | null }>();

  /** False when a newer action for this view was seen already: this one has nothing to add. */
  begin(viewId: string, actionTs: number): boolean {
    const seen = this.views.get(viewId);
    if (seen && seen.actionTs > actionTs) return false;
    this.views.delete(viewId);
    this.views.set(viewId, { actionTs, hash: seen?.hash ?? null });
    while (this.views.size > REMEMBERED_VIEWS) {
      const oldest = this.views.keys().next().value;
      if (oldest === undefined) break;
      this.views.delete(oldest);
    }
    return true;
  }

  /** The hash to retry with after a conflict, when this action is still the newest and one is known. */
  retryHash(viewId: string, actionTs: number, refused: string): string | null {
    const seen = this.views.get(viewId);
    return seen && seen.actionTs === actionTs && seen.hash && seen.hash !== refused ? seen.hash : null;
  }

  updated(viewId: string, actionTs: number, hash: string | undefined): void {
    const seen = this.views.get(viewId);
    if (seen && seen.actionTs <= actionTs && hash) seen.hash = hash;
  }
}

/** Inputs of the group modal whose changes move the estimate. */
const DISPATCHING = new RegExp(
  `^(${[GROUP_MODAL_BLOCKS.contacts, GROUP_MODAL_BLOCKS.contact, GROUP_MODAL_BLOCKS.numbers, GROUP_MODAL_BLOCKS.message].join("|")})${INPUT_ACTION}$`,
);

const KIND_ACTION = GROUP_MODAL_BLOCKS.kind + INPUT_ACTION;

type ActionArgs = { ack: () => Promise<void>; body: unknown; client: App["client"]; logger: App["logger"] };
type ActionListener = (args: ActionArgs) => Promise<void>;
/** What an action changes: the estimate, the message's punctuation, or the kind of text started. */
type Redraw = "estimate" | "plain" | "kind";

interface EstimateContext {
  signingSecret: string;
  groups: GroupStartService;
  latest: LatestUpdates;
}

/**
 * The group modal's live estimate: as contacts are picked, numbers typed or the message written,
 * the cost is shown as it will be billed and the characters that force UCS-2 are named; "Use plain
 * punctuation" swaps them for plain ones in the message. Answered at once; the view is updated
 * right after, with its hash, so an update based on an older state than Slack's is refused.
 */
export function register(app: App, signingSecret: string, groups: GroupStartService): void {
  const listeners = groupModalListeners(signingSecret, groups);
  app.action({ type: "block_actions", action_id: DISPATCHING }, listeners.onInput);
  app.action({ type: "block_actions", action_id: PLAIN_PUNCTUATION_ACTION }, listeners.onPlainPunctuation);
  app.action({ type: "block_actions", action_id: KIND_ACTION }, listeners.onKind);
}

/** The modal's action listeners, sharing what they remember of each modal's latest update. */
export function groupModalListeners(
  signingSecret: string,
  groups: GroupStartService,
): { onInput: ActionListener; onPlainPunctuation: ActionListener; onKind: ActionListener } {
  const context: EstimateContext = { signingSecret, groups, latest: new LatestUpdates() };
  const redraw = (how: Redraw) => (args: ActionArgs) => redrawModal(args, how, context);
  return { onInput: redraw("estimate"), onPlainPunctuation: redraw("plain"), onKind: redraw("kind") };
}

async function redrawModal(args: ActionArgs, how: Redraw, context: EstimateContext): Promise<void> {
  await args.ack();
  const parsed = modalAction.safeParse(args.body);
  // Other modals may have inputs of the same action ids: those are not this listener's.
  if (!parsed.success) return;
  const action = parsed.data;
  const { user, view, actions } = action;
  const actionTs = Math.max(...actions.map((a) => Number(a.action_ts)));
  if (!verifyModalOrigin(context.signingSecret, view.private_metadata, user.id)) {
    args.logger.warn("group modal action from a member the modal was not opened for");
    return;
  }
  if (!context.latest.begin(view.id, actionTs)) return;
  const next =
    how === "kind"
      ? await redrawnForKind(action, context, args.logger)
      : withFreshEstimate(view, how === "plain");
  if (!next) return;
  // Not awaited: the app answers Slack only once its listeners finish (processBeforeResponse), and
  // the member's keystrokes should not wait on this round trip to Slack.
  void sendUpdate(args, context.latest, { viewId: view.id, actionTs, next }, view.hash, true);
}

/**
 * Another kind: the modal is drawn anew for it (its lines, its fields), keeping the channel picked
 * and the message typed so far (rendered under a new block id so Slack shows it).
 */
async function redrawnForKind(
  { user, view, actions }: ModalAction,
  { signingSecret, groups }: EstimateContext,
  logger: ActionArgs["logger"],
): Promise<ModalView | null> {
  const kind = parseKind(actions[0]?.selected_option?.value);
  const origin = verifyModalOrigin(signingSecret, view.private_metadata, user.id);
  let choices: Awaited<ReturnType<GroupStartService["modalChoices"]>>;
  try {
    choices = await groups.modalChoices(kind);
  } catch (error) {
    logger.warn(`group modal not redrawn for its kind: ${String(error)}`);
    return null;
  }
  const message = currentMessage(view.state.values);
  return groupModalView({
    kind,
    privateMetadata: view.private_metadata,
    ...choices,
    defaultChannel:
      groupModalForm(view).conversation(GROUP_MODAL_BLOCKS.channel) ?? origin?.channelId ?? null,
    initialText: message.text,
    messageVersion: message.version + 1,
  });
}

/** The modal as shown, with the estimate for what is in it now; `plain` first swaps the punctuation. */
function withFreshEstimate(view: ModalAction["view"], plain: boolean): ModalView {
  const form = groupModalForm(view);
  const kind = parseKind(form.selected(GROUP_MODAL_BLOCKS.kind) ?? undefined);
  const one = form.selected(GROUP_MODAL_BLOCKS.contact);
  const recipients = countRecipients(
    [...form.checked(GROUP_MODAL_BLOCKS.contacts), ...(one ? [one] : [])],
    form.text(GROUP_MODAL_BLOCKS.numbers),
    kind,
  );
  const typed = currentMessage(view.state.values).text;
  const text = plain ? withPlainPunctuation(typed) : typed;
  return groupModalWithEstimate(
    {
      callbackId: view.callback_id,
      privateMetadata: view.private_metadata,
      title: view.title,
      submit: view.submit ?? undefined,
      close: view.close ?? undefined,
      // Slack's own rendering of the blocks this app sent; sent back as they are.
      blocks: view.blocks as unknown as KnownBlock[],
    },
    modalEstimate(recipients, text, kind),
    plain && text !== typed ? text : undefined,
  );
}

/**
 * views.update with the hash the action saw; on a hash conflict the newest action retries once
 * with the hash this process last set (see LatestUpdates).
 */
async function sendUpdate(
  args: ActionArgs,
  latest: LatestUpdates,
  update: { viewId: string; actionTs: number; next: ModalView },
  hash: string,
  retry: boolean,
): Promise<void> {
  const { viewId, actionTs, next } = update;
  try {
    const result = await args.client.views.update({ view_id: viewId, hash, view: next });
    latest.updated(viewId, actionTs, result.view?.hash);
  } catch (error) {
    const code = (error as { data?: { error?: string } }).data?.error;
    const newer = code === "hash_conflict" && retry ? latest.retryHash(viewId, actionTs, hash) : null;
    if (newer) return sendUpdate(args, latest, update, newer, false);
    // Otherwise a newer action brings the modal up to date.
    if (code !== "hash_conflict")
      args.logger.warn(`group modal estimate not shown: ${String(code ?? error)}`);
  }
}
