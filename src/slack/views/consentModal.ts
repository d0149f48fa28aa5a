import type { View } from "@slack/types";
import { formatPhone } from "../../domain/phone";
import { encodeFormMetadata } from "./form";
import { MODALS } from "./homeIds";
import type { HomeState } from "./homeState";
import { context, plain } from "./kit";
import { mrkdwn } from "./text";

export const CONSENT_FIELDS = {
  line: "consent_line",
  number: "consent_number",
  reason: "consent_reason",
} as const;

export interface ConsentModalInput {
  home: HomeState;
  status: "OPTED_OUT" | "OPTED_IN";
  lines: { id: string; name: string; number: string }[];
  lineId: string | null;
}

/** A manual opt-out or opt-in (a request made by phone or email), recorded with its reason. */
export function consentModalView(input: ConsentModalInput): View {
  const out = input.status === "OPTED_OUT";
  const options = input.lines.slice(0, 100).map((l) => ({
    text: plain(`${l.name} · ${formatPhone(l.number)}`),
    value: l.id,
  }));
  const initial = options.find((o) => o.value === input.lineId);
  return {
    type: "modal",
    callback_id: MODALS.consent,
    private_metadata: encodeFormMetadata({ home: input.home, status: input.status }),
    title: plain(out ? "Opt out a number" : "Opt a number in", 24),
    submit: plain(out ? "Opt out" : "Opt in", 24),
    close: plain("Cancel", 24),
    blocks: [
      {
        type: "input",
        block_id: CONSENT_FIELDS.line,
        label: plain("Line"),
        element: {
          type: "static_select",
          action_id: CONSENT_FIELDS.line,
          options,
          ...(initial ? { initial_option: initial } : {}),
          placeholder: plain("Choose a line", 150),
        },
      },
      {
        type: "input",
        block_id: CONSENT_FIELDS.number,
        label: plain("Number"),
        element: {
          type: "plain_text_input",
          action_id: CONSENT_FIELDS.number,
          max_length: 40,
          placeholder: plain("(212) 555-0143", 150),
        },
      },
      {
        type: "input",
        block_id: CONSENT_FIELDS.reason,
        label: plain("Reason"),
        hint: plain("Kept in the audit trail and shown in the threads, e.g. “asked by email on 3 May”.", 150),
        element: { type: "plain_text_input", action_id: CONSENT_FIELDS.reason, max_length: 500 },
      },
      context(
        out
          ? mrkdwn`The number gets nothing more from this line until it opts back in. No text is sent to it.`
          : mrkdwn`Only opt a number back in when its owner asked for it. No text is sent to it.`,
      ),
    ],
  };
}
