import type { KnownBlock, View } from "@slack/types";
import { MAX_GROUP_NAME_LENGTH, MAX_TYPED_NUMBERS_LENGTH } from "../../domain/participants";
import { formatPhone } from "../../domain/phone";
import { MAX_TEXT_LENGTH } from "../../domain/segments";
import { clip } from "./text";

export const GROUP_MODAL_CALLBACK = "group_start";

export const GROUP_MODAL_BLOCKS = {
  line: "line",
  contacts: "contacts",
  numbers: "numbers",
  name: "name",
  message: "message",
} as const;

/** Each input block holds one element; its action id is the block id with this suffix. */
export const INPUT_ACTION = "_value";

export interface GroupModalInput {
  /** Where the modal was opened from, signed (see slack/modalOrigin): returned with the submission. */
  privateMetadata: string;
  lines: { id: string; name: string; number: string }[];
  contacts: { id: string; name: string | null; number: string; optedOutOf: string[] }[];
  initialText?: string;
}

// Slack caps a static select at 100 options.
const MAX_OPTIONS = 100;

export function groupModalView(input: GroupModalInput): View {
  const blocks: KnownBlock[] = [];
  if (input.lines.length === 0) {
    blocks.push({
      type: "section",
      text: {
        type: "mrkdwn",
        text: ":warning: *No group-enabled line is configured.* An admin can add one in the app's Home tab.",
      },
    });
  } else {
    const options = input.lines.slice(0, MAX_OPTIONS).map((line) => ({
      text: { type: "plain_text" as const, text: clip(`${line.name} · ${formatPhone(line.number)}`, 75) },
      value: line.id,
    }));
    blocks.push({
      type: "input",
      block_id: GROUP_MODAL_BLOCKS.line,
      label: { type: "plain_text", text: "Outbound line" },
      element: {
        type: "static_select",
        action_id: GROUP_MODAL_BLOCKS.line + INPUT_ACTION,
        options,
        ...(options.length === 1 && options[0] ? { initial_option: options[0] } : {}),
        placeholder: { type: "plain_text", text: "Choose the number texts come from" },
      },
    });
  }
  if (input.contacts.length > 0) {
    blocks.push({
      type: "input",
      block_id: GROUP_MODAL_BLOCKS.contacts,
      optional: true,
      label: { type: "plain_text", text: "Saved contacts" },
      element: {
        type: "multi_static_select",
        action_id: GROUP_MODAL_BLOCKS.contacts + INPUT_ACTION,
        max_selected_items: 9,
        placeholder: { type: "plain_text", text: "Pick up to 9 contacts" },
        options: input.contacts.slice(0, MAX_OPTIONS).map((c) => ({
          text: {
            type: "plain_text" as const,
            text: clip(
              `${c.name ? `${c.name} · ` : ""}${formatPhone(c.number)}${c.optedOutOf.length ? " (opted out)" : ""}`,
              75,
            ),
          },
          value: c.id,
        })),
      },
    });
  }
  blocks.push(
    {
      type: "input",
      block_id: GROUP_MODAL_BLOCKS.numbers,
      optional: input.contacts.length > 0,
      label: { type: "plain_text", text: "New mobile numbers" },
      hint: {
        type: "plain_text",
        text: "One per line or comma-separated, e.g. (212) 555-0143. Up to 9 contacts in all.",
      },
      element: {
        type: "plain_text_input",
        action_id: GROUP_MODAL_BLOCKS.numbers + INPUT_ACTION,
        multiline: true,
        max_length: MAX_TYPED_NUMBERS_LENGTH,
        placeholder: { type: "plain_text", text: "(212) 555-0143, +1 646 555 0199" },
      },
    },
    {
      type: "input",
      block_id: GROUP_MODAL_BLOCKS.name,
      optional: true,
      label: { type: "plain_text", text: "Group name" },
      element: {
        type: "plain_text_input",
        action_id: GROUP_MODAL_BLOCKS.name + INPUT_ACTION,
        max_length: MAX_GROUP_NAME_LENGTH,
        placeholder: { type: "plain_text", text: "e.g. Saturday crew" },
      },
    },
    {
      type: "input",
      block_id: GROUP_MODAL_BLOCKS.message,
      label: { type: "plain_text", text: "Message" },
      element: {
        type: "plain_text_input",
        action_id: GROUP_MODAL_BLOCKS.message + INPUT_ACTION,
        multiline: true,
        max_length: MAX_TEXT_LENGTH,
        ...(input.initialText ? { initial_value: input.initialText.slice(0, MAX_TEXT_LENGTH) } : {}),
      },
    },
    {
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: "Every contact sees every reply. A group text travels as group MMS: each message costs one MMS per contact, whatever its length.",
        },
      ],
    },
  );
  return {
    type: "modal",
    callback_id: GROUP_MODAL_CALLBACK,
    private_metadata: input.privateMetadata,
    title: { type: "plain_text", text: "New group text" },
    submit: { type: "plain_text", text: "Send" },
    close: { type: "plain_text", text: "Cancel" },
    blocks,
  };
}
