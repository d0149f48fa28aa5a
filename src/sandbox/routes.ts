/**
 * The sandbox page and the endpoints behind it, served on the app's own front in sandbox mode only.
 * Each endpoint turns a click on the page into what Slack or Bandwidth would send (a signed Slack
 * request, a Basic-auth Bandwidth callback) and sends it to the app's real routes.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { z } from "zod";
import { BODY_LIMIT, BodyTooLarge, readBody } from "../http/body";
import type { Route } from "../http/router";
import type { SandboxWorld } from "./sandbox";
import {
  appHomeOpenedEvent,
  blockActionsBody,
  blockSuggestionBody,
  eventCallbackBody,
  fakeTriggerId,
  messageEvent,
  postSlack,
  type SlackBody,
  slashCommandBody,
  viewSubmissionBody,
} from "./slackRequests";
import { SANDBOX_CHANNELS, SANDBOX_CONTACTS, SANDBOX_LINES, SANDBOX_TEAMMATES } from "./world";

/** The page's files sit beside this module in src/ (also when it runs compiled from dist/). */
function pageFile(name: string): string {
  const candidates = [
    path.join(__dirname, "page", name),
    ...[1, 2, 3, 4].map((up) =>
      path.resolve(__dirname, ...Array<string>(up).fill(".."), "src", "sandbox", "page", name),
    ),
  ];
  for (const candidate of candidates) {
    try {
      return readFileSync(candidate, "utf8");
    } catch {
      // try the next place
    }
  }
  throw new Error(`sandbox page file ${name} not found`);
}

const teammateId = z.enum(SANDBOX_TEAMMATES.map((t) => t.id) as [string, ...string[]]);
const channelId = z.enum(SANDBOX_CHANNELS.map((c) => c.id) as [string, ...string[]]);
const contactNumber = z.enum(SANDBOX_CONTACTS.map((c) => c.number) as [string, ...string[]]);
const lineNumber = z.enum(SANDBOX_LINES.map((l) => l.number) as [string, ...string[]]);
const stateValues = z.record(z.string(), z.record(z.string(), z.record(z.string(), z.unknown())));
const viewRef = z.object({ viewId: z.string().min(1).max(40) });
const picture = z.object({
  contentType: z.enum(["image/png", "image/jpeg", "image/gif"]),
  base64: z.string().max(700_000),
});
const file = z.object({
  name: z.string().min(1).max(200),
  contentType: z.string().min(1).max(100),
  base64: z.string().max(700_000),
});

const inputs = {
  command: z.object({ user: teammateId, channel: channelId, text: z.string().max(2000).default("") }),
  submit: viewRef.extend({ user: teammateId, values: stateValues }),
  action: z.object({
    user: teammateId,
    viewId: z.string().min(1).max(40).optional(),
    channel: channelId.optional(),
    messageTs: z.string().max(40).optional(),
    values: stateValues.default({}),
    action: z.looseObject({ action_id: z.string().max(255), block_id: z.string().max(255) }),
  }),
  options: viewRef.extend({
    user: teammateId,
    values: stateValues,
    actionId: z.string().max(255),
    blockId: z.string().max(255),
    value: z.string().max(2000),
  }),
  reply: z.object({
    user: teammateId,
    channel: channelId,
    threadTs: z.string().max(40),
    text: z.string().max(4000),
    files: z.array(file).max(3).default([]),
  }),
  home: z.object({ user: teammateId }),
  phone: z.object({
    from: contactNumber,
    line: lineNumber,
    others: z.array(contactNumber).max(9),
    text: z.string().max(2048),
    picture: picture.optional(),
  }),
  failing: z.object({ number: contactNumber, failing: z.boolean() }),
};

class BadRequest extends Error {}

