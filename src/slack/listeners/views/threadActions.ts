import type { App } from "@slack/bolt";
import { z } from "zod";
import type { Logger } from "../../../logger";
import type { ThreadActionService, ThreadChange } from "../../../services/threadActions";
import { slackUserId } from "../../modalOrigin";
import { verifyThreadModalOrigin } from "../../threadModalOrigin";
import { THREAD_FIELDS, THREAD_MODALS } from "../../views/threadModals";

const stateValue = z.object({
  value: z.string().max(3000).nullish(),
  selected_options: z
    .array(z.object({ value: z.string().max(40) }))
    .max(20)
    .nullish(),
  selected_user: slackUserId.nullish(),
});

const submission = z.object({
  user: z.object({ id: slackUserId }),
  view: z.object({
    id: z.string().regex(/^V[A-Z0-9]{1,30}$/),
    callback_id: z.enum([THREAD_MODALS.rename, THREAD_MODALS.participants, THREAD_MODALS.assign]),
    private_metadata: z.string(),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), stateValue)) }),
  }),
});

const FIELD_OF = {
  [THREAD_MODALS.rename]: THREAD_FIELDS.name,
  [THREAD_MODALS.participants]: THREAD_FIELDS.add,
  [THREAD_MODALS.assign]: THREAD_FIELDS.assignee,
} as const;

/**
 * The rename, participants and assign modals. Each submission is checked again on the server (who
 * opened it, signed; channel membership and admin rules, now), applied once per view, and answered
 * inline within Slack's 3 s.
 */
export function register(
  app: App,
  actions: ThreadActionService,
  signingSecret: string,
  logger: Logger,
): void {
  for (const callbackId of Object.values(THREAD_MODALS)) {
    app.view(callbackId, async ({ ack, body }) => {
      const field = FIELD_OF[callbackId];
      const refuse = (message: string) => ack({ response_action: "errors", errors: { [field]: message } });
      const parsed = submission.safeParse(body);
      if (!parsed.success) {
        logger.warn({ issues: parsed.error.issues.slice(0, 5) }, "thread modal submission did not parse");
        await refuse("Something went wrong reading this form. Please reopen it.");
        return;
      }
      const { user, view } = parsed.data;
      const origin = verifyThreadModalOrigin(signingSecret, view.private_metadata, user.id);
      if (!origin) {
        logger.warn(
          { userId: user.id, callbackId },
          "thread modal with metadata the app did not sign for its user",
        );
        await refuse("This form was not opened here by you. Close it and use the thread's menu again.");
        return;
      }
      const value = (name: string) => view.state.values[name]?.[name];
      const change: ThreadChange =
        view.callback_id === THREAD_MODALS.rename
          ? { kind: "rename", name: value(THREAD_FIELDS.name)?.value ?? "" }
          : view.callback_id === THREAD_MODALS.participants
            ? {
                kind: "participants",
                keep: (value(THREAD_FIELDS.keep)?.selected_options ?? []).map((o) => o.value),
                add: value(THREAD_FIELDS.add)?.value ?? "",
              }
            : { kind: "assign", to: value(THREAD_FIELDS.assignee)?.selected_user ?? null };
      try {
        const result = await actions.apply(
          origin.conversationId,
          user.id,
          { kind: "view_submission", id: view.id, userId: user.id },
          change,
        );
        switch (result.status) {
          case "done":
          case "replay":
            await ack();
            return;
          case "refused":
            logger.warn({ userId: user.id, callbackId }, "thread modal submission refused");
            await refuse(result.reason);
            return;
          case "invalid":
          case "unchanged":
            await refuse(result.status === "invalid" ? result.error : result.reason);
            return;
          case "missing":
            await refuse("This conversation no longer exists.");
        }
      } catch (error) {
        logger.error({ err: error, callbackId }, "thread modal submission failed");
        await refuse("That did not work. Nothing changed. Please try again.");
      }
    });
  }
}
