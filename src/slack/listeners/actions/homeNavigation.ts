import type { App } from "@slack/bolt";
import { HOME_ACTIONS } from "../../views/homeIds";
import { CONVERSATION_STATES, HOME_TABS, type HomeTab } from "../../views/homeState";
import { onAdminAction } from "../homeAction";
import type { HomeDeps } from "../homeDeps";

const isTab = (value: string | undefined): value is HomeTab => HOME_TABS.includes(value as HomeTab);

/** Moving around the admin Home: tabs, pages, contact search and the opt-out list's line. */
export function register(app: App, deps: HomeDeps): void {
  onAdminAction(app, deps, new RegExp(`^${HOME_ACTIONS.nav}_`), async ({ userId, action, home }) => {
    const tab = isTab(action.value) ? action.value : "lines";
    await deps.home.publish(userId, { ...home, tab, page: 0 });
  });

  onAdminAction(app, deps, new RegExp(`^${HOME_ACTIONS.page}_`), async ({ userId, action, home }) => {
    const page = Number.parseInt(action.value ?? "0", 10);
    await deps.home.publish(userId, { ...home, page: Number.isFinite(page) && page >= 0 ? page : 0 });
  });

  onAdminAction(app, deps, HOME_ACTIONS.search, async ({ userId, action, home }) => {
    await deps.home.publish(userId, {
      ...home,
      tab: "contacts",
      page: 0,
      query: (action.value ?? "").trim().slice(0, 100),
    });
  });

  // The Conversations tab's filters: a line ("all": every line) and a state.
  onAdminAction(app, deps, HOME_ACTIONS.conversationLine, async ({ userId, action, home }) => {
    const value = action.selected_option?.value ?? "all";
    const conversationLineId = /^[0-9a-f-]{36}$/.test(value) ? value : null;
    await deps.home.publish(userId, { ...home, tab: "conversations", page: 0, conversationLineId });
  });

  onAdminAction(app, deps, HOME_ACTIONS.conversationState, async ({ userId, action, home }) => {
    const value = action.selected_option?.value;
    const conversationState = CONVERSATION_STATES.find((s) => s === value) ?? "open";
    await deps.home.publish(userId, { ...home, tab: "conversations", page: 0, conversationState });
  });

  onAdminAction(app, deps, HOME_ACTIONS.optOutLine, async ({ userId, action, home }) => {
    const lineId = action.selected_option?.value ?? null;
    await deps.home.publish(userId, { ...home, tab: "optouts", page: 0, lineId });
  });
}