async function readJson<T>(req: IncomingMessage, schema: z.ZodType<T>): Promise<T> {
  let body: unknown;
  try {
    body = JSON.parse((await readBody(req, BODY_LIMIT)).toString("utf8"));
  } catch (error) {
    throw error instanceof BodyTooLarge ? error : new BadRequest("not JSON");
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new BadRequest(parsed.error.issues.map((i) => i.message).join("; "));
  return parsed.data;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

type Handler<T> = (input: T, world: SandboxWorld) => Promise<unknown>;

function jsonRoute<T>(world: SandboxWorld, schema: z.ZodType<T>, handler: Handler<T>) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    try {
      send(res, 200, await handler(await readJson(req, schema), world));
    } catch (error) {
      if (error instanceof BadRequest) send(res, 400, { error: error.message });
      else if (error instanceof BodyTooLarge) send(res, 413, { error: "too large" });
      else throw error;
    }
  };
}

/** The view as Slack sends it back with an interaction: its blocks, metadata and what was entered. */
function viewFor(world: SandboxWorld, viewId: string, values: z.infer<typeof stateValues>) {
  const view = world.slack.viewById(viewId);
  if (!view) throw new BadRequest("this view is no longer open");
  const title = view.title as { text?: string } | null;
  return {
    id: viewId,
    type: view.type === "home" ? ("home" as const) : ("modal" as const),
    callback_id: String(view.callback_id ?? ""),
    private_metadata: String(view.private_metadata ?? ""),
    hash: String(view.hash ?? ""),
    blocks: Array.isArray(view.blocks) ? view.blocks : [],
    title: title?.text ?? "",
    submit: (view.submit as Record<string, unknown> | null | undefined) ?? null,
    close: (view.close as Record<string, unknown> | null | undefined) ?? null,
    external_id: String(view.external_id ?? ""),
    root_view_id: String(view.root_view_id ?? viewId),
    state: { values },
  };
}

/** Sends a signed Slack request to the app and reads what it answered and which modal it opened. */
async function toApp(world: SandboxWorld, body: SlackBody, triggerId?: string) {
  const response = await postSlack(world.appUrl, world.signingSecret, body);
  const opened = triggerId ? world.slack.viewOpenedBy(triggerId) : undefined;
  return { status: response.status, body: response.json ?? response.text, openedViewId: opened?.id ?? null };
}

function userName(id: string): string {
  return SANDBOX_TEAMMATES.find((t) => t.id === id)?.name ?? id.toLowerCase();
}

function state(world: SandboxWorld) {
  const { slack } = world;
  return {
    teammates: SANDBOX_TEAMMATES,
    lines: SANDBOX_LINES,
    channels: SANDBOX_CHANNELS.map((c) => ({
      ...c,
      messages: slack
        .messagesIn(c.id)
        .sort((a, b) => Number(a.ts) - Number(b.ts))
        .map((m) => ({ ...m, reactions: slack.reactionsOn(c.id, m.ts), metadata: undefined })),
      ephemerals: slack.ephemeralsIn(c.id).slice(-20),
    })),
    homes: Object.fromEntries(SANDBOX_TEAMMATES.map((t) => [t.id, slack.homeViewOf(t.id) ?? null])),
    phones: SANDBOX_CONTACTS.map((c) => ({
      ...c,
      failing: world.failing(c.number),
      texts: world.phoneTexts(c.number).map((t) => ({
        ...t,
        media: t.media.map((url) => {
          const id = world.bandwidth.mediaIdOf(url);
          return id ? `/sandbox/media?id=${encodeURIComponent(id)}` : url;
        }),
      })),
    })),
  };
}

/** A JSON endpoint of the page: its input's schema and what it does with the world. */
function post<T>(name: string, schema: z.ZodType<T>, handler: Handler<T>): (world: SandboxWorld) => Route {
  return (world) => ({
    methods: ["POST"],
    path: `/sandbox/${name}`,
    handler: jsonRoute(world, schema, handler),
  });
}

/** A teammate types /grouptext in a channel. */
async function slashCommand(input: z.infer<typeof inputs.command>, w: SandboxWorld) {
  const triggerId = fakeTriggerId();
  const channel = SANDBOX_CHANNELS.find((c) => c.id === input.channel);
  return toApp(
    w,
    slashCommandBody({
      command: "/grouptext",
      text: input.text,
      userId: input.user,
      userName: userName(input.user),
      channelId: input.channel,
      channelName: channel?.name ?? input.channel,
      triggerId,
    }),
    triggerId,
  );
}

