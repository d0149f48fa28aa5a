import type { AllMiddlewareArgs, App, SlackViewMiddlewareArgs } from "@slack/bolt";
import { z } from "zod";
import { parseKind } from "../../../domain/conversationKind";
import type { GroupStartService, StartGroupField, StartGroupRequest } from "../../../services/groupStart";
import { type ModalOrigin, slackUserId, verifyModalOrigin } from "../../modalOrigin";
import { GROUP_MODAL_BLOCKS, GROUP_MODAL_CALLBACK, messageBlockVersion } from "../../views/groupModal";
import { type FormValues, viewBlocksSchema, viewStateSchema } from "../formValues";
import { groupModalForm } from "../groupModalForm";

const submission = z.object({
  user: z.object({ id: slackUserId }),
  view: z.object({
    id: z.string().regex(/^V[A-Z0-9]{1,30}$/),
    private_metadata: z.string(),
    state: viewStateSchema,
    blocks: viewBlocksSchema,
  }),
});

const UNREADABLE = "Something went wrong reading this form. Please reopen it.";
const NOT_THIS_MODAL =
  "This form was not opened here by you. Close it and run the command again in the channel for the group.";
const FAILED = "That did not work. Nothing was sent. Please try again.";
const SLOW =
  "This is taking longer than usual. If the group's thread does not appear shortly, send this form again: it will not be sent twice.";

/** The message input's block id as last rendered: the highest version among the view's blocks. */
function latestMessageBlock(blockIds: string[]): string | null {
  let latest: { id: string; version: number } | null = null;
  for (const id of blockIds) {
    const version = messageBlockVersion(id);
    if (version !== null && (!latest || version > latest.version)) latest = { id, version };
  }
  return latest?.id ?? null;
}

/** What the member asked for, read from the form; `messageBlock` is where the message was typed. */
export function startRequest(
  viewId: string,
  userId: string,
  form: FormValues,
  origin: ModalOrigin,
  messageBlock: string,
): StartGroupRequest {
  // The thread's channel is the one picked; a modal opened before the picker existed has none, and
  // its thread goes where its command was typed (signed). Either way the service checks it with Slack.
  const channelId = form.shows(GROUP_MODAL_BLOCKS.channel)
    ? form.conversation(GROUP_MODAL_BLOCKS.channel)
    : origin.channelId;
  const one = form.selected(GROUP_MODAL_BLOCKS.contact);
  return {
    viewId,
    // A modal from before kinds has no selector: it is a group's.
    kind: parseKind(form.selected(GROUP_MODAL_BLOCKS.kind) ?? undefined),
    userId,
    channelId,
    lineId: form.selected(GROUP_MODAL_BLOCKS.line),
    contactIds: [...form.checked(GROUP_MODAL_BLOCKS.contacts), ...(one ? [one] : [])],
    typedNumbers: form.text(GROUP_MODAL_BLOCKS.numbers),
    name: form.optionalText(GROUP_MODAL_BLOCKS.name),
    text: form.textIn(messageBlock, GROUP_MODAL_BLOCKS.message),
  };
}

/**
 * The service's field errors on the view's blocks. Slack refuses errors on blocks the view does not
 * have, so such an error moves to the message.
 */
export function errorsByBlock(
  errors: Partial<Record<StartGroupField, string>>,
  form: FormValues,
  messageBlock: string,
): Record<string, string> {
  const byBlock: Record<string, string> = {};
  for (const [name, message] of Object.entries(errors) as [StartGroupField, string][]) {
    // A one-to-one form picks its contact in a single select.
    const wanted =
      name === "contacts" && form.shows(GROUP_MODAL_BLOCKS.contact)
        ? GROUP_MODAL_BLOCKS.contact
        : GROUP_MODAL_BLOCKS[name];
    const block = name !== "message" && form.shows(wanted) ? wanted : messageBlock;
    byBlock[block] = byBlock[block] ? `${byBlock[block]} ${message}` : message;
  }
  return byBlock;
}

/** Slack shows its own error after 3 s without an answer; this leaves room for the round trip. */
const ANSWER_WITHIN_MS = 2_500;

type StartResult = Awaited<ReturnType<GroupStartService["request"]>>;

/**
 * The request's result, or "slow" when it is not done in time to answer Slack. A slow database
 * must not leave the member with Slack's generic error: the request goes on, and the form sent
 * again is recognised by its view id.
 */
async function resultInTime(
  request: Promise<StartResult>,
  logger: AllMiddlewareArgs["logger"],
): Promise<StartResult | "slow"> {
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<"slow">((resolve) => {
    timer = setTimeout(() => resolve("slow"), ANSWER_WITHIN_MS);
  });
  try {
    const result = await Promise.race([request, slow]);
    if (result === "slow") {
      request.catch((error: unknown) => logger.error("group start request failed after its answer", error));
      logger.warn("group start request still running when Slack had to be answered");
    }
    return result;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The group modal's submission: read, checked against where the modal was opened, and handed to
 * the service. Always answered within Slack's 3 s, with inline errors rather than exceptions.
 */
export function onGroupStart(groups: GroupStartService, signingSecret: string) {
  return async ({ ack, body, logger }: SlackViewMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    // The message input's block id changes when its text is replaced (see messageBlockId).
    let messageBlock: string = GROUP_MODAL_BLOCKS.message;
    const refuse = (message: string) =>
      ack({ response_action: "errors", errors: { [messageBlock]: message } });
    const parsed = submission.safeParse(body);
    if (!parsed.success) {
      logger.warn("group modal submission did not parse", parsed.error.issues.slice(0, 5));
      await refuse(UNREADABLE);
      return;
    }
    const { user, view } = parsed.data;
    messageBlock = latestMessageBlock(view.blocks.map((b) => b.block_id ?? "")) ?? messageBlock;
    const origin = verifyModalOrigin(signingSecret, view.private_metadata, user.id);
    if (!origin) {
      logger.warn("group modal submission with private_metadata the app did not sign for its user");
      await refuse(NOT_THIS_MODAL);
      return;
    }
    const form = groupModalForm(view);
    let result: StartResult | "slow";
    try {
      result = await resultInTime(
        groups.request(startRequest(view.id, user.id, form, origin, messageBlock)),
        logger,
      );
    } catch (error) {
      logger.error("group start request failed", error);
      await refuse(FAILED);
      return;
    }
    if (result === "slow") await refuse(SLOW);
    else if (result.ok) await ack();
    else await ack({ response_action: "errors", errors: errorsByBlock(result.errors, form, messageBlock) });
  };
}

export function register(app: App, groups: GroupStartService, signingSecret: string): void {
  app.view(GROUP_MODAL_CALLBACK, onGroupStart(groups, signingSecret));
}
