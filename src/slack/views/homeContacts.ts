import type { KnownBlock } from "@slack/types";
import { formatPhone } from "../../domain/phone";
import type { HomeTabData } from "../../services/home";
import { HOME_ACTIONS } from "./homeIds";
import { button, context, pager, plain, plural, section } from "./kit";
import { mrkdwn } from "./text";

type ContactsTab = Extract<HomeTabData, { tab: "contacts" }>;

export function contactsTabBlocks(data: ContactsTab): KnownBlock[] {
  const page = data.contacts;
  const blocks: KnownBlock[] = [
    {
      type: "actions",
      block_id: "home_contacts_tools",
      elements: [
        button("Add a contact", HOME_ACTIONS.contactAdd, "add", "primary"),
        button("Import CSV", HOME_ACTIONS.contactImport, "import"),
      ],
    },
    {
      type: "input",
      block_id: "home_contacts_search",
      dispatch_action: true,
      optional: true,
      label: plain("Search contacts"),
      hint: plain("A name or part of a number; press Enter. Empty shows everyone.", 150),
      element: {
        type: "plain_text_input",
        action_id: HOME_ACTIONS.search,
        max_length: 100,
        ...(page.query ? { initial_value: page.query } : {}),
        placeholder: plain("e.g. Dana or 555-01", 150),
        dispatch_action_config: { trigger_actions_on: ["on_enter_pressed"] },
      },
    },
  ];
  if (page.total === 0) {
    blocks.push(
      section(
        page.query
          ? mrkdwn`_No contact matches “${page.query}”._`
          : mrkdwn`_No contacts yet. Add one, import a CSV, or start a group text with new numbers._`,
      ),
    );
  } else if (page.query) {
    blocks.push(context(mrkdwn`${plural(page.total, "contact")} match “${page.query}”.`));
  }
  for (const contact of page.contacts) {
    blocks.push(
      section(
        contact.name
          ? mrkdwn`*${contact.name}* · ${formatPhone(contact.number)}`
          : mrkdwn`*_no name_* · ${formatPhone(contact.number)}`,
        button("Edit", HOME_ACTIONS.contactEdit, contact.id),
      ),
    );
  }
  blocks.push(...pager(HOME_ACTIONS.page, page.page, page.pages, page.pageSize, page.total, "contacts"));
  return blocks;
}
