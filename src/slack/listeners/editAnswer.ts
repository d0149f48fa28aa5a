import type { View } from "@slack/types";
import type { EditResult } from "../../services/edits";
import type { FormValues } from "./formValues";
import type { HomeSubmission } from "./homeSubmission";

export interface EditAnswer<T, F extends string> {
  /** The form's input for each field the service may name in its errors. */
  fields: Record<F, string>;
  /** Where an error lands when its field is not shown. */
  fallback: string;
  /** The modal again, with the record's current values: someone else saved first. */
  stale(current: T): View;
  /** Shown when the record no longer exists. */
  missing: string;
}

/**
 * Answers a Home modal's submission from the service's EditResult: inline errors, the modal
 * redrawn with the current values, or closed. Returns the saved value, or null when the modal
 * stays open (nothing took effect).
 */
export async function answerEdit<T, F extends string>(
  result: EditResult<T, F>,
  submission: Pick<HomeSubmission, "ack"> & { form: FormValues },
  answer: EditAnswer<T, F>,
): Promise<T | null> {
  const { ack, form } = submission;
  switch (result.status) {
    case "invalid": {
      const byInput: Record<string, string | undefined> = {};
      for (const [field, input] of Object.entries(answer.fields) as Array<[F, string]>) {
        byInput[input] = result.errors[field];
      }
      await ack({ response_action: "errors", errors: form.errors(byInput, answer.fallback) });
      return null;
    }
    case "stale":
      await ack({ response_action: "update", view: answer.stale(result.current) });
      return null;
    case "missing":
      await ack({
        response_action: "errors",
        errors: form.errors({ [answer.fallback]: answer.missing }, answer.fallback),
      });
      return null;
    case "saved":
      await ack();
      return result.value;
  }
}
