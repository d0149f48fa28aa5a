import type { App } from "@slack/bolt";
import { HOME_ACTIONS } from "../../views/homeIds";
import { renderNotice } from "../../views/notices";
import { mention, mrkdwn, slackText } from "../../views/text";
import { onAdminAction } from "../homeAction";
import type { HomeDeps } from "../homeDeps";
import { notice } from "../homeNotice";

/** Settings in the Home tab: sender names on texts, the note marker, and who else is an admin. */
export function register(app: App, deps: HomeDeps): void {
  onAdminAction(app, deps, HOME_ACTIONS.senderName, async ({ userId, action, home }) => {
    const on = (action.selected_options ?? []).some((o) => o.value === "on");
    await deps.settings.setAppendSenderName(on);
    await deps.home.publish(
      userId,
      { ...home, tab: "settings" },
      notice(
        "ok",
        on
          ? mrkdwn`Texts sent from threads now end with the teammate's name.`
          : mrkdwn`Texts sent from threads no longer carry the teammate's name.`,
      ),
    );
  });

  onAdminAction(app, deps, HOME_ACTIONS.noteMarker, async ({ userId, action, home }) => {
    const result = await deps.settings.setNoteMarker(action.value ?? "");
    await deps.home.publish(
      userId,
      { ...home, tab: "settings" },
      result.ok
        ? notice("ok", mrkdwn`Thread replies that begin with \`${result.marker}\` are now internal notes.`)
        : notice("error", slackText(result.error)),
    );
  });

  onAdminAction(app, deps, HOME_ACTIONS.adminAdd, async ({ userId, action, home }) => {
    const target = action.selected_user;
    if (!target) return;
    const result = await deps.admins.add(userId, target);
    await deps.home.publish(
      userId,
      { ...home, tab: "settings" },
      result.ok
        ? notice(
            "ok",
            result.changed
              ? mrkdwn`${mention(target)} is now a Reply-All admin.`
              : mrkdwn`${mention(target)} already was an admin.`,
          )
        : notice("error", renderNotice(result.error)),
    );
  });

  onAdminAction(app, deps, HOME_ACTIONS.adminRemove, async ({ userId, action, home }) => {
    const target = action.value ?? "";
    const result = await deps.admins.remove(userId, target);
    await deps.home.publish(
      userId,
      { ...home, tab: "settings" },
      result.ok
        ? notice(
            "ok",
            result.changed
              ? mrkdwn`${mention(target)} is no longer a Reply-All admin (unless they are a workspace admin).`
              : mrkdwn`Nothing to remove.`,
          )
        : notice("error", renderNotice(result.error)),
    );
  });
}
