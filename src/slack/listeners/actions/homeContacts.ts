import type { App } from "@slack/bolt";
import { contactModalView } from "../../views/contactModal";
import { HOME_ACTIONS } from "../../views/homeIds";
import { importModalView } from "../../views/importModal";
import { mrkdwn } from "../../views/text";
import { onAdminAction, openModal } from "../homeAction";
import type { HomeDeps } from "../homeDeps";
import { notice } from "../homeNotice";

/** Contacts in the Home tab: add, edit, import. */
export function register(app: App, deps: HomeDeps): void {
  onAdminAction(app, deps, HOME_ACTIONS.contactAdd, async (action, client) => {
    await openModal(client, deps, action, contactModalView({ home: action.home }));
  });

  onAdminAction(app, deps, HOME_ACTIONS.contactImport, async (action, client) => {
    await openModal(client, deps, action, importModalView(action.home));
  });

  onAdminAction(app, deps, HOME_ACTIONS.contactEdit, async (action, client) => {
    const id = action.action.value ?? "";
    const contact = /^[0-9a-f-]{36}$/.test(id) ? await deps.contacts.get(id) : null;
    if (!contact) {
      await deps.home.publish(
        action.userId,
        action.home,
        notice("error", mrkdwn`That contact no longer exists.`),
      );
      return;
    }
    await openModal(client, deps, action, contactModalView({ home: action.home, contact }));
  });
}
