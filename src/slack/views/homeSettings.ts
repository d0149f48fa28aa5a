import type { KnownBlock } from "@slack/types";
import { NOTE_MARKER_MAX_LENGTH } from "../../domain/notes";
import type { HomeTabData } from "../../services/home";
import { HOME_ACTIONS } from "./homeIds";
import { button, context, plain, section } from "./kit";
import { mention, mrkdwn, slackDate } from "./text";

type SettingsTab = Extract<HomeTabData, { tab: "settings" }>;

export function settingsTabBlocks(data: SettingsTab): KnownBlock[] {
  const senderOption = {
    text: plain("Add the teammate's name to texts sent from a thread"),
    description: plain("e.g. “See you at 7! – Dana”. Contacts then know who in the team answered.", 75),
    value: "on",
  };
  const blocks: KnownBlock[] = [
    section(mrkdwn`*Settings*`),
    {
      type: "actions",
      block_id: "home_settings",
      elements: [
        {
          type: "checkboxes",
          action_id: HOME_ACTIONS.senderName,
          options: [senderOption],
          ...(data.appendSenderName ? { initial_options: [senderOption] } : {}),
        },
      ],
    },
    {
      type: "input",
      block_id: "home_note_marker",
      dispatch_action: true,
      label: plain("Internal note marker"),
      hint: plain(
        "A thread reply that begins with this stays in Slack and is never texted. Press Enter to save.",
      ),
      element: {
        type: "plain_text_input",
        action_id: HOME_ACTIONS.noteMarker,
        initial_value: data.noteMarker,
        min_length: 1,
        max_length: NOTE_MARKER_MAX_LENGTH,
        dispatch_action_config: { trigger_actions_on: ["on_enter_pressed"] },
      },
    },
    { type: "divider" },
    section(
      mrkdwn`*Admins*\nWorkspace owners and admins are always Reply-All admins. These teammates were made admins here:`,
    ),
  ];
  if (data.admins.length === 0) blocks.push(context(mrkdwn`_Nobody yet._`));
  for (const admin of data.admins) {
    const when = slackDate(admin.createdAt, "{date_short}", admin.createdAt.toISOString().slice(0, 10));
    blocks.push(
      section(
        mrkdwn`${mention(admin.userId)} · added by ${mention(admin.addedBy)} on ${when}`,
        button("Remove", HOME_ACTIONS.adminRemove, admin.userId, "danger", {
          title: "Remove this admin?",
          text: mrkdwn`${mention(admin.userId)} will no longer manage lines, contacts and settings.`,
          confirm: "Remove",
        }),
      ),
    );
  }
  if (data.adminCount > data.admins.length) {
    blocks.push(context(mrkdwn`…and ${data.adminCount - data.admins.length} more.`));
  }
  blocks.push({
    type: "actions",
    block_id: "home_admin_add",
    elements: [
      {
        type: "users_select",
        action_id: HOME_ACTIONS.adminAdd,
        placeholder: plain("Make someone an admin…", 150),
      },
    ],
  });
  return blocks;
}
