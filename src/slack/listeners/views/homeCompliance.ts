import type { App } from "@slack/bolt";
import type { ComplianceInput } from "../../../services/lines";
import { COMPLIANCE_FIELDS, complianceModalView } from "../../views/complianceModal";
import { MODALS } from "../../views/homeIds";
import { mrkdwn } from "../../views/text";
import { answerEdit } from "../editAnswer";
import type { FormValues } from "../formValues";
import type { HomeDeps } from "../homeDeps";
import { notice } from "../homeNotice";
import { onAdminView } from "../homeSubmission";

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
    const line = await answerEdit(
      result,
      { ack, form },
      {
        fields: {
          optOut: COMPLIANCE_FIELDS.optOut,
          optIn: COMPLIANCE_FIELDS.optIn,
          help: COMPLIANCE_FIELDS.help,
        },
        fallback: COMPLIANCE_FIELDS.optOut,
        stale: (current) => {
          const { messages, defaults } = deps.lines.compliance(current);
          return complianceModalView({
            home: metadata.home,
            line: current,
            messages,
            defaults,
            notice: notice(
              "error",
              mrkdwn`Someone else changed this line's messages or settings while you were editing. These are the current messages; make your change again and save.`,
            ),
          });
        },
        missing: "This line no longer exists.",
      },
    );
    if (!line) return;
    await deps.home.publish(
      userId,
      { ...metadata.home, tab: "lines" },
      notice(
        "ok",
        mrkdwn`Saved the compliance messages of *${line.name}*. The next STOP, START or HELP gets them.`,
      ),
    );
  });
}
