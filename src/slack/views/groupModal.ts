import type { InputBlock, KnownBlock, ModalView, PlainTextOption } from "@slack/types";
import { type ConversationKind, KIND_RULES } from "../../domain/conversationKind";
import { type ModalEstimate, modalEstimate } from "../../domain/modalEstimate";
import { MAX_GROUP_CONTACTS, MAX_GROUP_NAME_LENGTH } from "../../domain/participants";
import { formatPhone } from "../../domain/phone";
import { MAX_TEXT_LENGTH } from "../../domain/segments";
import type { ContactChoice, LineChoice } from "../../services/groupChoices";
import { button, context, inputBlock, placeholder, plain, section } from "./kit";
import { clip, mrkdwn, SlackText } from "./text";

export const GROUP_MODAL_CALLBACK = "group_start";

export const GROUP_MODAL_BLOCKS = {
  /** What the modal starts (see ConversationKind): switching it redraws the modal for that kind. */
  kind: "kind",
  line: "line",
  /** The one contact of a one-to-one text, picked from the saved ones. */
  contact: "contact",
  contacts: "contacts",
  numbers: "numbers",
  name: "name",
  message: "message",
  channel: "channel",
} as const;

/** Each input block holds one element; its action id is the block id with this suffix. */
export const INPUT_ACTION = "_value";

export interface GroupModalInput {
  /** Group when absent. */
  kind?: ConversationKind /** Where the modal was opened from, signed (see slack/modalOrigin): returned with the submission. */;
  privateMetadata: string;
  lines: { id: string; name: string; number: string }[];
  /** Whether any contact is saved: they are then searched as the member types (see contactOptions). */
  hasContacts: boolean;
  initialText?: string;
  /** The channel the thread opens in unless another is picked; null asks for one (a DM, a shortcut). */
  defaultChannel?: string | null;
  /**
   * The message input's version (see messageBlockId): a redraw for another kind renders it anew,
   * holding the text typed so far, so that text carries over.
   */
  messageVersion?: number;
}

const KIND_LABELS: Record<ConversationKind, string> = {
  group: `Group: one shared thread, up to ${MAX_GROUP_CONTACTS} contacts`,
  one: "One contact",
  many: "Many contacts: the same text to each, separately",
};

const KIND_TITLES: Record<ConversationKind, string> = {
  group: "New group text",
  one: "New text",
  many: "Text many contacts",
};

function kindOption(kind: ConversationKind): PlainTextOption {
  return { text: plain(KIND_LABELS[kind]), value: kind };
}

/** At the top: what to start. Choosing another kind sends an action that redraws the modal for it. */
function kindBlock(kind: ConversationKind): KnownBlock {
  return {
    type: "actions",
    block_id: GROUP_MODAL_BLOCKS.kind,
    elements: [
      {
        type: "radio_buttons",
        action_id: GROUP_MODAL_BLOCKS.kind + INPUT_ACTION,
        options: (["group", "one", "many"] as const).map(kindOption),
        initial_option: kindOption(kind),
      },
    ],
  };
}

// Slack caps a static select at 100 options.
const MAX_OPTIONS = 100;

/**
 * Where the thread is posted. Only channels: a DM or a group DM cannot hold a group's thread (the
 * app would neither be in it nor hear the replies), so from one the picker starts empty.
 */
function channelBlock(defaultChannel: string | null): KnownBlock {
  const usable = defaultChannel && /^[CG]/.test(defaultChannel) ? defaultChannel : null;
  return inputBlock(
    GROUP_MODAL_BLOCKS.channel,
    "Post the thread in",
    {
      type: "conversations_select",
      action_id: GROUP_MODAL_BLOCKS.channel + INPUT_ACTION,
      filter: { include: ["public", "private"], exclude_bot_users: true },
      placeholder: placeholder("Choose a channel"),
      ...(usable ? { initial_conversation: usable, default_to_current_conversation: true } : {}),
    },
    { hint: "Replies from the group appear in this channel's thread. The app must be in a private channel." },
  );
}

