// Issue 9, finding 3: outside text (contacts' texts and names, group and line names, reasons,
// carrier descriptions, the text around a keyword) reaches Slack escaped, in blocks and in the
// `text` fallback alike. Every Block Kit builder is driven with hostile values, and the app's own
// notices are driven end to end.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Notice } from "../../src/domain/notices";
import { complianceModalView } from "../../src/slack/views/complianceModal";
import { consentModalView } from "../../src/slack/views/consentModal";
import { contactModalView } from "../../src/slack/views/contactModal";
import {
  contactOptions,
  estimateBlocks,
  groupModalView,
  groupModalWithEstimate,
  lineOptions,
} from "../../src/slack/views/groupModal";
import { homeView } from "../../src/slack/views/home";
import { conversationRow } from "../../src/slack/views/homeConversations";
import { DEFAULT_HOME_STATE } from "../../src/slack/views/homeState";
import { importModalView, importProgressView, importResultView } from "../../src/slack/views/importModal";
import { lineModalView } from "../../src/slack/views/lineModal";
import { multiSendReport } from "../../src/slack/views/multiSendReport";
import { renderNotice } from "../../src/slack/views/notices";
import { threadEntryMessage } from "../../src/slack/views/threadEntry";
import { assignModalView, participantsModalView, renameModalView } from "../../src/slack/views/threadModals";
import { threadRootBlocks, threadRootText } from "../../src/slack/views/threadRoot";
import {
  freshNumbers,
  nameContact,
  type PostArgs,
  replyFailsFor,
  sendText,
  type ThreadRef,
  threadOf,
  waitForPost,
} from "../e2e/relayHelpers";
import { type Harness, startHarness } from "../support/harness";

/** What someone outside the team might type: each part would notify, mention or link in Slack. */
const HOSTILE = "<!channel> <!here> <@U123> <https://evil|click> &amp; >";
const escaped = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const ACTIVE_MARKUP = ["<!channel>", "<!here>", "<@U123>", "<https://evil", "|click>", "&amp; >"];

/** Every string Slack reads as mrkdwn: `type: "mrkdwn"` objects and a message's `text` fallback. */
function slackTexts(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) slackTexts(item, out);
  } else if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record.type === "mrkdwn" && typeof record.text === "string") out.push(record.text);
    for (const [key, field] of Object.entries(record)) {
      if (key === "text" && typeof field === "string" && record.type === undefined) out.push(field);
      else if (typeof field === "object") slackTexts(field, out);
    }
  }
  return out;
}

function expectEscaped(built: unknown, showsOutsideText: boolean): void {
  const texts = slackTexts(built);
  for (const text of texts) {
    for (const markup of ACTIVE_MARKUP)
      expect({ text, found: text.includes(markup) }).toEqual({ text, found: false });
  }
  // The hostile value did reach the output, escaped: the builder was exercised.
  if (showsOutsideText) expect(texts.join("\n")).toContain(escaped("<!channel> <!here> <@U123>"));
}

/** Builders whose mrkdwn holds no outside value (outside values appear only in plain_text there). */
const NO_OUTSIDE_MRKDWN = new Set([
  "contactModalView",
  "consentModalView",
  "groupModalView",
  "groupModalViewOne",
  "groupModalViewMany",
  "contactOptions",
  "lineOptions",
  "importModalView",
  "importProgressView",
  "renameModalView",
  "participantsModalView",
  "assignModalView",
]);

const line = {
  id: "line1",
  name: HOSTILE,
  number: "+19195550100",
  groupEnabled: true,
  active: true,
  defaultChannel: "C0123SALES",
  optOutMessage: null,
  optInMessage: null,
  helpMessage: null,
  createdAt: new Date("2026-01-01T00:00:00Z"),
  updatedAt: new Date("2026-01-02T00:00:00Z"),
  optedOut: 1,
  conversations: 2,
} as never;
type AdminData = Extract<Parameters<typeof homeView>[0], { kind: "admin" }>["data"];
const admin = (data: AdminData) =>
  homeView({ kind: "admin", command: HOSTILE, via: "app", state: DEFAULT_HOME_STATE, data, chartUrl: null });

const CONVERSATION_ROW = {
  name: HOSTILE,
  lineName: HOSTILE,
  participants: 3,
  channelId: "C0123SALES",
  threadTs: "1700000000.000100",
  updatedAt: new Date(),
  closed: false,
  assignee: "U0EVAN",
};

