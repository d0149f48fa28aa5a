import type { App } from "@slack/bolt";
import { HOME_ACTIONS } from "../../views/homeIds";
import { escapeMrkdwn } from "../../views/text";
import { type HomeDeps, notice, onAdminAction } from "../homeSupport";

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
          ? "Texts sent from threads now end with the teammate's name."
          : "Texts sent from threads no longer carry the teammate's name.",
      ),
    );
  });

  onAdminAction(app, deps, HOME_ACTIONS.noteMarker, async ({ userId, action, home }) => {
    const result = await deps.settings.setNoteMarker(action.value ?? "");
    await deps.home.publish(
      userId,
      { ...home, tab: "settings" },
      result.ok
        ? notice(
            "ok",
            `Thread replies that begin with \`${escapeMrkdwn(result.marker)}\` are now internal notes.`,
          )
        : notice("error", result.error),
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
            result.changed ? `<@${target}> is now a Reply-All admin.` : `<@${target}> already was an admin.`,
          )
        : notice("error", result.error),
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
              ? `<@${target}> is no longer a Reply-All admin (unless they are a workspace admin).`
              : "Nothing to remove.",
          )
        : notice("error", result.error),
    );
  });
}
