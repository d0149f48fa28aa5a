import type { KnownBlock, View } from "@slack/types";
import {
  MAX_GROUP_CONTACTS,
  MAX_GROUP_NAME_LENGTH,
  MAX_TYPED_NUMBERS_LENGTH,
} from "../../domain/participants";
import { formatPhone } from "../../domain/phone";
import type { ThreadForm } from "../../services/threadActions";
import { plain, section } from "./kit";
import { mrkdwn } from "./text";

/** The modals a thread root's menu opens, their callback ids and fields. */
export const THREAD_MODALS = {
  rename: "thread_rename",
  participants: "thread_participants",
  assign: "thread_assign",
} as const;

export const THREAD_FIELDS = {
  name: "thread_name",
  keep: "thread_keep",
  add: "thread_add",
  assignee: "thread_assignee",
} as const;

function modal(callbackId: string, title: string, metadata: string, blocks: KnownBlock[]): View {
  return {
    type: "modal",
    callback_id: callbackId,
    private_metadata: metadata,
    title: plain(title, 24),
    submit: plain("Save", 24),
    close: plain("Cancel", 24),
    blocks,
  };
}

export function renameModalView(form: ThreadForm, metadata: string): View {
  return modal(THREAD_MODALS.rename, "Rename the group", metadata, [
    {
      type: "input",
      block_id: THREAD_FIELDS.name,
      optional: true,
      label: plain("Group name"),
      hint: plain("Shown on the thread's first message and in the Home tab. Leave empty for no name.", 150),
      element: {
        type: "plain_text_input",
        action_id: THREAD_FIELDS.name,
        max_length: MAX_GROUP_NAME_LENGTH,
        ...(form.name ? { initial_value: form.name } : {}),
      },
    },
  ]);
}

export function participantsModalView(form: ThreadForm, metadata: string): View {
  const options = form.participants.map((p) => ({
    text: plain(p.name ? `${p.name} · ${formatPhone(p.number)}` : formatPhone(p.number), 75),
    value: p.number,
  }));
  return modal(THREAD_MODALS.participants, "Participants", metadata, [
    section(
      mrkdwn`On the phones a group is its set of numbers: a changed set becomes a new group text there. Here it stays this thread, and texts from the old group and the new one both land in it.`,
    ),
    {
      type: "input",
      block_id: THREAD_FIELDS.keep,
      optional: true,
      label: plain("Keep (untick to remove)"),
      element: {
        type: "checkboxes",
        action_id: THREAD_FIELDS.keep,
        options,
        ...(options.length ? { initial_options: options } : {}),
      },
    },
    {
      type: "input",
      block_id: THREAD_FIELDS.add,
      optional: true,
      label: plain("Add mobile numbers"),
      hint: plain(
        `One or more, separated by commas or new lines. Up to ${MAX_GROUP_CONTACTS} contacts in all.`,
        150,
      ),
      element: {
        type: "plain_text_input",
        action_id: THREAD_FIELDS.add,
        multiline: true,
        max_length: MAX_TYPED_NUMBERS_LENGTH,
        placeholder: plain("(646) 555-0104", 150),
      },
    },
  ]);
}

export function assignModalView(form: ThreadForm, metadata: string): View {
  return modal(THREAD_MODALS.assign, "Assign", metadata, [
    {
      type: "input",
      block_id: THREAD_FIELDS.assignee,
      optional: true,
      label: plain("Assign to"),
      hint: plain("They get a DM for each new text from the contacts. Leave empty to unassign.", 150),
      element: {
        type: "users_select",
        action_id: THREAD_FIELDS.assignee,
        ...(form.assignee ? { initial_user: form.assignee } : {}),
      },
    },
  ]);
}
