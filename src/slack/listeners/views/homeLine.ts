import type { App } from "@slack/bolt";
import { formatPhone } from "../../../domain/phone";
import { MODALS } from "../../views/homeIds";
import { LINE_FIELDS, lineModalView } from "../../views/lineModal";
import { mrkdwn } from "../../views/text";
import { answerEdit } from "../editAnswer";
import type { HomeDeps } from "../homeDeps";
import { notice } from "../homeNotice";
import { onAdminView } from "../homeSubmission";

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
    const line = await answerEdit(
      result,
      { ack, form },
      {
        fields: {
          number: LINE_FIELDS.number,
          name: LINE_FIELDS.name,
          options: LINE_FIELDS.options,
          channel: LINE_FIELDS.channel,
        },
        fallback: LINE_FIELDS.name,
        stale: (current) =>
          lineModalView({
            home: metadata.home,
            line: current,
            notice: notice(
              "error",
              mrkdwn`Someone else changed this line while you were editing. These are its current settings; make your change again and save.`,
            ),
          }),
        missing: "This line no longer exists.",
      },
    );
    if (!line) return;
    const what = metadata.id ? "Saved" : "Added";
    await deps.home.publish(
      userId,
      { ...metadata.home, tab: "lines" },
      notice(
        "ok",
        mrkdwn`${what} *${line.name}* · ${formatPhone(line.number)}.${line.groupEnabled && line.active ? " It is offered in the group modal." : ""}`,
      ),
    );
  });
}
