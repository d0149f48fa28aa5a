import { INPUT_ACTION } from "../views/groupModal";
import { FormValues, type InputValue } from "./formValues";

/** The group modal's form as Slack sends it back, in a submission or an action. */
interface GroupModalState {
  state: { values: Record<string, Record<string, InputValue>> };
  blocks?: { block_id?: string | undefined; type?: string | undefined }[];
}

/** The group modal's fields, by block id; each input's action id is its block id and INPUT_ACTION. */
export function groupModalForm(view: GroupModalState): FormValues {
  return new FormValues(view.state.values, view.blocks ?? [], (field) => field + INPUT_ACTION);
}
