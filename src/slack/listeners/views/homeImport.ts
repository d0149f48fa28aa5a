import type { App } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import { z } from "zod";
import { parseContactsCsv } from "../../../domain/contactCsv";
import { FileRefused } from "../../../domain/media";
import type { ImportSummary } from "../../../services/contacts";
import { MODALS } from "../../views/homeIds";
import { IMPORT_FIELDS, importProgressView, importResultView } from "../../views/importModal";
import { mrkdwn } from "../../views/text";
import type { HomeDeps } from "../homeDeps";
import { notice } from "../homeNotice";
import { onAdminView } from "../homeSubmission";

export const MAX_IMPORT_FILE_BYTES = 2 * 1024 * 1024;

const fileInfo = z.object({
  file: z.object({
    id: z.string(),
    name: z.string().default("contacts.csv"),
    mimetype: z.string().default("text/csv"),
    size: z.number().default(0),
    url_private_download: z.string().optional(),
    url_private: z.string().optional(),
  }),
});

const failed = (error: string): ImportSummary => ({
  added: 0,
  updated: 0,
  unchanged: 0,
  rejected: [],
  error,
});

/** Reads an uploaded file. The URL comes from Slack's files.info, never from the submitted form. */
async function readUpload(
  client: WebClient,
  deps: HomeDeps,
  fileId: string,
): Promise<string | ImportSummary> {
  const info = fileInfo.safeParse(await client.files.info({ file: fileId }));
  if (!info.success) return failed("Slack did not find the uploaded file.");
  const file = info.data.file;
  const url = file.url_private_download ?? file.url_private;
  if (!url) return failed("Slack did not give a download link for the file.");
  const tooLarge = failed("The file is larger than 2 MB; split it into smaller files.");
  if (file.size > MAX_IMPORT_FILE_BYTES) return tooLarge;
  let bytes: Buffer;
  try {
    // The declared size may lie: the download itself stops at the cap.
    bytes = await deps.downloadFile(
      { id: file.id, name: file.name, mimetype: file.mimetype, size: file.size, url },
      MAX_IMPORT_FILE_BYTES,
    );
  } catch (error) {
    if (!(error instanceof FileRefused)) throw error;
    deps.logger.warn({ fileId: file.id, reason: error.reason }, "contact import file refused");
    return error.reason.startsWith("it is larger")
      ? tooLarge
      : failed(`The file was not read: ${error.reason}. Upload the CSV to Slack itself and try again.`);
  }
  if (bytes.includes(0)) return failed("The file is not a text (CSV) file.");
  return bytes.toString("utf8");
}

/** The CSV import modal: validated inline, imported after the modal shows "Importing…". */
export function register(app: App, deps: HomeDeps): void {
  onAdminView(app, deps, MODALS.import, async ({ userId, viewId, metadata, form, ack }, client) => {
    const pasted = form.text(IMPORT_FIELDS.paste).trim();
    const [fileId, ...more] = form.fileIds(IMPORT_FIELDS.file);
    const error = (field: string, message: string) =>
      ack({ response_action: "errors", errors: form.errors({ [field]: message }, IMPORT_FIELDS.paste) });
    if (!pasted && !fileId) {
      await error(IMPORT_FIELDS.paste, "Paste CSV rows here or upload a CSV file below.");
      return;
    }
    if (pasted && fileId) {
      await error(IMPORT_FIELDS.file, "Paste rows or upload a file, not both.");
      return;
    }
    if (more.length > 0) {
      await error(IMPORT_FIELDS.file, "Upload one file at a time.");
      return;
    }
    if (pasted) {
      const check = parseContactsCsv(pasted);
      if (check.error) {
        await error(IMPORT_FIELDS.paste, check.error);
        return;
      }
      if (check.contacts.length === 0 && check.rejected.length === 0) {
        await error(IMPORT_FIELDS.paste, "No rows found: write one `name,number` per line.");
        return;
      }
    }
    const home = { ...metadata.home, tab: "contacts" as const };
    // The import starts now: this submission has taken effect, though the modal stays open.
    await ack({ response_action: "update", view: importProgressView(home) }, { tookEffect: true });

    let summary: ImportSummary;
    try {
      const text = pasted || (fileId ? await readUpload(client, deps, fileId) : "");
      summary = typeof text === "string" ? await deps.contacts.importCsv(text, userId) : text;
    } catch (err) {
      deps.logger.error({ err }, "contact import failed");
      summary = failed("Something went wrong while importing; nothing more was imported. Please try again.");
    }
    await client.views
      .update({ view_id: viewId, view: importResultView(home, summary) })
      .catch((err: unknown) =>
        deps.logger.warn({ err }, "could not show the import summary (modal closed?)"),
      );
    const headline = summary.error
      ? notice("error", mrkdwn`Import failed: ${summary.error}`)
      : notice(
          "ok",
          mrkdwn`Import finished: ${summary.added} added, ${summary.updated} updated, ${summary.unchanged} unchanged, ${summary.rejected.length} rejected.`,
        );
    await deps.home.publish(userId, home, headline);
  });
}
