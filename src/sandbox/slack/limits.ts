/** Limits Slack enforces on blocks and views, checked so tests fail the way production would. */

import { SlackApiError } from "./types";
import { isRecord, type Json } from "./wire";

// Limits that apps commonly trip over.
export const MAX_MESSAGE_BLOCKS = 50;
const MAX_VIEW_BLOCKS = 100;
const MAX_SECTION_TEXT = 3000;
const MAX_VIEW_TITLE = 24;
const MAX_PRIVATE_METADATA = 3000;

export function validateBlocks(blocks: unknown, max: number, where: string): string | undefined {
  if (blocks === undefined) return undefined;
  if (!Array.isArray(blocks)) return `${where} must be an array`;
  if (blocks.length > max) return `${where} must have no more than ${max} items`;
  const ids = new Set<string>();
  for (const [i, block] of blocks.entries()) {
    if (!isRecord(block) || typeof block.type !== "string") return `${where}/${i} must have a string type`;
    if (typeof block.block_id === "string") {
      if (ids.has(block.block_id)) return `${where}/${i} has a duplicate block_id ${block.block_id}`;
      ids.add(block.block_id);
    }
    const text = block.text;
    if (
      block.type === "section" &&
      isRecord(text) &&
      typeof text.text === "string" &&
      text.text.length > MAX_SECTION_TEXT
    ) {
      return `${where}/${i}/text/text must be at most ${MAX_SECTION_TEXT} characters`;
    }
  }
  return undefined;
}

export function validateView(view: unknown): Json {
  if (!isRecord(view))
    throw new SlackApiError("invalid_arguments", {
      response_metadata: { messages: ["[ERROR] missing view"] },
    });
  const problems: string[] = [];
  if (view.type !== "modal" && view.type !== "home") problems.push("view/type must be modal or home");
  const title = view.title;
  if (view.type === "modal") {
    if (!isRecord(title) || typeof title.text !== "string")
      problems.push("view/title is required for modals");
    else if (title.text.length > MAX_VIEW_TITLE)
      problems.push(`view/title/text must be at most ${MAX_VIEW_TITLE} characters`);
    for (const key of ["submit", "close"]) {
      const b = view[key];
      if (isRecord(b) && typeof b.text === "string" && b.text.length > MAX_VIEW_TITLE) {
        problems.push(`view/${key}/text must be at most ${MAX_VIEW_TITLE} characters`);
      }
    }
  }
  if (typeof view.private_metadata === "string" && view.private_metadata.length > MAX_PRIVATE_METADATA) {
    problems.push(`view/private_metadata must be at most ${MAX_PRIVATE_METADATA} characters`);
  }
  const blockProblem = validateBlocks(view.blocks ?? [], MAX_VIEW_BLOCKS, "view/blocks");
  if (blockProblem) problems.push(blockProblem);
  if (problems.length > 0) {
    throw new SlackApiError("invalid_arguments", {
      response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) },
    });
  }
  return view;
}
