import type { KnownBlock, View } from "@slack/types";
import type { ImportSummary } from "../../services/contacts";
import { encodeFormMetadata } from "./form";
import { MODALS } from "./homeIds";
import type { HomeState } from "./homeState";
import { context, plain, plural, section } from "./kit";
import { mrkdwn, SlackText } from "./text";

export const IMPORT_FIELDS = { paste: "import_paste", file: "import_file" } as const;

/** Slack caps a plain-text input at 3000 characters; longer lists come as a file. */
export const MAX_PASTE = 3000;

export function importModalView(home: HomeState): View {
  return {
    type: "modal",
    callback_id: MODALS.import,
    private_metadata: encodeFormMetadata({ home }),
    title: plain("Import contacts", 24),
    submit: plain("Import", 24),
    close: plain("Cancel", 24),
    blocks: [
      section(
        mrkdwn`One contact per row: \`name,number\` (a header row such as \`name,phone\` is fine, in any order). Known numbers get the name from the file; rows with a missing or invalid number, or a number already in the file, are skipped and listed.`,
      ),
      {
        type: "input",
        block_id: IMPORT_FIELDS.paste,
        optional: true,
        label: plain("Paste CSV"),
        element: {
          type: "plain_text_input",
          action_id: IMPORT_FIELDS.paste,
          multiline: true,
          max_length: MAX_PASTE,
          placeholder: plain("name,number\nDana Whitfield,(212) 555-0143", 150),
        },
      },
      {
        type: "input",
        block_id: IMPORT_FIELDS.file,
        optional: true,
        label: plain("…or upload a CSV file"),
        element: {
          type: "file_input",
          action_id: IMPORT_FIELDS.file,
          filetypes: ["csv", "txt"],
          max_files: 1,
        },
      },
      context(mrkdwn`Up to 10,000 rows and 2 MB per file.`),
    ],
  };
}

export function importProgressView(home: HomeState): View {
  return {
    type: "modal",
    callback_id: MODALS.importResult,
    private_metadata: encodeFormMetadata({ home }),
    title: plain("Import contacts", 24),
    close: plain("Close", 24),
    blocks: [section(mrkdwn`:hourglass_flowing_sand: Importing… this takes a few seconds.`)],
  };
}

const MAX_LISTED_REJECTIONS = 40;

export function importResultView(home: HomeState, summary: ImportSummary): View {
  const blocks: KnownBlock[] = [];
  if (summary.error) {
    blocks.push(section(mrkdwn`:warning: Nothing was imported. ${summary.error}`));
  } else {
    blocks.push(
      section(
        mrkdwn`:white_check_mark: *Import finished*\n• ${plural(summary.added, "contact")} added\n• ${plural(summary.updated, "contact")} updated (new name)\n• ${plural(summary.unchanged, "contact")} already saved, unchanged\n• ${plural(summary.rejected.length, "row")} rejected`,
      ),
    );
  }
  if (summary.rejected.length > 0) {
    // Reasons quote the file's cells: outside text.
    const listed = summary.rejected
      .slice(0, MAX_LISTED_REJECTIONS)
      .map((r) => mrkdwn`Row ${r.row}: ${r.reason}`);
    blocks.push(section(mrkdwn`*Rejected rows*\n${SlackText.join(listed, "\n")}`));
    if (summary.rejected.length > listed.length) {
      blocks.push(context(mrkdwn`…and ${summary.rejected.length - listed.length} more rejected rows.`));
    }
  }
  return {
    type: "modal",
    callback_id: MODALS.importResult,
    private_metadata: encodeFormMetadata({ home }),
    title: plain("Import contacts", 24),
    close: plain("Done", 24),
    blocks,
  };
}