/** A teammate submits a modal. */
async function submitView(input: z.infer<typeof inputs.submit>, w: SandboxWorld) {
  const triggerId = fakeTriggerId();
  const view = viewFor(w, input.viewId, input.values);
  const answer = await toApp(
    w,
    viewSubmissionBody({ userId: input.user, userName: userName(input.user), view, triggerId }),
    triggerId,
  );
  // As Slack does with response_action update or push: the answer is the modal shown next.
  const body = answer.body as { response_action?: string; view?: unknown } | string;
  if (
    typeof body === "object" &&
    body &&
    (body.response_action === "update" || body.response_action === "push")
  ) {
    const shown = w.slack.showView(body.view, body.response_action === "update" ? input.viewId : undefined);
    return { ...answer, openedViewId: shown.id };
  }
  return answer;
}

/** A teammate clicks a button (or picks an option) in a view or on a message. */
async function blockAction(input: z.infer<typeof inputs.action>, w: SandboxWorld) {
  const triggerId = fakeTriggerId();
  const who = {
    userId: input.user,
    userName: userName(input.user),
    actions: [{ type: "button", ...input.action }],
  };
  if (input.viewId) {
    const view = viewFor(w, input.viewId, input.values);
    return toApp(w, blockActionsBody({ ...who, view, triggerId }), triggerId);
  }
  if (!input.channel || !input.messageTs) throw new BadRequest("an action needs a view or a message");
  const message = w.slack.messagesIn(input.channel).find((m) => m.ts === input.messageTs);
  if (!message) throw new BadRequest("no such message");
  return toApp(
    w,
    blockActionsBody({ ...who, channelId: input.channel, messageTs: input.messageTs, message, triggerId }),
    triggerId,
  );
}

/** A teammate types in a select that loads its options from the app. */
async function optionsRequest(input: z.infer<typeof inputs.options>, w: SandboxWorld) {
  const view = viewFor(w, input.viewId, input.values);
  const answer = await toApp(
    w,
    blockSuggestionBody({
      userId: input.user,
      userName: userName(input.user),
      action_id: input.actionId,
      block_id: input.blockId,
      value: input.value,
      view,
    }),
  );
  return answer.body;
}

/** A teammate replies in a thread, with files or without. */
async function threadReply(input: z.infer<typeof inputs.reply>, w: SandboxWorld) {
  const files = input.files.map((f) =>
    w.slack.registerFile({
      id: `F${randomBytes(5).toString("hex").toUpperCase()}`,
      name: f.name,
      mimetype: f.contentType,
      bytes: Buffer.from(f.base64, "base64"),
    }),
  );
  const stored = w.slack.postAsUser({
    channel: input.channel,
    user: input.user,
    text: input.text,
    threadTs: input.threadTs,
    ...(files.length ? { files } : {}),
  });
  const event = messageEvent({
    channel: input.channel,
    user: input.user,
    text: input.text,
    ts: stored.ts,
    threadTs: input.threadTs,
    ...(files.length ? { files } : {}),
  });
  return toApp(w, eventCallbackBody({ event }));
}

/** A contact's phone texts the line (with a picture or without). */
async function phoneSend(input: z.infer<typeof inputs.phone>, w: SandboxWorld) {
  const { picture } = input;
  const status = await w.sendFromPhone({
    from: input.from,
    line: input.line,
    others: input.others.filter((n) => n !== input.from),
    text: input.text,
    ...(picture
      ? { picture: { bytes: Buffer.from(picture.base64, "base64"), contentType: picture.contentType } }
      : {}),
  });
  return { status };
}