/** The line texts come from; without one, a note on how to get one. */
function lineBlock(lines: GroupModalInput["lines"], groupLinesOnly: boolean): KnownBlock {
  if (lines.length === 0)
    return section(
      groupLinesOnly
        ? mrkdwn`:warning: *No group-enabled line is configured.* An admin can add one in the app's Home tab.`
        : mrkdwn`:warning: *No active line is configured.* An admin can add one in the app's Home tab.`,
    );
  const action_id = GROUP_MODAL_BLOCKS.line + INPUT_ACTION;
  const options = lineOptions(lines.slice(0, MAX_OPTIONS));
  // Past Slack's 100 options a static select would hide lines: they are searched as typed instead.
  const element: InputBlock["element"] =
    lines.length > MAX_OPTIONS
      ? {
          type: "external_select",
          action_id,
          min_query_length: 0,
          placeholder: placeholder("Search lines by name or number"),
        }
      : {
          type: "static_select",
          action_id,
          options,
          ...(options.length === 1 && options[0] ? { initial_option: options[0] } : {}),
          placeholder: placeholder("Choose the number texts come from"),
        };
  return inputBlock(GROUP_MODAL_BLOCKS.line, "Outbound line", element);
}

/**
 * The saved contacts, searched as the member types: one for a one-to-one text, several otherwise.
 * Each change sends an action, so the cost shown counts the contacts picked so far.
 */
function savedContactsBlock(kind: ConversationKind, maxContacts: number): KnownBlock {
  const one = kind === "one";
  const block = one ? GROUP_MODAL_BLOCKS.contact : GROUP_MODAL_BLOCKS.contacts;
  // min_query_length 0: the most recent contacts are listed as soon as the menu opens.
  const element: InputBlock["element"] = one
    ? {
        type: "external_select",
        action_id: block + INPUT_ACTION,
        min_query_length: 0,
        placeholder: placeholder("Search contacts"),
      }
    : {
        type: "multi_external_select",
        action_id: block + INPUT_ACTION,
        max_selected_items: maxContacts,
        min_query_length: 0,
        placeholder: placeholder(`Search up to ${maxContacts} contacts`),
      };
  return inputBlock(block, one ? "Saved contact" : "Saved contacts", element, {
    optional: true,
    dispatchAction: true,
    hint: "Type a name or part of a number to search every saved contact.",
  });
}

const NUMBERS_HINTS: Record<ConversationKind, (maxContacts: number) => string> = {
  group: () =>
    `One per line or comma-separated, e.g. (212) 555-0143. Up to ${MAX_GROUP_CONTACTS} contacts in all.`,
  one: () =>
    "e.g. (212) 555-0143. A contact who already has a conversation on this line continues in its thread.",
  many: (maxContacts) =>
    `One per line or comma-separated. Up to ${maxContacts} contacts in all; each gets the text on their own, and those who opted out are skipped.`,
};

/** New numbers, typed; each keystroke sends an action, so the cost follows them. */
function numbersBlock(kind: ConversationKind, hasContacts: boolean): KnownBlock {
  const rules = KIND_RULES[kind];
  const one = kind === "one";
  const label = one ? (hasContacts ? "Or a new mobile number" : "Mobile number") : "New mobile numbers";
  return inputBlock(
    GROUP_MODAL_BLOCKS.numbers,
    label,
    {
      type: "plain_text_input",
      action_id: GROUP_MODAL_BLOCKS.numbers + INPUT_ACTION,
      multiline: !one,
      dispatch_action_config: { trigger_actions_on: ["on_character_entered"] },
      max_length: rules.maxTypedLength,
      placeholder: placeholder(one ? "(212) 555-0143" : "(212) 555-0143, +1 646 555 0199"),
    },
    { optional: hasContacts, dispatchAction: true, hint: NUMBERS_HINTS[kind](rules.maxContacts) },
  );
}

function groupNameBlock(): KnownBlock {
  return inputBlock(
    GROUP_MODAL_BLOCKS.name,
    "Group name",
    {
      type: "plain_text_input",
      action_id: GROUP_MODAL_BLOCKS.name + INPUT_ACTION,
      max_length: MAX_GROUP_NAME_LENGTH,
      placeholder: placeholder("e.g. Saturday crew"),
    },
    { optional: true },
  );
}

