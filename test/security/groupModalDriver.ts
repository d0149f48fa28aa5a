// Drives the group modal the way Slack does: the slash command opens it (the app chooses its
// private_metadata), and a submission carries back what the modal was opened with. Tests that
// forge a submission start from a real one and change one thing.
import type { Harness } from "../support/harness";
import { postSlack, type SlackBody, viewSubmissionBody } from "../support/slackRequests";

export interface OpenedModal {
  privateMetadata: string;
  salesLineId: string;
  nameMaxLength: number | undefined;
}

type Block = {
  block_id?: string;
  element?: { options?: { value: string; text: { text: string } }[]; max_length?: number };
};

/** `/grouptext` typed by `userId` in `channelId`; returns what the app put in the modal it opened. */
export async function openGroupModal(h: Harness, body: SlackBody): Promise<OpenedModal> {
  const before = h.slack.callsTo("views.open").length;
  const response = await h.slackRequest(body);
  expect(response.status).toBe(200);
  const calls = await h.slack.waitForCalls("views.open", before + 1);
  const view = calls.at(-1)?.args.view as { blocks: Block[]; private_metadata?: string };
  const line = view.blocks.find((b) => b.block_id === "line");
  const sales = line?.element?.options?.find((o) => o.text.text.startsWith("Sales"));
  if (!sales) throw new Error("the Sales line is not offered");
  return {
    privateMetadata: view.private_metadata ?? "",
    salesLineId: sales.value,
    nameMaxLength: view.blocks.find((b) => b.block_id === "name")?.element?.max_length,
  };
}

export interface GroupSubmission {
  viewId?: string;
  userId?: string;
  privateMetadata: string;
  lineId: string | null;
  contactIds?: string[];
  numbers?: string;
  name?: string | null;
  message?: string;
}

export function groupSubmissionBody(input: GroupSubmission): SlackBody {
  return viewSubmissionBody({
    userId: input.userId ?? "UDANA",
    view: {
      ...(input.viewId ? { id: input.viewId } : {}),
      callback_id: "group_start",
      private_metadata: input.privateMetadata,
      state: {
        values: {
          line: {
            line_value: {
              type: "static_select",
              selected_option: input.lineId === null ? null : { value: input.lineId },
            },
          },
          contacts: {
            contacts_value: {
              type: "multi_static_select",
              selected_options: (input.contactIds ?? []).map((value) => ({ value })),
            },
          },
          numbers: { numbers_value: { type: "plain_text_input", value: input.numbers ?? "" } },
          name: { name_value: { type: "plain_text_input", value: input.name ?? null } },
          message: { message_value: { type: "plain_text_input", value: input.message ?? "Hello" } },
        },
      },
      blocks: ["line", "contacts", "numbers", "name", "message"].map((block_id) => ({
        type: "input",
        block_id,
      })),
    },
  });
}

/** Sends the same bytes with the same signature and timestamp, as a replaying attacker would. */
export function replay(h: Harness, secret: string, body: SlackBody, timestamp: number) {
  return postSlack(h.app.url, secret, { contentType: body.contentType, body: body.body, timestamp });
}

/** Sends a request and says how long the app took to answer it. */
export async function timed<T>(send: () => Promise<T>): Promise<{ response: T; ms: number }> {
  const started = Date.now();
  const response = await send();
  return { response, ms: Date.now() - started };
}
