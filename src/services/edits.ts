/**
 * The outcome of saving an edit made in a form. `stale` means the record changed since the form was
 * opened (its `updatedAt` moved): nothing was written and `current` holds the fresh values.
 */
export type EditResult<T, F extends string> =
  | { status: "saved"; value: T }
  | { status: "invalid"; errors: Partial<Record<F, string>> }
  | { status: "stale"; current: T }
  | { status: "missing" };

/** A form field's error map, or null when there is none. */
export function errorsOrNull<F extends string>(errors: Partial<Record<F, string>>) {
  return Object.keys(errors).length > 0 ? errors : null;
}