const THREAD_FORM = {
  conversationId: "00000000-0000-4000-8000-000000000000",
  name: HOSTILE,
  assignee: "U0EVAN",
  participants: [{ number: "+12125550143", name: HOSTILE }],
};

const hostileContact = { name: HOSTILE, number: "+12125550143" };
const hostilePost = { channel: HOSTILE, ts: HOSTILE };

/** One notice of each kind (the type fails when a kind is missing), hostile in every outside field. */
const HOSTILE_NOTICES: { [K in Notice["kind"]]: Extract<Notice, { kind: K }> } = {
  "not-delivered": {
    kind: "not-delivered",
    contact: hostileContact,
    description: HOSTILE,
    errorCode: 4720,
    entry: hostilePost,
  },
  "report-set-aside": { kind: "report-set-aside", eventType: HOSTILE },
  "text-set-aside": { kind: "text-set-aside", from: HOSTILE, reason: "invalid" },
  "reopened-by-text": { kind: "reopened-by-text", contact: hostileContact },
  "reopened-by-start": { kind: "reopened-by-start", user: HOSTILE },
  "start-failed": { kind: "start-failed", alone: false, why: HOSTILE, requestedBy: HOSTILE },
  "start-blocked": { kind: "start-blocked", alone: true },
  "start-unconfirmed": { kind: "start-unconfirmed", waitSeconds: 30 },
  "reply-unconfirmed": {
    kind: "reply-unconfirmed",
    waitSeconds: 30,
    what: { kind: "compliance", recipients: [HOSTILE] },
  },
  "send-again-chosen": { kind: "send-again-chosen", user: HOSTILE },
  "line-inactive": { kind: "line-inactive", line: HOSTILE },
  "reply-failed": { kind: "reply-failed", reason: HOSTILE },
  texted: { kind: "texted", recipients: 2, signature: HOSTILE, cost: HOSTILE, excluded: 1 },
  "auto-reply": { kind: "auto-reply", contact: hostileContact, text: HOSTILE },
  "consent-changed": {
    kind: "consent-changed",
    contact: hostileContact,
    status: "OPTED_OUT",
    byKeyword: false,
    actor: HOSTILE,
    reason: HOSTILE,
    at: "2026-12-01T10:00:00.000Z",
    remaining: 1,
  },
  renamed: { kind: "renamed", actor: HOSTILE, name: HOSTILE },
  "name-removed": { kind: "name-removed", actor: HOSTILE },
  closed: { kind: "closed", actor: HOSTILE },
  reopened: { kind: "reopened", actor: HOSTILE },
  assigned: { kind: "assigned", actor: "U0DANA", to: HOSTILE },
  "participants-changed": {
    kind: "participants-changed",
    actor: HOSTILE,
    added: [HOSTILE, HOSTILE],
    removed: [HOSTILE],
    count: 2,
  },
  "start-failed-requester": { kind: "start-failed-requester", alone: true, why: HOSTILE, name: HOSTILE },
  "start-blocked-requester": { kind: "start-blocked-requester", alone: false },
  "thread-not-posted": { kind: "thread-not-posted", name: HOSTILE, channel: HOSTILE },
  "went-to-thread": { kind: "went-to-thread", alone: false, link: HOSTILE, cost: HOSTILE },
  "reply-not-sent-closed": { kind: "reply-not-sent-closed" },
  "files-not-texted": { kind: "files-not-texted", files: [{ name: HOSTILE, reason: HOSTILE }] },
  "reply-too-long": { kind: "reply-too-long", length: 2000, max: 1600 },
  "reply-cannot-unsend": { kind: "reply-cannot-unsend", how: "edited" },
  "reply-blocked-opted-out": { kind: "reply-blocked-opted-out", line: HOSTILE },
  "assigned-text": {
    kind: "assigned-text",
    conversation: HOSTILE,
    line: HOSTILE,
    link: `https://example.slack.com/archives/C1/p1?x=${HOSTILE}`,
    sender: hostileContact,
    preview: HOSTILE,
    media: false,
  },
  "admin-refused": { kind: "admin-refused", why: "bot" },
  "already-workspace-admin": { kind: "already-workspace-admin", user: HOSTILE },
  "multi-send-report": {
    kind: "multi-send-report",
    requestedBy: HOSTILE,
    line: { name: HOSTILE, number: "+19195550100" },
    tally: { recipients: 2, sent: 1, unconfirmed: 0, failed: 1, pending: 0, skipped: 0, continued: 0 },
  },
};

