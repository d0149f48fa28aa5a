import type { App, ViewResponseAction } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import { z } from "zod";
import { type FormMetadata, parseFormMetadata } from "../views/form";
import { FormValues, viewBlocksSchema, viewStateSchema } from "./formValues";
import type { HomeDeps } from "./homeDeps";
import { REFUSED } from "./homeNotice";

/** Slack's own cap on a plain_text_input: anything longer was not typed into the form. */
const MAX_SUBMITTED_TEXT = 3000;

const submissionSchema = z.object({
  id: z.string().regex(/^V[A-Z0-9]{1,30}$/),
  hash: z.string().optional(),
  private_metadata: z.string(),
  state: viewStateSchema.catch({ values: {} }),
  blocks: viewBlocksSchema,
});

export interface HomeSubmission {
  userId: string;
  viewId: string;
  metadata: FormMetadata;
  form: FormValues;
  /**
   * Answers Slack. By default an answer that closes the modal means the submission took effect;
   * errors or a form shown again mean it did not, and the same view may be submitted again.
   */
  ack(response?: ViewResponseAction, outcome?: { tookEffect: boolean }): Promise<void>;
}

type SubmissionHandler = (submission: HomeSubmission, client: WebClient) => Promise<void>;
type Ack = (response?: ViewResponseAction) => Promise<void>;
type Interaction = { kind: "view_submission"; id: string; userId: string };

/** The submitted view read: its form always (for errors), its id and metadata when they parse. */
function readSubmission(view: unknown) {
  const parsed = submissionSchema.safeParse(view);
  const form = new FormValues(parsed.data?.state.values ?? {}, parsed.data?.blocks ?? []);
  const metadata = parsed.success ? parseFormMetadata(parsed.data.private_metadata) : null;
  return { form, read: parsed.success && metadata ? { viewId: parsed.data.id, metadata } : null };
}

/** An inline error on the form's first input; a form without inputs is just closed. */
function refuser(ack: Ack, form: FormValues): (message: string) => Promise<void> {
  const firstInput = form.inputs()[0];
  return async (message) => {
    if (firstInput) await ack({ response_action: "errors", errors: { [firstInput]: message } });
    else await ack();
  };
}

/** One submission as it is being answered. */
interface Submitted {
  deps: HomeDeps;
  callbackId: string;
  interaction: Interaction;
  metadata: FormMetadata;
  form: FormValues;
  ack: Ack;
}

/** The admin's check, the text limit and the replay check, answered inline; true when all pass. */
async function admitSubmission({ deps, callbackId, interaction, form, ack }: Submitted): Promise<boolean> {
  const refuse = refuser(ack, form);
  const { userId } = interaction;
  if (!(await deps.admins.isAdmin(userId))) {
    deps.logger.warn({ userId, callbackId }, "refused a Home modal submission from a non-admin");
    await refuse(REFUSED);
    return false;
  }
  const overlong = form.overlong(MAX_SUBMITTED_TEXT);
  if (overlong) {
    await ack({
      response_action: "errors",
      errors: { [overlong]: `At most ${MAX_SUBMITTED_TEXT} characters.` },
    });
    return false;
  }
  let claimed: boolean;
  try {
    claimed = await deps.interactions.claim(interaction);
  } catch (error) {
    deps.logger.error({ err: error, callbackId }, "could not record a Home modal submission");
    await refuse("That did not work; please try again.");
    return false;
  }
  if (!claimed) {
    deps.logger.warn({ userId, callbackId }, "a Home modal submission came again; ignored");
    await ack();
  }
  return claimed;
}

/** Hands the admitted submission to its handler; one that did not take effect may be sent again. */
async function runSubmission(
  submitted: Submitted,
  handler: SubmissionHandler,
  client: WebClient,
): Promise<void> {
  const { deps, callbackId, interaction, metadata, form, ack } = submitted;
  const release = () => deps.interactions.release(interaction);
  let acked = false;
  const submission: HomeSubmission = {
    userId: interaction.userId,
    viewId: interaction.id,
    metadata,
    form,
    async ack(response, outcome) {
      const tookEffect = outcome?.tookEffect ?? response === undefined;
      if (!tookEffect) {
        // Slack must be answered even so; the form then cannot be sent again (it closes).
        await release().catch((error: unknown) => {
          deps.logger.warn({ err: error, callbackId }, "could not release a Home modal submission");
        });
      }
      acked = true;
      await ack(response);
    },
  };
  try {
    await handler(submission, client);
  } catch (error) {
    deps.logger.error({ err: error, callbackId }, "Home modal submission failed");
    if (!acked) {
      await release().catch(() => undefined);
      await refuser(ack, form)("That did not work; please try again.");
    }
  }
}

/**
 * A modal submission only admins may make, checked on the submission itself: a non-admin's
 * (forged) submission is answered with an inline error and changes nothing.
 */
export function onAdminView(app: App, deps: HomeDeps, callbackId: string, handler: SubmissionHandler): void {
  app.view({ type: "view_submission", callback_id: callbackId }, async ({ ack, body, view, client }) => {
    const answer: Ack = (response) => (response ? ack(response) : ack());
    const { form, read } = readSubmission(view);
    if (!read) {
      deps.logger.warn({ callbackId }, "Home modal submission did not parse");
      await refuser(answer, form)("Something went wrong reading this form; please close it and try again.");
      return;
    }
    const interaction = { kind: "view_submission", id: read.viewId, userId: body.user.id } as const;
    const submitted: Submitted = {
      deps,
      callbackId,
      interaction,
      metadata: read.metadata,
      form,
      ack: answer,
    };
    if (await admitSubmission(submitted)) await runSubmission(submitted, handler, client);
  });
}
