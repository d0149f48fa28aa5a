import type { App } from "@slack/bolt";
import { consentModalView } from "../../views/consentModal";
import { HOME_ACTIONS } from "../../views/homeIds";
import { mrkdwn } from "../../views/text";
import { onAdminAction, openModal } from "../homeAction";
import type { HomeDeps } from "../homeDeps";
import { notice } from "../homeNotice";

/** Opt-outs in the Home tab: manual opt-out/opt-in forms and the CSV export. */
export function register(app: App, deps: HomeDeps): void {
  onAdminAction(app, deps, new RegExp(`^${HOME_ACTIONS.consentOpen}_`), async (action, client) => {
    const [status, lineId] = (action.action.value ?? "").split(":");
    const lines = await deps.lines.list();
    await openModal(
      client,
      deps,
      action,
      consentModalView({
        home: action.home,
        status: status === "OPTED_IN" ? "OPTED_IN" : "OPTED_OUT",
        lines,
        lineId: lineId ?? null,
      }),
    );
  });

  // The opt-out list as a CSV file in the admin's DM with the app.
  onAdminAction(app, deps, HOME_ACTIONS.optOutExport, async ({ userId, action, home }, client) => {
    const line = action.value ? await deps.lines.get(action.value).catch(() => null) : null;
    if (!line) {
      await deps.home.publish(userId, home, notice("error", mrkdwn`That line no longer exists.`));
      return;
    }
    const csv = await deps.consentAdmin.exportOptOutsCsv(line.id);
    const rows = Math.max(0, csv.trimEnd().split("\n").length - 1);
    const day = new Date().toISOString().slice(0, 10);
    const slug =
      line.name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, "") || "line";
    try {
      const dm = await client.conversations.open({ users: userId });
      const channel = dm.channel?.id;
      if (!channel) throw new Error("conversations.open returned no channel");
      await client.filesUploadV2({
        channel_id: channel,
        filename: `opt-outs-${slug}-${day}.csv`,
        title: `Opt-outs of ${line.name} (${day})`,
        file: Buffer.from(csv, "utf8"),
        initial_comment:
          mrkdwn`Opt-out list of *${line.name}*: ${rows} number${rows === 1 ? "" : "s"}, as of ${day}.`
            .markup,
      });
      await deps.home.publish(
        userId,
        home,
        notice(
          "ok",
          mrkdwn`The opt-out list of *${line.name}* (${rows} numbers) is in your direct messages with the app.`,
        ),
      );
    } catch (error) {
      deps.logger.error({ err: error }, "opt-out export upload failed");
      await deps.home.publish(
        userId,
        home,
        notice("error", mrkdwn`The CSV could not be sent to your direct messages; please try again.`),
      );
    }
  });
}