/** Every exported builder of src/slack/views, with hostile values in every outside field. */
const BUILDERS: Record<string, () => unknown> = {
  threadRootText: () => ({
    text: threadRootText({
      groupName: HOSTILE,
      line: { name: HOSTILE, number: "+19195550100", active: true },
      participants: [],
      startedBy: null,
      cost: null,
      noteMarker: HOSTILE,
      closed: true,
      assignee: null,
      lastAction: null,
    }),
  }),
  threadRootBlocks: () =>
    threadRootBlocks({
      groupName: HOSTILE,
      line: { name: HOSTILE, number: "+19195550100", active: false },
      participants: [
        { name: HOSTILE, number: "+12125550143", optedOut: false },
        { name: HOSTILE, number: "+12125550144", optedOut: true },
      ],
      startedBy: "U0STARTER",
      cost: "2 texts",
      noteMarker: HOSTILE,
      closed: true,
      assignee: "U0EVAN",
      lastAction: { actor: "U0DANA", what: "closed", at: new Date() },
    }),
  threadEntryMessage: () => [
    threadEntryMessage({
      kind: "inbound",
      senderLabel: "Dana",
      senderIcon: ":one:",
      text: HOSTILE,
      missingMedia: 1,
      pictures: [],
    }),
    // With pictures the text moves into sections beside the image blocks: escaped there too.
    threadEntryMessage({
      kind: "inbound",
      senderLabel: HOSTILE,
      senderIcon: ":one:",
      text: HOSTILE,
      missingMedia: 1,
      pictures: [{ slackFileId: "F0PICTURE1", altText: `Picture from ${HOSTILE}` }],
    }),
    threadEntryMessage({
      kind: "outbound",
      slackUserId: "U0DANA",
      text: HOSTILE,
      cost: "1 text",
      mediaCount: 0,
    }),
  ],
  homeView: () => [
    homeView({
      kind: "member",
      command: HOSTILE,
      data: {
        lines: [{ name: HOSTILE, number: "+19195550100", groupEnabled: true }],
        linesTotal: 1,
        conversations: [
          {
            name: HOSTILE,
            lineName: HOSTILE,
            participants: 3,
            channelId: "C0123SALES",
            threadTs: "1700000000.000100",
            updatedAt: new Date(),
            closed: true,
            assignee: "U0EVAN",
            assignedToYou: false,
          },
        ],
      },
      notice: undefined,
    }),
    admin({ tab: "lines", lines: [line], total: 1, page: 0, pages: 1 }),
    admin({
      tab: "contacts",
      contacts: {
        contacts: [
          {
            id: "c1",
            number: "+12125550143",
            name: HOSTILE,
            createdBy: null,
            createdAt: new Date(),
            updatedAt: new Date(),
          } as never,
        ],
        total: 1,
        page: 0,
        pages: 1,
        pageSize: 20,
        query: HOSTILE,
      },
    }),
    admin({
      tab: "optouts",
      lines: [line],
      line,
      entries: [
        {
          number: "+12125550143",
          name: HOSTILE,
          since: new Date(),
          source: "ADMIN",
          actor: "U0ADMIN",
          reason: HOSTILE,
        },
      ],
      total: 1,
    }),
    admin({
      tab: "usage",
      report: {
        month: "2026-11",
        previous: "2026-10",
        lines: [
          {
            lineId: "line1",
            name: HOSTILE,
            number: "+19195550100",
            active: true,
            thisMonth: { sent: 1, mms: 1, sms: 0, received: 1 },
            lastMonth: { sent: 0, mms: 0, sms: 0, received: 0 },
          },
        ],
        totals: {
          thisMonth: { sent: 1, mms: 1, sms: 0, received: 1 },
          lastMonth: { sent: 0, mms: 0, sms: 0, received: 0 },
        },
      },
    }),
  ],
  adminHomeBlocks: () =>
    admin({ tab: "settings", appendSenderName: false, noteMarker: HOSTILE, admins: [], adminCount: 0 }),
  conversationRow: () => ({ type: "mrkdwn", text: conversationRow(CONVERSATION_ROW).markup }),
  conversationsTabBlocks: () =>
    admin({
      tab: "conversations",
      lines: [line],
      lineId: null,
      state: "open",
      assigned: [CONVERSATION_ROW],
      rows: [{ ...CONVERSATION_ROW, closed: true }],
      total: 1,
      page: 0,
      pages: 1,
    }),
  linesTabBlocks: () => admin({ tab: "lines", lines: [line], total: 1, page: 0, pages: 1 }),
  contactsTabBlocks: () => BUILDERS.homeView?.(),
  optOutsTabBlocks: () => BUILDERS.homeView?.(),
  usageTabBlocks: () => BUILDERS.homeView?.(),
  settingsTabBlocks: () =>
    admin({ tab: "settings", appendSenderName: false, noteMarker: HOSTILE, admins: [], adminCount: 0 }),
  complianceModalView: () =>
    complianceModalView({
      home: DEFAULT_HOME_STATE,
      line: { id: "line1", name: HOSTILE, number: "+19195550100", updatedAt: new Date() },
      messages: { optOut: HOSTILE, optIn: HOSTILE, help: HOSTILE },
      defaults: { optOut: "d", optIn: "d", help: "d" },
    }),
  lineModalView: () => [
    lineModalView({
      home: DEFAULT_HOME_STATE,
      line: {
        id: "line1",
        number: HOSTILE,
        name: HOSTILE,
        groupEnabled: true,
        defaultChannel: null,
        updatedAt: new Date(),
      },
    }),
  ],
  contactModalView: () =>
    contactModalView({
      home: DEFAULT_HOME_STATE,
      contact: { id: "c1", number: "+12125550143", name: HOSTILE, updatedAt: new Date() },
    }),
  consentModalView: () => [
    consentModalView({
      home: DEFAULT_HOME_STATE,
      status: "OPTED_OUT",
      lines: [{ id: "line1", name: HOSTILE, number: "+19195550100" }],
      lineId: "line1",
    }),
  ],
  groupModalView: () => [
    groupModalView({
      privateMetadata: "{}",
      lines: [{ id: "line1", name: HOSTILE, number: "+19195550100" }],
      hasContacts: true,
      initialText: HOSTILE,
    }),
  ],
  // The other kinds of the same modal (issue 13): their own fields and notes.
  groupModalViewOne: () =>
    groupModalView({
      kind: "one",
      privateMetadata: "{}",
      lines: [{ id: "line1", name: HOSTILE, number: "+19195550100" }],
      hasContacts: true,
      initialText: HOSTILE,
    }),
  groupModalViewMany: () =>
    groupModalView({
      kind: "many",
      privateMetadata: "{}",
      lines: [{ id: "line1", name: HOSTILE, number: "+19195550100" }],
      hasContacts: true,
      initialText: HOSTILE,
    }),
  // A multi-recipient send's channel message names the line (outside text), in progress and done.
  multiSendReport: () =>
    [1, 0].map((pending) => ({
      text: multiSendReport({
        requestedBy: "UDANA",
        line: { name: HOSTILE, number: "+19195550100" },
        tally: {
          recipients: 3,
          sent: 2,
          unconfirmed: 0,
          failed: 1 - pending,
          pending,
          skipped: 1,
          continued: 1,
        },
      }).markup,
    })),
  // Every notice a service can make, each outside field hostile; a stored thread notice also as posted.
  renderNotice: () => [
    ...Object.values(HOSTILE_NOTICES).map((notice) => ({ text: renderNotice(notice).markup })),
    threadEntryMessage({ kind: "notice", notice: HOSTILE_NOTICES["not-delivered"] }),
    // A stored notice whose column does not parse is shown by its plain-text line, escaped.
    threadEntryMessage({ kind: "notice", notice: { kind: "unreadable", text: HOSTILE } }),
  ],
  // The estimate's strings come from the app, but are escaped like outside text all the same.
  estimateBlocks: () => estimateBlocks({ recipients: 2, cost: HOSTILE, ucs2: [...HOSTILE], plain: HOSTILE }),
  groupModalWithEstimate: () =>
    groupModalWithEstimate(
      {
        callbackId: "group_start",
        privateMetadata: "{}",
        title: { type: "plain_text", text: "New group text" },
        blocks: groupModalView({ privateMetadata: "{}", lines: [], hasContacts: true }).blocks as Parameters<
          typeof groupModalWithEstimate
        >[0]["blocks"],
      },
      { recipients: 2, cost: HOSTILE, ucs2: [...HOSTILE], plain: HOSTILE },
      HOSTILE,
    ),
  contactOptions: () => contactOptions([{ id: "c1", name: HOSTILE, number: "+12125550143", optedOut: true }]),
  lineOptions: () => lineOptions([{ id: "line1", name: HOSTILE, number: "+19195550100" }]),
  importModalView: () => importModalView(DEFAULT_HOME_STATE),
  // A thread's modals show the group's and contacts' names in plain_text only.
  renameModalView: () => renameModalView(THREAD_FORM, HOSTILE),
  participantsModalView: () => participantsModalView(THREAD_FORM, HOSTILE),
  assignModalView: () => assignModalView(THREAD_FORM, HOSTILE),
  importProgressView: () => importProgressView(DEFAULT_HOME_STATE),
  importResultView: () => [
    importResultView(DEFAULT_HOME_STATE, {
      added: 0,
      updated: 0,
      unchanged: 0,
      rejected: [],
      error: HOSTILE,
    }),
    importResultView(DEFAULT_HOME_STATE, {
      added: 0,
      updated: 0,
      unchanged: 0,
      rejected: [{ row: 2, reason: `“${HOSTILE}” is not a valid phone number` }],
      error: null,
    }),
  ],
};

