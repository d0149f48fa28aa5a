import type { App } from "@slack/bolt";
import { z } from "zod";
import { KIND_RULES, parseKind } from "../../../domain/conversationKind";
import type { GroupChoicesService } from "../../../services/groupChoices";
import { slackUserId, verifyModalOrigin } from "../../modalOrigin";
import {
  contactOptions,
  GROUP_MODAL_BLOCKS,
  GROUP_MODAL_CALLBACK,
  INPUT_ACTION,
  lineOptions,
} from "../../views/groupModal";

const CONTACTS_ACTION = GROUP_MODAL_BLOCKS.contacts + INPUT_ACTION;
/** A one-to-one form's single contact: searched the same way. */
const CONTACT_ACTION = GROUP_MODAL_BLOCKS.contact + INPUT_ACTION;
const LINE_ACTION = GROUP_MODAL_BLOCKS.line + INPUT_ACTION;

/** A `block_suggestion` from the group modal: what was typed, and the modal's state so far. */
const suggestion = z.object({
  user: z.object({ id: slackUserId }),
  value: z.string().max(2000).default(""),
  view: z.object({
    callback_id: z.literal(GROUP_MODAL_CALLBACK),
    private_metadata: z.string(),
    state: z
      .object({
        values: z.record(
          z.string(),
          z.record(
            z.string(),
            z.looseObject({ selected_option: z.object({ value: z.string().max(150) }).nullish() }),
          ),
        ),
      })
      .default({ values: {} }),
  }),
});

/**
 * Type-ahead for the group modal's contacts (and lines, past 100 of them). Slack waits 3 s for the
 * options; the search is indexed and capped at Slack's 100, so it answers well within that.
 */
export function register(app: App, choices: GroupChoicesService, signingSecret: string): void {
  const read = (body: unknown) => {
    const parsed = suggestion.safeParse(body);
    if (!parsed.success) return null;
    const { user, view } = parsed.data;
    // Only the member the modal was opened for searches through it.
    return verifyModalOrigin(signingSecret, view.private_metadata, user.id) ? parsed.data : null;
  };

  app.options<"block_suggestion">(
    { type: "block_suggestion", action_id: new RegExp(`^(${CONTACTS_ACTION}|${CONTACT_ACTION})$`) },
    async ({ ack, body, logger }) => {
      const request = read(body);
      if (!request) {
        logger.warn("contact search from a payload that is not this app's group modal for its user");
        await ack({ options: [] });
        return;
      }
      // Consent is shown for the line picked in the modal, or any line while none is.
      const lineId =
        request.view.state.values[GROUP_MODAL_BLOCKS.line]?.[LINE_ACTION]?.selected_option?.value;
      try {
        await ack({ options: contactOptions(await choices.searchContacts(request.value, lineId ?? null)) });
      } catch (error) {
        logger.error("contact search failed", error);
        await ack({ options: [] });
      }
    },
  );

  app.options<"block_suggestion">(
    { type: "block_suggestion", action_id: LINE_ACTION },
    async ({ ack, body, logger }) => {
      const request = read(body);
      if (!request) {
        logger.warn("line search from a payload that is not this app's group modal for its user");
        await ack({ options: [] });
        return;
      }
      // A group needs a group-enabled line; a text to one number goes from any active line.
      const kind = parseKind(
        request.view.state.values[GROUP_MODAL_BLOCKS.kind]?.[GROUP_MODAL_BLOCKS.kind + INPUT_ACTION]
          ?.selected_option?.value,
      );
      try {
        await ack({
          options: lineOptions(await choices.searchLines(request.value, KIND_RULES[kind].groupLinesOnly)),
        });
      } catch (error) {
        logger.error("line search failed", error);
        await ack({ options: [] });
      }
    },
  );
}
