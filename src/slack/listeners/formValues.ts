import { z } from "zod";

/** A picked option; Slack caps an option's value at 150 characters, 2000 leaves room and no more. */
export const selectedOption = z.object({ value: z.string().max(2000) });

/** One input's value as Slack submits it: only what the app's forms read is checked. */
const inputValue = z
  .object({
    type: z.string().optional(),
    value: z.string().nullish(),
    selected_option: selectedOption.nullish(),
    selected_options: z.array(selectedOption).nullish(),
    // A channel id is about a dozen characters; anything much longer was not picked in Slack.
    selected_conversation: z.string().max(40).nullish(),
    selected_user: z.string().nullish(),
    files: z.array(z.object({ id: z.string() }).passthrough()).nullish(),
  })
  .passthrough();

export type InputValue = z.infer<typeof inputValue>;

/** A view's `state`: each input's value, by block id and then by action id. */
export const viewStateSchema = z.object({
  values: z.record(z.string(), z.record(z.string(), inputValue)),
});

/** A view's blocks, as far as reading its form needs them. */
export const viewBlocksSchema = z
  .array(z.object({ block_id: z.string().optional(), type: z.string().optional() }).passthrough())
  .default([]);

type ViewBlock = { block_id?: string | undefined; type?: string | undefined };

/**
 * The values of a submitted (or interacted-with) view, found by field name. A field's block id is
 * its name, or its name and a version after a dot (see views/form's fieldBlockId); its action id is
 * what `actionId` makes of the name (Home modals use the name itself).
 */
export class FormValues {
  constructor(
    private readonly values: Record<string, Record<string, InputValue>>,
    private readonly blocks: ViewBlock[] = [],
    private readonly actionId: (field: string) => string = (field) => field,
  ) {}

  private entry(field: string): InputValue | undefined {
    for (const [blockId, actions] of Object.entries(this.values)) {
      if (blockId === field || blockId.startsWith(`${field}.`)) return actions[this.actionId(field)];
    }
    return undefined;
  }

  text(field: string): string {
    return this.entry(field)?.value ?? "";
  }

  /** A field's text, or null when the form has no such input or Slack sent none (left empty). */
  optionalText(field: string): string | null {
    return this.entry(field)?.value ?? null;
  }

  /** A field's text in one block id, for a field the view renders under several (see messageBlockId). */
  textIn(blockId: string, field: string): string {
    return this.values[blockId]?.[this.actionId(field)]?.value ?? "";
  }

  selected(field: string): string | null {
    return this.entry(field)?.selected_option?.value ?? null;
  }

  checked(field: string): string[] {
    return (this.entry(field)?.selected_options ?? []).map((o) => o.value);
  }

  conversation(field: string): string | null {
    return this.entry(field)?.selected_conversation ?? null;
  }

  fileIds(field: string): string[] {
    return (this.entry(field)?.files ?? []).map((f) => f.id);
  }

  /** The first block holding a text longer than `max`, if any. */
  overlong(max: number): string | null {
    const found = Object.entries(this.values).find(([, actions]) =>
      Object.values(actions).some((a) => (a.value?.length ?? 0) > max),
    );
    return found ? found[0] : null;
  }

  /** Whether the view shows a block of this id (a form drawn before that field existed does not). */
  shows(blockId: string): boolean {
    return this.blocks.some((b) => b.block_id === blockId);
  }

  /** The input block a field is in, as the view has it now. */
  blockId(field: string): string | undefined {
    return this.inputs().find((id) => id === field || id.startsWith(`${field}.`));
  }

  inputs(): string[] {
    return this.blocks.filter((b) => b.type === "input" && b.block_id).map((b) => b.block_id as string);
  }

  /** Errors keyed by the view's block ids; a field the view does not show lands on `fallback`. */
  errors(errors: Record<string, string | undefined>, fallback: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [field, message] of Object.entries(errors)) {
      if (!message) continue;
      const block = this.blockId(field) ?? this.blockId(fallback) ?? this.inputs()[0];
      if (!block) continue;
      out[block] = out[block] ? `${out[block]} ${message}` : message;
    }
    return out;
  }
}