/** Exported functions of src/slack/views that build no Slack text from outside values. */
const NOT_BUILDERS = new Set([
  "complianceAdvice",
  "describeLength",
  "threadLink",
  "encodeFormMetadata",
  "parseFormMetadata",
  "fieldBlockId",
  "versionTag",
  "encodeHomeState",
  "parseHomeState",
  "messageBlockId",
  "messageBlockVersion",
]);
// Building blocks every builder goes through; they take the escaped text the builders make.
const HELPER_MODULES = new Set(["kit.ts", "text.ts", "form.ts", "homeIds.ts", "homeState.ts"]);

describe("every Block Kit builder", () => {
  test("is driven here with hostile values (a new builder must be added)", () => {
    const dir = join(__dirname, "../../src/slack/views");
    const exported = readdirSync(dir)
      .filter((f) => f.endsWith(".ts") && !HELPER_MODULES.has(f))
      .flatMap((f) =>
        [...readFileSync(join(dir, f), "utf8").matchAll(/^export function (\w+)/gm)].map((m) => m[1] ?? ""),
      );
    expect(exported.filter((name) => !BUILDERS[name] && !NOT_BUILDERS.has(name))).toEqual([]);
  });

  test.each(Object.keys(BUILDERS))("%s escapes outside text in blocks and fallback text", (name) => {
    expectEscaped(BUILDERS[name]?.(), !NO_OUTSIDE_MRKDWN.has(name));
  });
});

