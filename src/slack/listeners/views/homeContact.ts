import type { App } from "@slack/bolt";
import { formatPhone } from "../../../domain/phone";
import { CONTACT_FIELDS, contactModalView } from "../../views/contactModal";
import { MODALS } from "../../views/homeIds";
import { mrkdwn } from "../../views/text";
import { answerEdit } from "../editAnswer";
import type { HomeDeps } from "../homeDeps";
import { notice } from "../homeNotice";
import { onAdminView } from "../homeSubmission";

/** The add/edit contact modal. */
export function register(app: App, deps: HomeDeps): void {
  onAdminView(app, deps, MODALS.contact, async ({ userId, metadata, form, ack }) => {
    const name = form.text(CONTACT_FIELDS.name);
    const result =
      metadata.id && metadata.version
        ? await deps.contacts.rename(metadata.id, new Date(metadata.version), name)
        : await deps.contacts.create({ number: form.text(CONTACT_FIELDS.number), name }, userId);
    const c = await answerEdit(
      result,
      { ack, form },
      {
        fields: { number: CONTACT_FIELDS.number, name: CONTACT_FIELDS.name },
        fallback: CONTACT_FIELDS.name,
        stale: (current) =>
          contactModalView({
            home: metadata.home,
            contact: current,
            notice: notice(
              "error",
              mrkdwn`Someone else changed this contact while you were editing. This is its current name; edit it again and save.`,
            ),
          }),
        missing: "This contact no longer exists.",
      },
    );
    if (!c) return;
    await deps.home.publish(
      userId,
      { ...metadata.home, tab: "contacts" },
      notice(
        "ok",
        mrkdwn`${metadata.id ? "Saved" : "Added"} ${c.name ? mrkdwn`*${c.name}* · ` : ""}${formatPhone(c.number)}.`,
      ),
    );
  });
}
