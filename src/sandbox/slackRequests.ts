/**
 * Builds and sends requests the way Slack sends them to an app's request URL, signed so that Bolt's
 * receivers accept them.
 *
 * What Bolt 5 checks (node_modules/@slack/bolt/dist/receivers/verify-request.js, HTTPModuleFunctions.js):
 *  - `X-Slack-Signature: v0=<hex HMAC-SHA256(secret, "v0:<timestamp>:<raw body>")>` compared in constant time;
 *  - `X-Slack-Request-Timestamp` (seconds) no older than 5 minutes (a future timestamp is not rejected);
 *  - the body is parsed as a form only when Content-Type is exactly `application/x-www-form-urlencoded`
 *    (a `; charset=...` suffix makes Bolt JSON.parse it and fail), and a form with a `payload` field is
 *    JSON-decoded from that field;
 *  - a form body with `ssl_check=1` is accepted without a signature; `url_verification` is signed JSON.
 */
import { createHmac, randomBytes } from "node:crypto";
import { APP_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID } from "./slackApi";

export const FORM = "application/x-www-form-urlencoded";
export const JSON_TYPE = "application/json";
/** Slack still sends the legacy verification token in every payload; Bolt ignores it. */
export const VERIFICATION_TOKEN = "fake-verification-token";

export type SlackContentType = typeof FORM | typeof JSON_TYPE;

/** A request body ready for postSlack, plus the decoded payload for assertions. */
export interface SlackBody {
  contentType: SlackContentType;
  body: string;
  payload: Record<string, unknown>;
}

export interface SlackResponse {
  status: number;
  text: string;
  json?: unknown;
  headers: Record<string, string>;
}