export function groupModalView(input: GroupModalInput): ModalView {
  const kind = input.kind ?? "group";
  const rules = KIND_RULES[kind];
  const blocks: KnownBlock[] = [
    kindBlock(kind),
    channelBlock(input.defaultChannel ?? null),
    lineBlock(input.lines, rules.groupLinesOnly),
    ...(input.hasContacts ? [savedContactsBlock(kind, rules.maxContacts)] : []),
    numbersBlock(kind, input.hasContacts),
    ...(kind === "group" ? [groupNameBlock()] : []),
    messageBlock(input.messageVersion ?? 0, input.initialText),
    ...estimateBlocks(modalEstimate(0, input.initialText ?? "", kind)),
  ];
  return {
    type: "modal",
    callback_id: GROUP_MODAL_CALLBACK,
    private_metadata: input.privateMetadata,
    title: plain(KIND_TITLES[kind], 24),
    submit: plain(kind === "many" ? "Send to each" : "Send", 24),
    close: plain("Cancel", 24),
    blocks,
  };
}

// ---------------------------------------------------------------------------------------------
// The message input and its live estimate

/** The estimate under the message, and the note on characters that force UCS-2 with its button. */
export const GROUP_MODAL_ESTIMATE_BLOCK = "estimate";
export const GROUP_MODAL_UCS2_BLOCK = "ucs2";
export const PLAIN_PUNCTUATION_ACTION = "group_plain_punctuation";

/**
 * The message block's id for each rendering of the input. Slack keeps what was typed in an input
 * whose block and action ids are unchanged, and ignores a new initial_value there; so replacing the
 * text (plain punctuation) renders the input under a new block id: "message", "message.1", ...
 */
export function messageBlockId(version: number): string {
  return version === 0 ? GROUP_MODAL_BLOCKS.message : `${GROUP_MODAL_BLOCKS.message}.${version}`;
}

/** The version of a message block id, or null for any other block id. */
export function messageBlockVersion(blockId: string): number | null {
  const match = /^message(?:\.(\d{1,6}))?$/.exec(blockId);
  if (!match) return null;
  return match[1] ? Number(match[1]) : 0;
}

function messageBlock(version: number, initialText?: string): InputBlock {
  const initial = initialText?.slice(0, MAX_TEXT_LENGTH);
  // Typing sends actions (Slack spaces them out), so the cost below follows the text.
  return inputBlock(
    messageBlockId(version),
    "Message",
    {
      type: "plain_text_input",
      action_id: GROUP_MODAL_BLOCKS.message + INPUT_ACTION,
      multiline: true,
      max_length: MAX_TEXT_LENGTH,
      dispatch_action_config: { trigger_actions_on: ["on_character_entered"] },
      ...(initial ? { initial_value: initial } : {}),
    },
    { dispatchAction: true },
  );
}

/** How many UCS-2 characters are named one by one; the rest are counted. */
const MAX_NAMED_CHARACTERS = 8;

function characterName(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}

const KIND_NOTES: Record<ConversationKind, { about: SlackText; billing: SlackText }> = {
  group: {
    about: mrkdwn`Every contact sees every reply.`,
    billing: mrkdwn`A group text travels as group MMS: each message costs one MMS per contact, whatever its length.`,
  },
  one: {
    about: mrkdwn`Replies come back to this contact's thread.`,
    billing: mrkdwn`A text to one contact is billed per SMS segment (160 plain characters, 70 with UCS-2 characters).`,
  },
  many: {
    about: mrkdwn`Each contact gets the text on their own and replies in their own thread; nobody sees the others.`,
    billing: mrkdwn`Each contact's text is billed per SMS segment (160 plain characters, 70 with UCS-2 characters).`,
  },
};

