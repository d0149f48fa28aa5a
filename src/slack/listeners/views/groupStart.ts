import type { App } from "@slack/bolt";
import { z } from "zod";
import { parseKind } from "../../../domain/conversationKind";
import type { GroupStartService, StartGroupField } from "../../../services/groupStart";
import { slackUserId, verifyModalOrigin } from "../../modalOrigin";
import {
  GROUP_MODAL_BLOCKS,
  GROUP_MODAL_CALLBACK,
  INPUT_ACTION,
  messageBlockVersion,
} from "../../views/groupModal";

const stateValue = z
  .object({
    value: z.string().nullish(),
    selected_option: z.object({ value: z.string() }).nullish(),
    selected_options: z.array(z.object({ value: z.string() })).nullish(),
    selected_conversation: z.string().max(40).nullish(),
  })
  .passthrough();

const submission = z.object({
  user: z.object({ id: slackUserId }),
  view: z.object({
    id: z.string().regex(/^V[A-Z0-9]{1,30}$/),
    private_metadata: z.string(),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), stateValue)) }),
    blocks: z.array(z.object({ block_id: z.string().optional() }).passthrough()).default([]),
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

/** Slack shows its own error after 3 s without an answer; this leaves room for the round trip. */
const ANSWER_WITHIN_MS = 2_500;

/**
 * The group modal's submission: read, checked against where the modal was opened, and handed to
 * the service. Always answered within Slack's 3 s, with inline errors rather than exceptions.
 */
export function register(app: App, groups: GroupStartService, signingSecret: string): void {
  app.view(GROUP_MODAL_CALLBACK, async ({ ack, body, logger }) => {
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
    const field = (block: string) => view.state.values[block]?.[block + INPUT_ACTION];
    // The thread's channel is the one picked; a modal opened before the picker existed has none, and
    // its thread goes where its command was typed (signed). Either way the service checks it with Slack.
    const hasPicker = view.blocks.some((b) => b.block_id === GROUP_MODAL_BLOCKS.channel);
    const channelId = hasPicker
      ? (field(GROUP_MODAL_BLOCKS.channel)?.selected_conversation ?? null)
      : origin.channelId;
    let result: Awaited<ReturnType<GroupStartService["request"]>> | "slow";
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<"slow">((resolve) => {
      timer = setTimeout(() => resolve("slow"), ANSWER_WITHIN_MS);
    });
    // A modal from before kinds has no selector: it is a group's.
    const kind = parseKind(field(GROUP_MODAL_BLOCKS.kind)?.selected_option?.value);
    const one = field(GROUP_MODAL_BLOCKS.contact)?.selected_option?.value;
    const request = groups.request({
      viewId: view.id,
      kind,
      userId: user.id,
      channelId,
      lineId: field(GROUP_MODAL_BLOCKS.line)?.selected_option?.value ?? null,
      contactIds: [
        ...(field(GROUP_MODAL_BLOCKS.contacts)?.selected_options ?? []).map((o) => o.value),
        ...(one ? [one] : []),
      ],
      typedNumbers: field(GROUP_MODAL_BLOCKS.numbers)?.value ?? "",
      name: field(GROUP_MODAL_BLOCKS.name)?.value ?? null,
      text: view.state.values[messageBlock]?.[GROUP_MODAL_BLOCKS.message + INPUT_ACTION]?.value ?? "",
    });
    try {
      // A slow database must not leave the member with Slack's generic error: answer in time, and
      // let the request finish; sent again, the form is recognised by its view id.
      result = await Promise.race([request, slow]);
    } catch (error) {
      logger.error("group start request failed", error);
      await refuse(FAILED);
      return;
    } finally {
      clearTimeout(timer);
    }
    if (result === "slow") {
      request.catch((error: unknown) => logger.error("group start request failed after its answer", error));
      logger.warn("group start request still running when Slack had to be answered");
      await refuse(SLOW);
      return;
    }
    if (result.ok) {
      await ack();
      return;
    }
    // Slack refuses errors on blocks the view does not have, so such an error moves to the message.
    const present = new Set(view.blocks.map((b) => b.block_id));
    const errors: Record<string, string> = {};
    for (const [name, message] of Object.entries(result.errors) as [StartGroupField, string][]) {
      // A one-to-one form picks its contact in a single select.
      const wanted =
        name === "contacts" && present.has(GROUP_MODAL_BLOCKS.contact)
          ? GROUP_MODAL_BLOCKS.contact
          : GROUP_MODAL_BLOCKS[name];
      const block = name !== "message" && present.has(wanted) ? wanted : messageBlock;
      errors[block] = errors[block] ? `${errors[block]} ${message}` : message;
    }
    await ack({ response_action: "errors", errors });
  });
}
