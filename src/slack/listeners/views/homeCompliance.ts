import type { App } from "@slack/bolt";
import type { ComplianceInput } from "../../../services/lines";
import { COMPLIANCE_FIELDS, complianceModalView } from "../../views/complianceModal";
import { MODALS } from "../../views/homeIds";
import { mrkdwn } from "../../views/text";
import { type FormValues, type HomeDeps, notice, onAdminView } from "../homeSupport";

export function complianceInput(form: FormValues): ComplianceInput {
  return {
    optOut: form.text(COMPLIANCE_FIELDS.optOut),
    optIn: form.text(COMPLIANCE_FIELDS.optIn),
    help: form.text(COMPLIANCE_FIELDS.help),
  };
}

/** The compliance messages modal: saved only if nobody changed the line meanwhile. */
export function register(app: App, deps: HomeDeps): void {
  onAdminView(app, deps, MODALS.compliance, async ({ userId, metadata, form, ack }) => {
    if (!metadata.id || !metadata.version) {
      await ack({
        response_action: "errors",
        errors: form.errors(
          { [COMPLIANCE_FIELDS.optOut]: "Please reopen this form." },
          COMPLIANCE_FIELDS.optOut,
        ),
      });
      return;
    }
    const result = await deps.lines.saveCompliance(
      metadata.id,
      new Date(metadata.version),
      complianceInput(form),
    );
    switch (result.status) {
      case "invalid":
        await ack({
          response_action: "errors",
          errors: form.errors(
            {
              [COMPLIANCE_FIELDS.optOut]: result.errors.optOut,
              [COMPLIANCE_FIELDS.optIn]: result.errors.optIn,
              [COMPLIANCE_FIELDS.help]: result.errors.help,
            },
            COMPLIANCE_FIELDS.optOut,
          ),
        });
        return;
      case "stale": {
        const { messages, defaults } = deps.lines.compliance(result.current);
        await ack({
          response_action: "update",
          view: complianceModalView({
            home: metadata.home,
            line: result.current,
            messages,
            defaults,
            notice: notice(
              "error",
              mrkdwn`Someone else changed this line's messages or settings while you were editing. These are the current messages; make your change again and save.`,
            ),
          }),
        });
        return;
      }
      case "missing":
        await ack({
          response_action: "errors",
          errors: form.errors(
            { [COMPLIANCE_FIELDS.optOut]: "This line no longer exists." },
            COMPLIANCE_FIELDS.optOut,
          ),
        });
        return;
      case "saved":
        await ack();
        await deps.home.publish(
          userId,
          { ...metadata.home, tab: "lines" },
          notice(
            "ok",
            mrkdwn`Saved the compliance messages of *${result.value.name}*. The next STOP, START or HELP gets them.`,
          ),
        );
    }
  });
}