export function estimateBlocks(estimate: ModalEstimate): KnownBlock[] {
  const kind = estimate.kind ?? "group";
  const cost = estimate.cost ? mrkdwn`*Cost:* ${estimate.cost}` : KIND_NOTES[kind].billing;
  const blocks: KnownBlock[] = [
    { ...context(mrkdwn`${KIND_NOTES[kind].about} ${cost}`), block_id: GROUP_MODAL_ESTIMATE_BLOCK },
  ];
  if (estimate.ucs2.length) {
    const named = estimate.ucs2
      .slice(0, MAX_NAMED_CHARACTERS)
      .map((ch) => mrkdwn`“${ch}” (${characterName(ch)})`);
    const more = estimate.ucs2.length - MAX_NAMED_CHARACTERS;
    const list = SlackText.join(more > 0 ? [...named, mrkdwn`and ${more} more`] : named, ", ");
    // They change what a text to one contact costs; a group text is MMS, billed the same either way.
    const cost =
      kind === "group" && estimate.recipients > 1
        ? mrkdwn` A group text is MMS and costs the same either way.`
        : mrkdwn``;
    const note = mrkdwn`These characters make a text UCS-2, 70 characters to an SMS segment instead of 160: ${list}.${cost}`;
    blocks.push({
      ...section(
        note,
        estimate.plain ? button("Use plain punctuation", PLAIN_PUNCTUATION_ACTION, "plain") : undefined,
      ),
      block_id: GROUP_MODAL_UCS2_BLOCK,
    });
  }
  return blocks;
}

/** The modal as Slack last showed it, read back from an action's payload. */
export interface ShownGroupModal {
  callbackId: string;
  privateMetadata: string;
  title: ModalView["title"];
  submit?: ModalView["submit"];
  close?: ModalView["close"];
  /** Slack's own rendering of the blocks the app sent (see groupModalWithEstimate). */
  blocks: KnownBlock[];
}

/**
 * The modal again with a fresh estimate. Every other block is sent back as Slack showed it, so
 * what the member typed or picked stays (same block and action ids) and blocks this builder does
 * not know about are kept. With `replaceText`, the message input is rendered anew under the next
 * block id, holding that text.
 */
export function groupModalWithEstimate(
  shown: ShownGroupModal,
  estimate: ModalEstimate,
  replaceText?: string,
): ModalView {
  const blocks: KnownBlock[] = [];
  let sawMessage = false;
  for (const block of shown.blocks) {
    const id = "block_id" in block ? block.block_id : undefined;
    if (id === GROUP_MODAL_ESTIMATE_BLOCK || id === GROUP_MODAL_UCS2_BLOCK) continue;
    const version = id === undefined ? null : messageBlockVersion(id);
    if (version === null) {
      blocks.push(block);
      continue;
    }
    sawMessage = true;
    blocks.push(replaceText === undefined ? block : messageBlock(version + 1, replaceText));
    blocks.push(...estimateBlocks(estimate));
  }
  if (!sawMessage) blocks.push(...estimateBlocks(estimate));
  return {
    type: "modal",
    callback_id: shown.callbackId,
    private_metadata: shown.privateMetadata,
    title: shown.title,
    ...(shown.submit ? { submit: shown.submit } : {}),
    ...(shown.close ? { close: shown.close } : {}),
    blocks,
  };
}

// ---------------------------------------------------------------------------------------------
// Options for the external selects (Bolt's options listener answers with these)

/** Slack's limit on an option's text. */
const OPTION_TEXT = 75;

/**
 * "Name · (212) 555-0143 (opted out)": the name gives way to the limit, never the number or the
 * consent, which are what the choice is made on.
 */
export function contactOptions(choices: readonly ContactChoice[]): PlainTextOption[] {
  return choices.slice(0, MAX_OPTIONS).map((c) => {
    const tail = `${formatPhone(c.number)}${c.optedOut ? " (opted out)" : ""}`;
    const name = c.name ? `${clip(c.name, Math.max(1, OPTION_TEXT - tail.length - 3))} · ` : "";
    return { text: plain(name + tail, OPTION_TEXT), value: c.id };
  });
}

export function lineOptions(lines: readonly LineChoice[]): PlainTextOption[] {
  return lines.slice(0, MAX_OPTIONS).map((line) => ({
    text: plain(`${line.name} · ${formatPhone(line.number)}`, OPTION_TEXT),
    value: line.id,
  }));
}