const ENDPOINTS = [
  post("slack/command", inputs.command, slashCommand),
  post("slack/submit", inputs.submit, submitView),
  post("slack/action", inputs.action, blockAction),
  post("slack/options", inputs.options, optionsRequest),
  post("slack/reply", inputs.reply, threadReply),
  post("slack/home", inputs.home, async (input, w) =>
    toApp(w, eventCallbackBody({ event: appHomeOpenedEvent(input.user) })),
  ),
  post("phone/send", inputs.phone, phoneSend),
  post("phone/failing", inputs.failing, async (input, w) => {
    w.setFailing(input.number, input.failing);
    return { failing: input.failing };
  }),
];

function page(name: string, type: string): Route {
  return {
    methods: ["GET"],
    path: name === "index.html" ? "/sandbox" : `/sandbox/${name}`,
    handler: (_req, res) => {
      res.writeHead(200, { "content-type": type, "cache-control": "no-store" }).end(pageFile(name));
    },
  };
}

/** A GET that reads `?id=` and answers what `handler` finds under it. */
function byId(path: string, handler: (id: string, res: ServerResponse) => void): Route {
  return {
    methods: ["GET"],
    path,
    handler: (req, res) =>
      handler(new URL(req.url ?? "/", "http://localhost").searchParams.get("id") ?? "", res),
  };
}

function imageTypeOf(name: string): string {
  if (/\.png$/i.test(name)) return "image/png";
  if (/\.jpe?g$/i.test(name)) return "image/jpeg";
  if (/\.gif$/i.test(name)) return "image/gif";
  return "application/octet-stream";
}

/** A file shared in Slack, shown inline (its type told by its name when Slack did not say). */
function sendFile(world: SandboxWorld, id: string, res: ServerResponse): void {
  const content = world.slack.fileContent(id);
  if (!content) {
    send(res, 404, { error: "no such file" });
    return;
  }
  res.writeHead(200, {
    "content-type":
      content.mimetype === "application/octet-stream" ? imageTypeOf(content.name) : content.mimetype,
    "content-disposition": `inline; filename="${content.name.replace(/[^\w.-]/g, "_")}"`,
    "x-content-type-options": "nosniff",
  });
  res.end(content.bytes);
}

function sendMedia(world: SandboxWorld, id: string, res: ServerResponse): void {
  const media = world.bandwidth.media(id);
  if (!media) send(res, 404, { error: "no such media" });
  else
    res
      .writeHead(200, { "content-type": media.contentType, "x-content-type-options": "nosniff" })
      .end(media.bytes);
}

/** Answered first: resetting stops this very server, then starts it again on the same port. */
function resetRoute(world: SandboxWorld, resetting: { now: boolean }): Route {
  return {
    methods: ["POST"],
    path: "/sandbox/reset",
    handler: (_req, res) => {
      if (resetting.now) {
        send(res, 409, { error: "already resetting" });
        return;
      }
      resetting.now = true;
      res.once("finish", () => {
        world.reset().then(
          () => {
            resetting.now = false;
          },
          (error: unknown) => {
            resetting.now = false;
            world.logger.error({ err: error }, "sandbox reset failed");
          },
        );
      });
      send(res, 202, { resetting: true });
    },
  };
}

export function sandboxRoutes(world: SandboxWorld): Route[] {
  const resetting = { now: false };
  return [
    page("index.html", "text/html; charset=utf-8"),
    page("sandbox.js", "text/javascript; charset=utf-8"),
    page("sandbox.css", "text/css; charset=utf-8"),
    {
      methods: ["GET"],
      path: "/sandbox/state",
      handler: (_req, res) => send(res, 200, { resetting: resetting.now, ...state(world) }),
    },
    byId("/sandbox/view", (id, res) => {
      const view = world.slack.viewById(id);
      if (view) send(res, 200, view);
      else send(res, 404, { error: "no such view" });
    }),
    byId("/sandbox/file", (id, res) => sendFile(world, id, res)),
    byId("/sandbox/media", (id, res) => sendMedia(world, id, res)),
    ...ENDPOINTS.map((endpoint) => endpoint(world)),
    resetRoute(world, resetting),
  ];
}
