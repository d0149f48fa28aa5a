import type { App } from "@slack/bolt";
import { formatPhone } from "../../../domain/phone";
import { CONTACT_FIELDS, contactModalView } from "../../views/contactModal";
import { MODALS } from "../../views/homeIds";
import { mrkdwn } from "../../views/text";
import { type HomeDeps, notice, onAdminView } from "../homeSupport";

/** The add/edit contact modal. */
export function register(app: App, deps: HomeDeps): void {
  onAdminView(app, deps, MODALS.contact, async ({ userId, metadata, form, ack }) => {
    const name = form.text(CONTACT_FIELDS.name);
    const result =
      metadata.id && metadata.version
        ? await deps.contacts.rename(metadata.id, new Date(metadata.version), name)
        : await deps.contacts.create({ number: form.text(CONTACT_FIELDS.number), name }, userId);
    switch (result.status) {
      case "invalid":
        await ack({
          response_action: "errors",
          errors: form.errors(
            { [CONTACT_FIELDS.number]: result.errors.number, [CONTACT_FIELDS.name]: result.errors.name },
            CONTACT_FIELDS.name,
          ),
        });
        return;
      case "stale":
        await ack({
          response_action: "update",
          view: contactModalView({
            home: metadata.home,
            contact: result.current,
            notice: notice(
              "error",
              mrkdwn`Someone else changed this contact while you were editing. This is its current name; edit it again and save.`,
            ),
          }),
        });
        return;
      case "missing":
        await ack({
          response_action: "errors",
          errors: form.errors(
            { [CONTACT_FIELDS.name]: "This contact no longer exists." },
            CONTACT_FIELDS.name,
          ),
        });
        return;
      case "saved": {
        await ack();
        const c = result.value;
        await deps.home.publish(
          userId,
          { ...metadata.home, tab: "contacts" },
          notice(
            "ok",
            mrkdwn`${metadata.id ? "Saved" : "Added"} ${c.name ? mrkdwn`*${c.name}* · ` : ""}${formatPhone(c.number)}.`,
          ),
        );
      }
    }
  });
}