describe("the app's notices in a thread", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  async function openGroup(): Promise<{ group: string[]; thread: ThreadRef }> {
    const group = freshNumbers(2);
    await sendText(h, group[0] ?? "", group, "hello from the group");
    const thread = await threadOf(h, group);
    await waitForPost(h, thread, (p) => p.text === "hello from the group");
    return { group, thread };
  }

  const expectPostEscaped = (post: PostArgs) => {
    for (const text of slackTexts({ text: post.text, blocks: post.blocks })) {
      for (const markup of ACTIVE_MARKUP) expect(text).not.toContain(markup);
    }
  };

  test("a carrier's failure description and a contact's name arrive as literal text", async () => {
    const { group, thread } = await openGroup();
    const [, ben] = group as [string, string];
    await nameContact(h, ben, HOSTILE);
    await replyFailsFor(h, group, thread, ben, HOSTILE);
    const notice = await waitForPost(h, thread, (p) => /Not delivered/.test(p.text ?? ""));
    expectPostEscaped(notice);
    expect(notice.text).toContain(escaped(HOSTILE));
  });

  test("the text around an opt-out keyword arrives as literal text", async () => {
    const { group, thread } = await openGroup();
    await sendText(h, group[1] ?? "", group, "<stop>");
    const notice = await waitForPost(h, thread, (p) => /opted out/.test(p.text ?? ""));
    expectPostEscaped(notice);
    expect(notice.text).not.toContain("<STOP>");
    expect(notice.text).toContain("&lt;STOP&gt;");
  });
});