export interface PostSlackOptions {
  contentType: SlackContentType;
  body: string;
  /** Seconds since epoch used for signing; default now. */
  timestamp?: number;
  /** Send without X-Slack-Signature headers (default true = signed). */
  sign?: boolean;
  /** Extra headers, e.g. `X-Slack-Retry-Num` / `X-Slack-Retry-Reason` to simulate Slack's redelivery. */
  headers?: Record<string, string>;
  /** Default `/slack/events`, the single request URL the manifest declares. */
  path?: string;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export function signSlackBody(
  secret: string,
  rawBody: string,
  timestamp: number = nowSeconds(),
): { "X-Slack-Signature": string; "X-Slack-Request-Timestamp": string } {
  const hex = createHmac("sha256", secret).update(`v0:${timestamp}:${rawBody}`).digest("hex");
  return { "X-Slack-Signature": `v0=${hex}`, "X-Slack-Request-Timestamp": String(timestamp) };
}

export async function postSlack(
  baseUrl: string,
  secret: string,
  opts: PostSlackOptions,
): Promise<SlackResponse> {
  const url = `${baseUrl.replace(/\/+$/, "")}${opts.path ?? "/slack/events"}`;
  const signature = opts.sign === false ? {} : signSlackBody(secret, opts.body, opts.timestamp);
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "Content-Type": opts.contentType,
      "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
      ...signature,
      ...opts.headers,
    },
    body: opts.body,
  });
  const text = await res.text();
  const out: SlackResponse = { status: res.status, text, headers: Object.fromEntries(res.headers.entries()) };
  if (text !== "") {
    try {
      out.json = JSON.parse(text) as unknown;
    } catch {
      // Not JSON (empty acks are common); callers can read `text`.
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Identifiers shaped like Slack's, so code that parses or logs them sees realistic values.

let counter = 0;
function nextN(): number {
  counter += 1;
  return counter;
}

export function fakeTriggerId(): string {
  return `${1_700_000_000 + nextN()}.${Date.now()}.${randomBytes(16).toString("hex")}`;
}

export function fakeEventId(): string {
  return `Ev${String(nextN()).padStart(9, "0")}`;
}

function defaultResponseUrl(): string {
  // A hooks.slack.com URL means a listener calling respond() would leave the machine; pass the fake's
  // responseUrl() in tests that exercise it.
  return `https://hooks.slack.com/commands/${TEAM_ID}/${nextN()}/${randomBytes(12).toString("hex")}`;
}

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

function payloadBody(payload: Record<string, unknown>): SlackBody {
  return { contentType: FORM, body: form({ payload: JSON.stringify(payload) }), payload };
}

function userRef(userId: string, teamId: string, userName?: string): Record<string, unknown> {
  const name = userName ?? userId.toLowerCase();
  return { id: userId, username: name, name, team_id: teamId };
}

// ---------------------------------------------------------------------------------------------
// Body builders

export interface SlashCommandInput {
  command: string;
  text?: string;
  userId: string;
  userName?: string;
  channelId: string;
  channelName?: string;
  triggerId?: string;
  teamId?: string;
  responseUrl?: string;
}

export function slashCommandBody(input: SlashCommandInput): SlackBody {
  const teamId = input.teamId ?? TEAM_ID;
  // Field order follows what Slack sends.
  const fields: Record<string, string> = {
    token: VERIFICATION_TOKEN,
    team_id: teamId,
    team_domain: TEAM_DOMAIN,
    channel_id: input.channelId,
    channel_name: input.channelName ?? input.channelId.toLowerCase(),
    user_id: input.userId,
    user_name: input.userName ?? input.userId.toLowerCase(),
    command: input.command,
    text: input.text ?? "",
    api_app_id: APP_ID,
    is_enterprise_install: "false",
    response_url: input.responseUrl ?? defaultResponseUrl(),
    trigger_id: input.triggerId ?? fakeTriggerId(),
  };
  return { contentType: FORM, body: form(fields), payload: fields };
}

export interface ViewInput {
  callback_id: string;
  private_metadata?: string;
  state?: { values: Record<string, Record<string, unknown>> };
  id?: string;
  hash?: string;
  type?: "modal" | "home";
  blocks?: unknown[];
  title?: string;
  /** The buttons as the app last set them (Slack sends them back); defaults otherwise. */
  submit?: Record<string, unknown> | null;
  close?: Record<string, unknown> | null;
  external_id?: string;
  root_view_id?: string;
  previous_view_id?: string | null;
}

function viewObject(view: ViewInput, teamId: string): Record<string, unknown> {
  const id = view.id ?? `V${String(nextN()).padStart(10, "0")}`;
  const type = view.type ?? "modal";
  return {
    id,
    team_id: teamId,
    type,
    blocks: view.blocks ?? [],
    private_metadata: view.private_metadata ?? "",
    callback_id: view.callback_id,
    state: view.state ?? { values: {} },
    hash: view.hash ?? `1700000000.${randomBytes(4).toString("hex")}`,
    title: { type: "plain_text", text: view.title ?? "Reply-All", emoji: true },
    clear_on_close: false,
    notify_on_close: false,
    close:
      view.close !== undefined
        ? view.close
        : type === "modal"
          ? { type: "plain_text", text: "Cancel", emoji: true }
          : null,
    submit:
      view.submit !== undefined
        ? view.submit
        : type === "modal"
          ? { type: "plain_text", text: "Submit", emoji: true }
          : null,
    previous_view_id: view.previous_view_id ?? null,
    root_view_id: view.root_view_id ?? id,
    app_id: APP_ID,
    external_id: view.external_id ?? "",
    app_installed_team_id: teamId,
    bot_id: "BBOT",
  };
}

export interface ViewSubmissionInput {
  userId: string;
  userName?: string;
  view: ViewInput;
  teamId?: string;
  triggerId?: string;
  responseUrls?: Array<{ block_id: string; action_id: string; channel_id: string; response_url: string }>;
}

export function viewSubmissionBody(input: ViewSubmissionInput): SlackBody {
  const teamId = input.teamId ?? TEAM_ID;
  return payloadBody({
    type: "view_submission",
    team: { id: teamId, domain: TEAM_DOMAIN },
    user: userRef(input.userId, teamId, input.userName),
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    trigger_id: input.triggerId ?? fakeTriggerId(),
    view: viewObject(input.view, teamId),
    response_urls: input.responseUrls ?? [],
    is_enterprise_install: false,
    enterprise: null,
  });
}

export interface GlobalShortcutInput {
  userId: string;
  userName?: string;
  callbackId: string;
  triggerId?: string;
  teamId?: string;
}

/** A global shortcut chosen from Slack's shortcut menu: no channel, no message. */
export function globalShortcutBody(input: GlobalShortcutInput): SlackBody {
  const teamId = input.teamId ?? TEAM_ID;
  return payloadBody({
    type: "shortcut",
    token: VERIFICATION_TOKEN,
    action_ts: `${nowSeconds()}.${String(nextN()).padStart(6, "0")}`,
    team: { id: teamId, domain: TEAM_DOMAIN },
    user: userRef(input.userId, teamId, input.userName),
    is_enterprise_install: false,
    enterprise: null,
    callback_id: input.callbackId,
    trigger_id: input.triggerId ?? fakeTriggerId(),
  });
}

export interface ActionInput {
  action_id: string;
  type?: string;
  block_id?: string;
  value?: string;
  [key: string]: unknown;
}

export interface BlockActionsInput {
  userId: string;
  userName?: string;
  actions: ActionInput[];
  /** Set for actions inside a modal or the Home tab. */
  view?: ViewInput;
  container?: Record<string, unknown>;
  /** Set for actions on a message; `messageTs` names that message. */
  channelId?: string;
  messageTs?: string;
  message?: Record<string, unknown>;
  triggerId?: string;
  teamId?: string;
  responseUrl?: string;
}

export function blockActionsBody(input: BlockActionsInput): SlackBody {
  const teamId = input.teamId ?? TEAM_ID;
  const view = input.view ? viewObject(input.view, teamId) : undefined;
  const messageTs = input.messageTs ?? (input.channelId ? "1700000000.000100" : undefined);
  const actionTs = `${nowSeconds()}.${String(nextN()).padStart(6, "0")}`;
  const actions = input.actions.map((a) => ({
    type: "button",
    block_id: `b_${a.action_id}`,
    action_ts: actionTs,
    ...a,
  }));

  let container = input.container;
  if (!container && view) container = { type: "view", view_id: view.id };
  if (!container && input.channelId) {
    container = { type: "message", message_ts: messageTs, channel_id: input.channelId, is_ephemeral: false };
  }

  const payload: Record<string, unknown> = {
    type: "block_actions",
    user: userRef(input.userId, teamId, input.userName),
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    container: container ?? {},
    trigger_id: input.triggerId ?? fakeTriggerId(),
    team: { id: teamId, domain: TEAM_DOMAIN },
    enterprise: null,
    is_enterprise_install: false,
    actions,
  };
  if (view) {
    payload.view = view;
    payload.state = view.state;
  }
  if (input.channelId) {
    payload.channel = { id: input.channelId, name: input.channelId.toLowerCase() };
    payload.message = input.message ?? {
      type: "message",
      user: BOT_USER_ID,
      bot_id: "BBOT",
      ts: messageTs,
      text: "",
      team: teamId,
      blocks: [],
    };
    payload.state = payload.state ?? { values: {} };
    payload.response_url = input.responseUrl ?? defaultResponseUrl();
  }
  return payloadBody(payload);
}

export interface BlockSuggestionInput {
  userId: string;
  userName?: string;
  /** The external select's action and block, and what was typed in its search box. */
  action_id: string;
  block_id: string;
  value: string;
  /** The modal the select is in; its state is what was picked so far. */
  view: ViewInput;
  teamId?: string;
}

/** An options request (`block_suggestion`), sent as Slack sends it for an external select in a modal. */
export function blockSuggestionBody(input: BlockSuggestionInput): SlackBody {
  const teamId = input.teamId ?? TEAM_ID;
  const view = viewObject(input.view, teamId);
  return payloadBody({
    type: "block_suggestion",
    user: userRef(input.userId, teamId, input.userName),
    container: { type: "view", view_id: view.id },
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    action_id: input.action_id,
    block_id: input.block_id,
    value: input.value,
    team: { id: teamId, domain: TEAM_DOMAIN, enterprise_id: null, enterprise_name: null },
    enterprise: null,
    is_enterprise_install: false,
    view,
  });
}

export interface EventCallbackInput {
  event: Record<string, unknown>;
  eventId?: string;
  teamId?: string;
  eventTime?: number;
}

export function eventCallbackBody(input: EventCallbackInput): SlackBody {
  const teamId = input.teamId ?? TEAM_ID;
  const payload: Record<string, unknown> = {
    token: VERIFICATION_TOKEN,
    team_id: teamId,
    context_team_id: teamId,
    context_enterprise_id: null,
    api_app_id: APP_ID,
    event: input.event,
    type: "event_callback",
    event_id: input.eventId ?? fakeEventId(),
    event_time: input.eventTime ?? nowSeconds(),
    authorizations: [
      {
        enterprise_id: null,
        team_id: teamId,
        user_id: BOT_USER_ID,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(`${teamId}:${input.eventId ?? "event"}`).toString("base64url")}`,
  };
  return { contentType: JSON_TYPE, body: JSON.stringify(payload), payload };
}

export function urlVerificationBody(challenge: string): SlackBody {
  const payload = { token: VERIFICATION_TOKEN, challenge, type: "url_verification" };
  return { contentType: JSON_TYPE, body: JSON.stringify(payload), payload };
}

export function sslCheckBody(): SlackBody {
  const fields = { ssl_check: "1", token: VERIFICATION_TOKEN };
  return { contentType: FORM, body: form(fields), payload: fields };
}

// ---------------------------------------------------------------------------------------------
// Event builders for the events the app subscribes to.

export interface MessageEventInput {
  channel: string;
  user: string;
  text: string;
  ts?: string;
  threadTs?: string;
  /** From FakeSlack.registerFile(); makes this a `file_share` message like Slack sends. */
  files?: unknown[];
  channelType?: "channel" | "group";
}

export function messageEvent(input: MessageEventInput): Record<string, unknown> {
  const ts = input.ts ?? `${nowSeconds()}.${String(nextN()).padStart(6, "0")}`;
  const event: Record<string, unknown> = {
    type: "message",
    channel: input.channel,
    user: input.user,
    text: input.text,
    ts,
    event_ts: ts,
    channel_type: input.channelType ?? (input.channel.startsWith("G") ? "group" : "channel"),
    team: TEAM_ID,
    client_msg_id: randomBytes(16)
      .toString("hex")
      .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5"),
    blocks: [
      {
        type: "rich_text",
        block_id: randomBytes(3).toString("hex"),
        elements: [{ type: "rich_text_section", elements: [{ type: "text", text: input.text }] }],
      },
    ],
  };
  if (input.threadTs !== undefined) event.thread_ts = input.threadTs;
  if (input.files !== undefined) {
    event.subtype = "file_share";
    event.files = input.files;
    event.upload = false;
    event.display_as_bot = false;
  }
  return event;
}

export function appHomeOpenedEvent(
  userId: string,
  tab: "home" | "messages" = "home",
): Record<string, unknown> {
  return {
    type: "app_home_opened",
    user: userId,
    channel: `D${userId.replace(/^U/, "")}`,
    tab,
    event_ts: `${nowSeconds()}.${String(nextN()).padStart(6, "0")}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Convenience wrappers: build, sign, post.

export function sendSlash(baseUrl: string, secret: string, input: SlashCommandInput): Promise<SlackResponse> {
  return postSlack(baseUrl, secret, slashCommandBody(input));
}

export function sendViewSubmission(
  baseUrl: string,
  secret: string,
  input: ViewSubmissionInput,
): Promise<SlackResponse> {
  return postSlack(baseUrl, secret, viewSubmissionBody(input));
}

export function sendBlockActions(
  baseUrl: string,
  secret: string,
  input: BlockActionsInput,
): Promise<SlackResponse> {
  return postSlack(baseUrl, secret, blockActionsBody(input));
}

export function sendEvent(
  baseUrl: string,
  secret: string,
  input: EventCallbackInput,
): Promise<SlackResponse> {
  return postSlack(baseUrl, secret, eventCallbackBody(input));
}
