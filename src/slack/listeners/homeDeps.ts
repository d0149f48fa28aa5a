import type { Logger } from "../../logger";
import type { AdminService } from "../../services/admins";
import type { ConsentAdminService } from "../../services/consentAdmin";
import type { ContactService } from "../../services/contacts";
import type { InteractionReceipts } from "../../services/interactions";
import type { LineService } from "../../services/lines";
import type { SettingsService } from "../../services/settings";
import type { HomePublisher } from "../homePublisher";

/** What the Home tab's listeners use. */
export interface HomeDeps {
  admins: AdminService;
  /** Modal submissions already acted on: a replayed one changes nothing. */
  interactions: InteractionReceipts;
  lines: LineService;
  contacts: ContactService;
  consentAdmin: ConsentAdminService;
  settings: SettingsService;
  home: HomePublisher;
  logger: Logger;
  /**
   * Downloads a file from Slack (url_private) with the bot token, at most `maxBytes`; throws
   * FileRefused when the link is not Slack's or the file is too large.
   */
  downloadFile(
    file: { id: string; name: string; mimetype: string; size: number; url: string },
    maxBytes: number,
  ): Promise<Buffer>;
}
