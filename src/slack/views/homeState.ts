import { z } from "zod";

export const HOME_TABS = ["lines", "conversations", "contacts", "optouts", "usage", "settings"] as const;

/** Which conversations the admin's Conversations tab lists. */
export const CONVERSATION_STATES = ["open", "closed", "all"] as const;
export type ConversationState = (typeof CONVERSATION_STATES)[number];
export type HomeTab = (typeof HOME_TABS)[number];

/** Where an admin is in the Home tab: kept in the view's private_metadata and in modals opened from it. */
export interface HomeState {
  tab: HomeTab;
  page: number;
  query: string;
  lineId: string | null;
  /** The Conversations tab's filters: one line (null: every line) and a state. */
  conversationLineId?: string | null;
  conversationState?: ConversationState;
}

export const DEFAULT_HOME_STATE: HomeState = { tab: "lines", page: 0, query: "", lineId: null };

const schema = z.object({
  tab: z.enum(HOME_TABS).catch("lines"),
  page: z.number().int().min(0).max(100_000).catch(0),
  query: z.string().max(100).catch(""),
  lineId: z.uuid().nullable().catch(null),
  conversationLineId: z.uuid().nullable().optional().catch(null),
  conversationState: z.enum(CONVERSATION_STATES).optional().catch("open"),
});

export function homeState(raw: unknown): HomeState {
  const parsed = schema.safeParse(raw);
  return parsed.success ? parsed.data : { ...DEFAULT_HOME_STATE };
}

/** Reads a state from JSON text (private_metadata, a button value); anything unreadable is the default. */
export function parseHomeState(text: string | null | undefined): HomeState {
  if (!text) return { ...DEFAULT_HOME_STATE };
  try {
    return homeState(JSON.parse(text));
  } catch {
    return { ...DEFAULT_HOME_STATE };
  }
}

export function encodeHomeState(state: HomeState): string {
  return JSON.stringify(state);
}
