/** What carriers deliver as MMS through Bandwidth, and how much of it. */
export const MMS_CONTENT_TYPES = new Set([
  "image/jpeg",
  "image/png",
  "image/gif",
  "image/bmp",
  "video/mp4",
  "video/3gpp",
  "audio/mpeg",
  "audio/mp4",
  "audio/amr",
  "text/vcard",
  "text/x-vcard",
  "application/pdf",
]);

/** Bandwidth accepts up to 3.5 MB of media per message; carriers may shrink or drop more. */
export const MAX_MMS_BYTES = 3_500_000;
export const MAX_MMS_FILES = 10;

export interface AttachmentCandidate {
  name: string;
  mimetype: string;
  size: number;
}

export interface AttachmentSelection<T extends AttachmentCandidate> {
  accepted: T[];
  rejected: { file: T; reason: string }[];
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** Splits a reply's files into what can go as MMS and what cannot, with the reason for each. */
export function selectAttachments<T extends AttachmentCandidate>(files: T[]): AttachmentSelection<T> {
  const accepted: T[] = [];
  const rejected: { file: T; reason: string }[] = [];
  let total = 0;
  for (const file of files) {
    const type = file.mimetype.split(";")[0]?.trim().toLowerCase() ?? "";
    if (!MMS_CONTENT_TYPES.has(type)) {
      rejected.push({ file, reason: `${type || "this type"} cannot be sent as MMS` });
    } else if (file.size > MAX_MMS_BYTES) {
      rejected.push({
        file,
        reason: `it is ${megabytes(file.size)}; MMS allows ${megabytes(MAX_MMS_BYTES)}`,
      });
    } else if (total + file.size > MAX_MMS_BYTES) {
      rejected.push({ file, reason: `the attachments together would exceed ${megabytes(MAX_MMS_BYTES)}` });
    } else if (accepted.length >= MAX_MMS_FILES) {
      rejected.push({ file, reason: `at most ${MAX_MMS_FILES} attachments fit in one MMS` });
    } else {
      accepted.push(file);
      total += file.size;
    }
  }
  return { accepted, rejected };
}

/**
 * A file the app will not fetch or pass on, with the reason in words its author understands
 * ("its link does not point to Slack's file servers"). Not worth a retry.
 */
export class FileRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "FileRefused";
  }
}
