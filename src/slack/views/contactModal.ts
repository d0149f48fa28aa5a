import type { KnownBlock, View } from "@slack/types";
import { MAX_CONTACT_NAME } from "../../domain/contactCsv";
import { formatPhone } from "../../domain/phone";
import { encodeFormMetadata, fieldBlockId, versionTag } from "./form";
import { MODALS } from "./homeIds";
import type { HomeState } from "./homeState";
import { type Notice, noticeBlock, plain, section } from "./kit";
import { mrkdwn } from "./text";

export const CONTACT_FIELDS = { number: "contact_number", name: "contact_name" } as const;

export interface ContactModalInput {
  home: HomeState;
  contact?: { id: string; number: string; name: string | null; updatedAt: Date };
  notice?: Notice;
}

export function contactModalView(input: ContactModalInput): View {
  const { contact } = input;
  const version = contact ? versionTag(contact.updatedAt) : null;
  const blocks: KnownBlock[] = [];
  if (input.notice) blocks.push(noticeBlock(input.notice));
  if (contact) blocks.push(section(mrkdwn`*Number:* ${formatPhone(contact.number)}`));
  else {
    blocks.push({
      type: "input",
      block_id: fieldBlockId(CONTACT_FIELDS.number, version),
      label: plain("Mobile number"),
      element: {
        type: "plain_text_input",
        action_id: CONTACT_FIELDS.number,
        max_length: 40,
        placeholder: plain("(212) 555-0143", 150),
      },
    });
  }
  blocks.push({
    type: "input",
    block_id: fieldBlockId(CONTACT_FIELDS.name, version),
    optional: Boolean(contact),
    label: plain("Name"),
    hint: plain("Shown on the contact's replies in threads.", 150),
    element: {
      type: "plain_text_input",
      action_id: CONTACT_FIELDS.name,
      max_length: MAX_CONTACT_NAME,
      ...(contact?.name ? { initial_value: contact.name } : {}),
      placeholder: plain("e.g. Dana Whitfield", 150),
    },
  });
  return {
    type: "modal",
    callback_id: MODALS.contact,
    private_metadata: encodeFormMetadata({
      home: input.home,
      ...(contact ? { id: contact.id, version: contact.updatedAt.toISOString() } : {}),
    }),
    title: plain(contact ? "Edit contact" : "Add a contact", 24),
    submit: plain(contact ? "Save" : "Add", 24),
    close: plain("Cancel", 24),
    blocks,
  };
}
