/** What the services need from Slack, in the domain's words. The Slack adapter builds the blocks. */

export interface ParticipantView {
  name: string | null;
  number: string;
  optedOut: boolean;
}

export interface ThreadRootView {
  groupName: string | null;
  line: { name: string; number: string; active: boolean };
  participants: ParticipantView[];
  /** Slack user id, or null when the contacts started the conversation. */
  startedBy: string | null;
  /** How a teammate keeps a reply in Slack (see domain/notes). */
  noteMarker: string;
  /** The cost line of the first message, e.g. "9 MMS (group text: 1 per contact, any length)". */
  cost: string | null;
}

export type ThreadEntryView =
  | {
      kind: "inbound";
      senderLabel: string;
      senderIcon: string;
      text: string;
      /** Attachments that could not be fetched from Bandwidth, reported in the thread. */
      missingMedia: number;
    }
  | { kind: "outbound"; slackUserId: string | null; text: string; cost: string; mediaCount: number }
  | { kind: "notice"; text: string };

export interface UploadedFile {
  bytes: Buffer;
  filename: string;
  contentType: string;
}

export interface SlackFile {
  id: string;
  name: string;
  mimetype: string;
  size: number;
  url: string;
}

export interface ThreadPublisher {
  postRoot(channel: string, root: ThreadRootView): Promise<string>;
  updateRoot(channel: string, ts: string, root: ThreadRootView): Promise<void>;
  postEntry(channel: string, threadTs: string, entry: ThreadEntryView): Promise<string>;
  uploadFiles(channel: string, threadTs: string, files: UploadedFile[], comment: string): Promise<void>;
  /** Privately, to one user; in the thread when `threadTs` is given. */
  notifyUser(channel: string, user: string, text: string, threadTs?: string): Promise<void>;
  permalink(channel: string, ts: string): Promise<string | null>;
  react(channel: string, ts: string, emoji: string): Promise<void>;
  /** Whether a file's URL is on Slack's own file servers, the only place the bot token goes. */
  isSlackFileUrl(url: string): boolean;
  /** At most `maxBytes`; throws FileRefused (domain/media) when the file will not be passed on. */
  downloadFile(file: SlackFile, maxBytes: number): Promise<Buffer>;
}
