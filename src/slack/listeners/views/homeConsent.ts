import type { App } from "@slack/bolt";
import { formatPhone } from "../../../domain/phone";
import { CONSENT_FIELDS } from "../../views/consentModal";
import { MODALS } from "../../views/homeIds";
import { mrkdwn } from "../../views/text";
import type { HomeDeps } from "../homeDeps";
import { notice } from "../homeNotice";
import { onAdminView } from "../homeSubmission";

/** Manual opt-out / opt-in with a reason, recorded by ConsentAdminService with the admin as actor. */
export function register(app: App, deps: HomeDeps): void {
  onAdminView(app, deps, MODALS.consent, async ({ userId, metadata, form, ack }) => {
    const status = metadata.status ?? "OPTED_OUT";
    const lineId = form.selected(CONSENT_FIELDS.line);
    if (!lineId || !/^[0-9a-f-]{36}$/.test(lineId)) {
      await ack({
        response_action: "errors",
        errors: form.errors({ [CONSENT_FIELDS.line]: "Choose a line." }, CONSENT_FIELDS.line),
      });
      return;
    }
    const result = await deps.consentAdmin.change({
      lineId,
      number: form.text(CONSENT_FIELDS.number),
      status,
      actor: userId,
      reason: form.text(CONSENT_FIELDS.reason),
    });
    if (!result.ok) {
      const field = {
        number: CONSENT_FIELDS.number,
        reason: CONSENT_FIELDS.reason,
        line: CONSENT_FIELDS.line,
      }[result.field];
      await ack({
        response_action: "errors",
        errors: form.errors({ [field]: result.error }, CONSENT_FIELDS.number),
      });
      return;
    }
    await ack();
    const line = await deps.lines.get(lineId);
    const lineName = line?.name ?? "the line";
    const who = formatPhone(result.number);
    const text = !result.changed
      ? mrkdwn`${who} already was ${status === "OPTED_OUT" ? "opted out of" : "opted in to"} ${lineName}; nothing changed.`
      : status === "OPTED_OUT"
        ? mrkdwn`${who} is opted out of ${lineName}. Its threads say so.`
        : mrkdwn`${who} is opted back in to ${lineName}. Its threads say so.`;
    await deps.home.publish(
      userId,
      { ...metadata.home, tab: "optouts", lineId },
      notice(result.changed ? "ok" : "info", text),
    );
  });
}
