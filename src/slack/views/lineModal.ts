import type { KnownBlock, View } from "@slack/types";
import { formatPhone } from "../../domain/phone";
import { MAX_LINE_NAME } from "../../services/lines";
import { encodeFormMetadata, fieldBlockId, versionTag } from "./form";
import { MODALS } from "./homeIds";
import type { HomeState } from "./homeState";
import { context, inputBlock, type Notice, noticeBlock, placeholder, plain, section } from "./kit";
import { mrkdwn } from "./text";

export const LINE_FIELDS = {
  number: "line_number",
  name: "line_name",
  options: "line_options",
  channel: "line_channel",
} as const;

export interface LineModalInput {
  home: HomeState;
  /** The line being edited; absent when adding one. */
  line?: {
    id: string;
    number: string;
    name: string;
    groupEnabled: boolean;
    defaultChannel: string | null;
    updatedAt: Date;
  };
  notice?: Notice;
}

const GROUP_OPTION = {
  text: plain("Group messaging enabled"),
  description: plain(
    "Offered in the group modal; the number must be enabled for group MMS at Bandwidth.",
    75,
  ),
  value: "group",
};

type EditedLine = NonNullable<LineModalInput["line"]>;

function numberInput(blockId: string): KnownBlock {
  return inputBlock(
    blockId,
    "Bandwidth number",
    {
      type: "plain_text_input",
      action_id: LINE_FIELDS.number,
      max_length: 30,
      placeholder: placeholder("+1 919 555 0100"),
    },
    {
      hint: "The number as Bandwidth shows it, e.g. +1 919 555 0100. It must be assigned to this app's messaging application.",
    },
  );
}

function nameInput(blockId: string, line: EditedLine | undefined): KnownBlock {
  return inputBlock(
    blockId,
    "Name",
    {
      type: "plain_text_input",
      action_id: LINE_FIELDS.name,
      max_length: MAX_LINE_NAME,
      ...(line ? { initial_value: line.name } : {}),
      placeholder: placeholder("e.g. Sales"),
    },
    { hint: "Shown to teammates in the modal and the threads, and to contacts in compliance replies." },
  );
}

function optionsInput(blockId: string, line: EditedLine | undefined): KnownBlock {
  return inputBlock(
    blockId,
    "Group texts",
    {
      type: "checkboxes",
      action_id: LINE_FIELDS.options,
      options: [GROUP_OPTION],
      ...(line?.groupEnabled ? { initial_options: [GROUP_OPTION] } : {}),
    },
    { optional: true },
  );
}

function channelInput(blockId: string, line: EditedLine | undefined): KnownBlock {
  return inputBlock(
    blockId,
    "Default channel",
    {
      type: "conversations_select",
      action_id: LINE_FIELDS.channel,
      placeholder: placeholder("Choose a channel"),
      filter: {
        include: ["public", "private"],
        exclude_bot_users: true,
        exclude_external_shared_channels: true,
      },
      ...(line?.defaultChannel ? { initial_conversation: line.defaultChannel } : {}),
    },
    {
      optional: true,
      hint: "Where a group that contacts start themselves opens its thread. Empty: the app's default channel.",
    },
  );
}

export function lineModalView(input: LineModalInput): View {
  const { line } = input;
  const version = line ? versionTag(line.updatedAt) : null;
  const id = (field: string) => fieldBlockId(field, version);
  const blocks: KnownBlock[] = [
    ...(input.notice ? [noticeBlock(input.notice)] : []),
    line
      ? section(mrkdwn`*Number:* ${formatPhone(line.number)} (${line.number})`)
      : numberInput(id(LINE_FIELDS.number)),
    nameInput(id(LINE_FIELDS.name), line),
    optionsInput(id(LINE_FIELDS.options), line),
    channelInput(id(LINE_FIELDS.channel), line),
    ...(line ? [context(mrkdwn`To stop using this line, deactivate it from its menu in the Home tab.`)] : []),
  ];
  return {
    type: "modal",
    callback_id: MODALS.line,
    private_metadata: encodeFormMetadata({
      home: input.home,
      ...(line ? { id: line.id, version: line.updatedAt.toISOString() } : {}),
    }),
    title: plain(line ? "Edit line" : "Add a line", 24),
    submit: plain(line ? "Save" : "Add line", 24),
    close: plain("Cancel", 24),
    blocks,
  };
}
