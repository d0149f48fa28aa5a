import { z } from "zod";
import { type HomeState, homeState } from "./homeState";

/**
 * Inputs of edit forms carry the record's version in their block_id (`field.version`): when a form
 * is refreshed with newer values, new block ids make Slack show those values instead of keeping
 * what was typed. Listeners find a field by its name before the dot.
 */
export function fieldBlockId(field: string, version?: string | null): string {
  return version ? `${field}.${version}` : field;
}

export function versionTag(updatedAt: Date): string {
  return updatedAt.getTime().toString(36);
}

/** What a modal opened from the Home tab remembers. */
export interface FormMetadata {
  /** The record being edited, if any. */
  id?: string | undefined;
  /** Its updatedAt when the form was filled in (ISO). */
  version?: string | undefined;
  /** Extra: the consent status a consent form sets. */
  status?: "OPTED_OUT" | "OPTED_IN" | undefined;
  /** Where to bring the admin's Home tab back to. */
  home: HomeState;
}

const metadataSchema = z.object({
  id: z.uuid().optional(),
  version: z.iso.datetime().optional(),
  status: z.enum(["OPTED_OUT", "OPTED_IN"]).optional(),
  home: z.unknown().transform(homeState),
});

export function encodeFormMetadata(metadata: FormMetadata): string {
  return JSON.stringify(metadata);
}

export function parseFormMetadata(text: string): FormMetadata | null {
  try {
    const parsed = metadataSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
