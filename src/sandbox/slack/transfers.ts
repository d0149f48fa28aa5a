/** The two file URLs outside the Web API: an upload_url that takes bytes, and files-pri downloads. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { reject, takeFault } from "./faults";
import { notify, type SlackState } from "./state";
import { type RecordedCall, UPLOAD_CALL } from "./types";
import { bearer, parseMultipart, readBody, sendJson, sendText } from "./wire";

export async function handleUpload(
  s: SlackState,
  req: IncomingMessage,
  res: ServerResponse,
  fileId: string,
): Promise<void> {
  const raw = await readBody(req);
  const contentType = req.headers["content-type"] ?? "";
  let bytes = raw;
  let filename: string | undefined;
  // WebClient sends multipart with one file part; a raw POST body (what curl-style clients send) works too.
  if (contentType.startsWith("multipart/form-data")) {
    const part = (await parseMultipart(raw, contentType)).files[0];
    if (part) {
      bytes = part.bytes;
      filename = part.filename;
    }
  }
  const token = bearer(req);
  const call: RecordedCall = {
    method: UPLOAD_CALL,
    args: { file_id: fileId, size: bytes.length, ...(filename !== undefined ? { filename } : {}) },
    at: Date.now(),
    ...(token !== undefined ? { token } : {}),
  };
  const fault = takeFault(s, UPLOAD_CALL);
  if (fault) {
    if ("error" in fault) {
      s.rejected.push({ ...call, status: 400, error: fault.error, reason: "injected" });
      sendText(res, 400, fault.error);
      notify(s);
    } else reject(s, res, call, fault, "injected");
    return;
  }
  const record = s.files.get(fileId);
  if (record) {
    record.bytes = bytes;
    s.uploadedFiles.set(fileId, bytes);
  } else call.error = "file_not_found";
  s.calls.push(call);
  if (record) sendText(res, 200, `OK - ${bytes.length}`);
  else sendText(res, 404, "Not Found");
  notify(s);
}

export function handleDownload(s: SlackState, req: IncomingMessage, res: ServerResponse, path: string): void {
  const token = bearer(req);
  // Paths look like T1-F123/name or T1-F123/download/name, mirroring files.slack.com.
  const fileId = /^[^/]*-([A-Z0-9]+)\//.exec(path)?.[1];
  const reg = fileId === undefined ? undefined : s.registered.get(fileId);
  const uploaded = fileId === undefined ? undefined : s.files.get(fileId);
  const bytes = reg?.bytes ?? (uploaded?.completed ? uploaded.bytes : undefined);
  const mimetype = reg?.mimetype ?? uploaded?.mimetype ?? "application/octet-stream";
  const status = token === undefined ? 401 : bytes === undefined ? 404 : 200;
  s.downloads.push({
    path,
    at: Date.now(),
    status,
    ...(fileId !== undefined ? { fileId } : {}),
    ...(token !== undefined ? { token } : {}),
  });
  notify(s);
  // Real Slack answers an unauthenticated file GET with an HTML login page; a 401 makes that bug obvious instead.
  if (status === 401) {
    sendText(res, 401, "not_authed: files-pri requires Authorization: Bearer <token>");
  } else if (bytes === undefined) {
    sendText(res, 404, "file_not_found");
  } else if (reg?.redirectTo) {
    res.writeHead(302, { location: reg.redirectTo }).end();
  } else if (reg?.unannouncedLength) {
    res.writeHead(200, { "content-type": mimetype });
    res.end(req.method === "HEAD" ? undefined : bytes);
  } else {
    res.writeHead(200, { "content-type": mimetype, "content-length": String(bytes.length) });
    res.end(req.method === "HEAD" ? undefined : bytes);
  }
}

/** JSON posted to a response_url (Bolt's `respond()`). */
export async function handleResponseUrl(
  s: SlackState,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
): Promise<void> {
  const raw = (await readBody(req)).toString("utf8");
  let body: unknown = raw;
  try {
    body = JSON.parse(raw) as unknown;
  } catch {
    // keep the raw text; Bolt always sends JSON but a test might not
  }
  s.responses.push({ id, body, at: Date.now() });
  notify(s);
  sendJson(res, 200, { ok: true });
}
