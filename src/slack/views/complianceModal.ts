import type { KnownBlock, View } from "@slack/types";
import { formatPhone } from "../../domain/phone";
import { countSegments, MAX_TEXT_LENGTH } from "../../domain/segments";
import type { ComplianceField } from "../../services/lines";
import { encodeFormMetadata, fieldBlockId, versionTag } from "./form";
import { COMPLIANCE_ACTIONS, MODALS } from "./homeIds";
import type { HomeState } from "./homeState";
import { button, context, type Notice, noticeBlock, plain, plural, section } from "./kit";
import { mrkdwn, SlackText } from "./text";

export const COMPLIANCE_FIELDS: Record<ComplianceField, string> = {
  optOut: "compliance_opt_out",
  optIn: "compliance_opt_in",
  help: "compliance_help",
};

const LABELS: Record<ComplianceField, { label: string; when: string }> = {
  optOut: {
    label: "Opt-out confirmation",
    when: "Sent once when a contact texts STOP (or a sibling keyword).",
  },
  optIn: { label: "Opt-in confirmation", when: "Sent when a contact texts START to opt back in." },
  help: { label: "Help reply", when: "Sent when a contact texts HELP." },
};

export interface ComplianceModalInput {
  home: HomeState;
  line: { id: string; name: string; number: string; updatedAt: Date };
  /** What the inputs hold: the stored messages, or what the admin typed (for a preview). */
  messages: Record<ComplianceField, string>;
  defaults: Record<ComplianceField, string>;
  notice?: Notice;
}

/** Advice on a compliance text, from carriers' (CTIA) expectations. */
export function complianceAdvice(field: ComplianceField, text: string): string[] {
  const advice: string[] = [];
  if (field === "optOut" && !/\b(START|UNSTOP|SUBSCRIBE)\b/i.test(text)) {
    advice.push("Say how to opt back in (e.g. “Reply START to resubscribe”).");
  }
  if (field === "help" && !/\bSTOP\b/i.test(text))
    advice.push("Say how to opt out (e.g. “Reply STOP to unsubscribe”).");
  if (field === "optIn" && !/\bSTOP\b/i.test(text)) advice.push("Remind them how to opt out (“Reply STOP”).");
  return advice;
}

/** "68 characters · GSM-7 · 1 segment", plus what the text costs when it is more than one segment. */
export function describeLength(text: string): string {
  const count = countSegments(text);
  const cost = count.segments > 1 ? ` (each reply is billed as ${count.segments} texts)` : "";
  const encoding = count.encoding === "UCS-2" ? "UCS-2: emoji or accents use 70-character segments" : "GSM-7";
  return `${text.length.toLocaleString("en-US")} characters · ${encoding} · ${plural(count.segments, "segment")}${cost}`;
}

function quote(text: string): SlackText {
  return SlackText.join(
    text.split("\n").map((l) => mrkdwn`> ${l}`),
    "\n",
  );
}

export function complianceModalView(input: ComplianceModalInput): View {
  const { line } = input;
  const version = versionTag(line.updatedAt);
  const blocks: KnownBlock[] = [
    section(
      mrkdwn`The automatic replies of *${line.name}* · ${formatPhone(line.number)}. Carriers require them; keep them short (one segment) and name who is texting.`,
    ),
  ];
  if (input.notice) blocks.push(noticeBlock(input.notice));
  for (const field of ["optOut", "optIn", "help"] as const) {
    const text = input.messages[field];
    const isDefault = text.trim() === input.defaults[field];
    blocks.push(
      {
        type: "input",
        block_id: fieldBlockId(COMPLIANCE_FIELDS[field], version),
        label: plain(LABELS[field].label),
        hint: plain(LABELS[field].when, 150),
        element: {
          type: "plain_text_input",
          action_id: COMPLIANCE_FIELDS[field],
          multiline: true,
          max_length: MAX_TEXT_LENGTH,
          ...(text ? { initial_value: text.slice(0, MAX_TEXT_LENGTH) } : {}),
        },
      },
      section(
        mrkdwn`*Preview* · from ${formatPhone(line.number)}${isDefault ? " · _default_" : " · _custom_"}\n${text.trim() ? quote(text.trim()) : mrkdwn`_(empty)_`}`,
      ),
      context(
        SlackText.join(
          [describeLength(text.trim()), ...complianceAdvice(field, text)].map((t) => mrkdwn`${t}`),
          " · ",
        ),
      ),
    );
  }
  blocks.push({
    type: "actions",
    block_id: "compliance_tools",
    elements: [
      button("Update preview", COMPLIANCE_ACTIONS.preview, line.id),
      button("Reset to defaults", COMPLIANCE_ACTIONS.reset, line.id, "danger", {
        title: "Reset to defaults?",
        text: mrkdwn`The three messages go back to the built-in texts right away.`,
        confirm: "Reset",
      }),
    ],
  });
  return {
    type: "modal",
    callback_id: MODALS.compliance,
    private_metadata: encodeFormMetadata({
      id: line.id,
      version: line.updatedAt.toISOString(),
      home: input.home,
    }),
    title: plain("Compliance messages", 24),
    submit: plain("Save", 24),
    close: plain("Cancel", 24),
    blocks,
  };
}
