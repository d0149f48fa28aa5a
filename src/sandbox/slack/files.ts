/** files.*: the upload flow filesUploadV2 drives, files.info, and files as messages show them. */
import {
  type FileRecord,
  fileUrl,
  type MethodTable,
  newId,
  processing,
  type SlackState,
  type StoredRegisteredFile,
} from "./state";
import { BOT_USER_ID, SlackApiError, type SlackFileObject, TEAM_DOMAIN, TEAM_ID } from "./types";
import { isRecord, type Json, requireStr, str } from "./wire";

/** The file types an image block shows (Slack: png, jpg, jpeg, gif), told by the file's name here. */
const IMAGE_BLOCK_FILE = /\.(png|jpe?g|gif)$/i;

export function filetypeOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot >= 0 ? name.slice(dot + 1).toLowerCase() : "binary";
}

function fileObject(s: SlackState, f: FileRecord): Json {
  return {
    id: f.id,
    created: f.created,
    timestamp: f.created,
    name: f.filename,
    title: f.title,
    mimetype: processing(f) ? "" : f.mimetype,
    filetype: processing(f) ? "" : filetypeOf(f.filename),
    user: BOT_USER_ID,
    size: f.bytes?.length ?? f.length,
    mode: "hosted",
    is_external: false,
    is_public: f.channel_id?.startsWith("C") ?? false,
    url_private: fileUrl(s, `${TEAM_ID}-${f.id}/${encodeURIComponent(f.filename)}`),
    url_private_download: fileUrl(s, `${TEAM_ID}-${f.id}/download/${encodeURIComponent(f.filename)}`),
    permalink: `https://${TEAM_DOMAIN}.slack.com/files/${BOT_USER_ID}/${f.id}/${encodeURIComponent(f.filename)}`,
    channels: f.channel_id?.startsWith("C") ? [f.channel_id] : [],
    groups: f.channel_id?.startsWith("G") ? [f.channel_id] : [],
    ims: [],
    shares: {},
    file_access: "visible",
  };
}

export function registeredFileObject(s: SlackState, f: StoredRegisteredFile): SlackFileObject {
  const name = encodeURIComponent(f.name);
  return {
    id: f.id,
    created: f.created,
    timestamp: f.created,
    name: f.name,
    title: f.name,
    mimetype: f.mimetype,
    filetype: filetypeOf(f.name),
    pretty_type: filetypeOf(f.name).toUpperCase(),
    user: "UFILEOWNER",
    user_team: TEAM_ID,
    editable: false,
    size: f.bytes.length,
    mode: "hosted",
    is_external: false,
    external_type: "",
    is_public: true,
    public_url_shared: false,
    display_as_bot: false,
    username: "",
    url_private: fileUrl(s, `${TEAM_ID}-${f.id}/${name}`),
    url_private_download: fileUrl(s, `${TEAM_ID}-${f.id}/download/${name}`),
    permalink: `https://${TEAM_DOMAIN}.slack.com/files/UFILEOWNER/${f.id}/${name}`,
    permalink_public: `https://slack-files.com/${TEAM_ID}-${f.id}-0000000000`,
    has_rich_preview: false,
    file_access: "visible",
  };
}

/**
 * Image blocks as Slack checks them: alt text, and exactly one source; a `slack_file` must name a
 * file whose upload was completed (or one registered as already in Slack) and that is a picture.
 * Slack refuses the whole message otherwise (invalid_blocks).
 */
export function imageBlockProblem(s: SlackState, blocks: unknown): string | undefined {
  if (!Array.isArray(blocks)) return undefined;
  for (const [i, block] of blocks.entries()) {
    if (!isRecord(block) || block.type !== "image") continue;
    const where = `blocks/${i}`;
    if (typeof block.alt_text !== "string" || block.alt_text.length === 0 || block.alt_text.length > 2000)
      return `${where}/alt_text must be a string of 1 to 2000 characters`;
    const file = block.slack_file;
    if ((block.image_url === undefined) === (file === undefined))
      return `${where} must have exactly one of image_url and slack_file`;
    if (file === undefined) continue;
    if (!isRecord(file) || (file.id === undefined) === (file.url === undefined))
      return `${where}/slack_file must have exactly one of id and url`;
    if (typeof file.id !== "string") continue;
    const uploaded = s.files.get(file.id);
    const name = uploaded?.completed ? uploaded.filename : s.registered.get(file.id)?.name;
    if (name === undefined || (uploaded && processing(uploaded)))
      return `invalid slack file [json-pointer:/${where}/slack_file]`;
    if (!IMAGE_BLOCK_FILE.test(name)) return `${where}/slack_file: ${file.id} is not a png, jpg or gif image`;
  }
  return undefined;
}

/** The bytes of an uploaded or registered file, for showing it. */
export function fileContent(
  s: SlackState,
  id: string,
): { bytes: Buffer; mimetype: string; name: string } | undefined {
  const reg = s.registered.get(id);
  if (reg) return { bytes: reg.bytes, mimetype: reg.mimetype, name: reg.name };
  const uploaded = s.files.get(id);
  if (uploaded?.completed && uploaded.bytes)
    return { bytes: uploaded.bytes, mimetype: uploaded.mimetype, name: uploaded.filename };
  return undefined;
}

function getUploadURLExternal(s: SlackState, args: Json): Json {
  const filename = requireStr(args, "filename");
  const length = Number(requireStr(args, "length"));
  if (!Number.isInteger(length) || length < 1) throw new SlackApiError("invalid_arguments");
  const id = newId(s, "F");
  const altText = str(args, "alt_text");
  s.files.set(id, {
    id,
    filename,
    title: filename,
    length,
    ...(altText !== undefined ? { alt_text: altText } : {}),
    mimetype: "application/octet-stream",
    completed: false,
    created: Math.floor(Date.now() / 1000),
  });
  return { upload_url: `${s.baseUrl}/upload/v1/${id}`, file_id: id };
}

function completeUploadExternal(s: SlackState, args: Json): Json {
  const list = args.files;
  if (!Array.isArray(list) || list.length === 0) throw new SlackApiError("invalid_arguments");
  const records = list.map((entry) => {
    const id = isRecord(entry) && typeof entry.id === "string" ? entry.id : undefined;
    const record = id === undefined ? undefined : s.files.get(id);
    if (!record?.bytes) throw new SlackApiError("file_not_found");
    if (isRecord(entry) && typeof entry.title === "string") record.title = entry.title;
    return record;
  });
  const channelId = str(args, "channel_id") ?? str(args, "channels");
  for (const record of records) {
    record.completed = true;
    record.processedAt = Date.now() + s.fileProcessingMs;
    record.channel_id = channelId;
    record.thread_ts = str(args, "thread_ts");
    record.initial_comment = str(args, "initial_comment");
  }
  return { files: records.map((r) => ({ id: r.id, title: r.title })) };
}

function info(s: SlackState, args: Json): Json {
  const id = requireStr(args, "file", "file_not_found");
  const record = s.files.get(id);
  if (record?.completed)
    return { file: fileObject(s, record), comments: [], response_metadata: { next_cursor: "" } };
  const reg = s.registered.get(id);
  if (reg)
    return { file: registeredFileObject(s, reg), comments: [], response_metadata: { next_cursor: "" } };
  throw new SlackApiError("file_not_found");
}

export function fileMethods(s: SlackState): MethodTable {
  return {
    "files.getUploadURLExternal": (args) => getUploadURLExternal(s, args),
    "files.completeUploadExternal": (args) => completeUploadExternal(s, args),
    "files.info": (args) => info(s, args),
  };
}
