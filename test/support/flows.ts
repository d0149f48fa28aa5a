import { encodeModalOrigin } from "../../src/slack/modalOrigin";
import { inboundMessageCallback } from "./bandwidthSpec";
import { eventually, type Harness, SALES_LINE, SECRETS } from "./harness";
import { eventCallbackBody, viewSubmissionBody } from "./slackRequests";

/** The private_metadata of a group modal the app opened for `userId`'s slash command in `channelId`. */
export function groupModalMetadata(channelId = "CGENERAL", userId = "UDANA"): string {
  return encodeModalOrigin(SECRETS.signingSecret, { channelId, userId });
}

/** Starts a group through the modal submission and waits until it is texted and its thread posted. */
export async function startGroup(
  h: Harness,
  input: {
    numbers: string[];
    message?: string;
    name?: string;
    channelId?: string;
    userId?: string;
    line?: string;
  },
) {
  const line = await h.app.db.line.findUniqueOrThrow({ where: { number: input.line ?? SALES_LINE } });
  const response = await h.slackRequest(
    viewSubmissionBody({
      userId: input.userId ?? "UDANA",
      view: {
        callback_id: "group_start",
        private_metadata: groupModalMetadata(input.channelId, input.userId),
        state: {
          values: {
            line: { line_value: { type: "static_select", selected_option: { value: line.id } } },
            numbers: { numbers_value: { type: "plain_text_input", value: input.numbers.join("\n") } },
            name: { name_value: { type: "plain_text_input", value: input.name ?? null } },
            message: { message_value: { type: "plain_text_input", value: input.message ?? "Hello group" } },
          },
        },
        blocks: ["line", "numbers", "name", "message"].map((block_id) => ({ block_id })),
      },
    }),
  );
  if (response.text !== "") throw new Error(`group start refused: ${response.text}`);
  const sorted = [...input.numbers].sort();
  return eventually(async () => {
    // The thread opens before the group is texted: wait for the text too, then for its post.
    const unsettled = await h.app.db.groupStart.count({
      where: { lineId: line.id, state: { in: ["PENDING", "SENDING"] } },
    });
    if (unsettled > 0) return undefined;
    const conversation = await h.app.db.groupConversation.findFirst({
      where: { lineId: line.id, threadTs: { not: null }, keys: { some: { key: sorted.join(",") } } },
      include: { line: true },
    });
    if (!conversation) return undefined;
    const posted = await h.app.db.message.count({
      where: { conversationId: conversation.id, postState: "PENDING" },
    });
    return posted === 0 ? conversation : undefined;
  });
}

/** A contact's text to the group: message.to holds every recipient, the line included. */
export function contactTexts(
  h: Harness,
  input: { line?: string; from: string; others: string[]; text: string; media?: string[] },
) {
  const line = input.line ?? SALES_LINE;
  return h.webhook("inbound", [
    inboundMessageCallback({
      line,
      from: input.from,
      to: [line, ...input.others],
      text: input.text,
      media: input.media,
    }),
  ]);
}

let tsCounter = 0;

/** A teammate's reply in a thread, as Slack's Events API delivers it. */
export function teammateReplies(
  h: Harness,
  input: { channel: string; threadTs: string; text: string; user?: string; ts?: string },
) {
  tsCounter += 1;
  const ts = input.ts ?? `${Math.floor(Date.now() / 1000)}.${String(900000 + tsCounter).padStart(6, "0")}`;
  return h.slackRequest(
    eventCallbackBody({
      event: {
        type: "message",
        channel: input.channel,
        channel_type: "channel",
        user: input.user ?? "UDANA",
        text: input.text,
        ts,
        thread_ts: input.threadTs,
        event_ts: ts,
      },
    }),
  );
}
