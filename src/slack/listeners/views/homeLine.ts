import type { App } from "@slack/bolt";
import { formatPhone } from "../../../domain/phone";
import { MODALS } from "../../views/homeIds";
import { LINE_FIELDS, lineModalView } from "../../views/lineModal";
import { mrkdwn } from "../../views/text";
import { type HomeDeps, notice, onAdminView } from "../homeSupport";

/** The add/edit line modal. */
export function register(app: App, deps: HomeDeps): void {
  onAdminView(app, deps, MODALS.line, async ({ userId, metadata, form, ack }) => {
    const input = {
      name: form.text(LINE_FIELDS.name),
      groupEnabled: form.checked(LINE_FIELDS.options).includes("group"),
      defaultChannel: form.conversation(LINE_FIELDS.channel),
    };
    const result =
      metadata.id && metadata.version
        ? await deps.lines.update(metadata.id, new Date(metadata.version), input)
        : await deps.lines.create({ ...input, number: form.text(LINE_FIELDS.number) });
    switch (result.status) {
      case "invalid":
        await ack({
          response_action: "errors",
          errors: form.errors(
            {
              [LINE_FIELDS.number]: result.errors.number,
              [LINE_FIELDS.name]: result.errors.name,
              [LINE_FIELDS.options]: result.errors.options,
              [LINE_FIELDS.channel]: result.errors.channel,
            },
            LINE_FIELDS.name,
          ),
        });
        return;
      case "stale":
        await ack({
          response_action: "update",
          view: lineModalView({
            home: metadata.home,
            line: result.current,
            notice: notice(
              "error",
              mrkdwn`Someone else changed this line while you were editing. These are its current settings; make your change again and save.`,
            ),
          }),
        });
        return;
      case "missing":
        await ack({
          response_action: "errors",
          errors: form.errors({ [LINE_FIELDS.name]: "This line no longer exists." }, LINE_FIELDS.name),
        });
        return;
      case "saved": {
        await ack();
        const line = result.value;
        const what = metadata.id ? "Saved" : "Added";
        await deps.home.publish(
          userId,
          { ...metadata.home, tab: "lines" },
          notice(
            "ok",
            mrkdwn`${what} *${line.name}* · ${formatPhone(line.number)}.${line.groupEnabled && line.active ? " It is offered in the group modal." : ""}`,
          ),
        );
      }
    }
  });
}
