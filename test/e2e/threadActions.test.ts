// Issue 13, "Act on a conversation from its thread": the thread root's menu renames the group,
// changes its participants, closes and reopens it, and assigns it, each checked on the server,
// applied once, recorded and said in the thread. Driven by signed Slack requests; texts go through
// the spec-validating Bandwidth fake.
import { participantKey } from "../../src/domain/participants";
import { startGroup } from "../support/flows";
import { eventually, type Harness, SALES_LINE, startHarness } from "../support/harness";
import {
  ADMIN,
  HOME_USERS,
  homeAction,
  MEMBER,
  nextHome,
  OTHER_MEMBER,
  openHome,
  viewText,
} from "../support/homeDriver";
import {
  blockActionsBody,
  eventCallbackBody,
  fakeTriggerId,
  messageEvent,
  viewSubmissionBody,
} from "../support/slackRequests";
import { freshNumbers, sendText, type ThreadRef, waitForPost } from "./relayHelpers";

const CHANNEL = "CGENERAL";
/** In Slack but not in the conversation's channel. */
const OUTSIDER = "UOUTSIDE";

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ users: { ...HOME_USERS, [OUTSIDER]: { name: "olga" } } });
  h.slack.addChannel(CHANNEL, { name: "general", is_member: true, members: [MEMBER, OTHER_MEMBER, ADMIN] });
});
afterAll(async () => {
  await h.stop();
});
beforeEach(() => {
  h.slack.reset();
  h.bandwidth.reset();
});

async function newGroup(size = 3, name?: string): Promise<{ numbers: string[]; thread: ThreadRef }> {
  const numbers = freshNumbers(size);
  const conversation = await startGroup(h, { numbers, channelId: CHANNEL, ...(name ? { name } : {}) });
  // Only what the test does afterwards is looked at.
  h.bandwidth.reset();
  return {
    numbers,
    thread: { conversationId: conversation.id, channel: CHANNEL, ts: conversation.threadTs ?? "" },
  };
}

/** A pick in the thread root's overflow menu, as Slack sends it. */
function menu(thread: ThreadRef, userId: string, value: string, triggerId = fakeTriggerId()) {
  return h.slackRequest(
    blockActionsBody({
      userId,
      channelId: thread.channel,
      messageTs: thread.ts,
      triggerId,
      actions: [
        {
          action_id: "thread_actions",
          type: "overflow",
          block_id: "thread_actions",
          selected_option: { text: { type: "plain_text", text: value }, value },
        },
      ],
    }),
  );
}

type OpenedView = { callback_id: string; private_metadata: string; blocks: Record<string, unknown>[] };

/** Picks `value` in the menu and returns the modal the app opened for it. */
async function openModal(thread: ThreadRef, userId: string, value: string): Promise<OpenedView> {
  const before = h.slack.callsTo("views.open").length;
  expect((await menu(thread, userId, value)).status).toBe(200);
  const calls = await h.slack.waitFor((all) => all.filter((c) => c.method === "views.open").length > before);
  return calls.filter((c) => c.method === "views.open").at(-1)?.args.view as OpenedView;
}

function submit(
  userId: string,
  view: OpenedView,
  values: Record<string, Record<string, unknown>>,
  viewId?: string,
) {
  return h.slackRequest(
    viewSubmissionBody({
      userId,
      view: {
        callback_id: view.callback_id,
        private_metadata: view.private_metadata,
        state: { values },
        ...(viewId ? { id: viewId } : {}),
      },
    }),
  );
}

function ephemeralsTo(userId: string) {
  return h.slack
    .callsTo("chat.postEphemeral")
    .filter((c) => c.args.user === userId && !c.error)
    .map((c) => String(c.args.text));
}

/** The thread root's latest blocks, as posted or last updated. */
function rootText(thread: ThreadRef): string {
  const stored = h.slack.messagesIn(thread.channel).find((m) => m.ts === thread.ts);
  return JSON.stringify(stored?.blocks ?? []);
}

async function rootShows(thread: ThreadRef, text: string) {
  await eventually(() => rootText(thread).includes(text), 10_000);
}

async function events(conversationId: string) {
  return h.app.db.conversationEvent.findMany({ where: { conversationId }, orderBy: { createdAt: "asc" } });
}

function reply(thread: ThreadRef, text: string, user = MEMBER) {
  return h.slackRequest(
    eventCallbackBody({ event: messageEvent({ channel: thread.channel, user, text, threadTs: thread.ts }) }),
  );
}

test("rename: the menu opens a modal, the root and the thread show the new name, and it is recorded", async () => {
  const { thread } = await newGroup(3, "Saturday crew");
  const view = await openModal(thread, MEMBER, "rename");
  expect(view.callback_id).toBe("thread_rename");
  expect(JSON.stringify(view.blocks)).toContain("Saturday crew");

  // Over the limit: answered inline, nothing changed.
  const long = await submit(MEMBER, view, {
    thread_name: { thread_name: { type: "plain_text_input", value: "x".repeat(81) } },
  });
  expect(JSON.parse(long.text)).toMatchObject({
    response_action: "errors",
    errors: { thread_name: expect.stringContaining("80") },
  });

  const ok = await submit(
    MEMBER,
    view,
    { thread_name: { thread_name: { type: "plain_text_input", value: "Sunday <!channel> crew" } } },
    "VRENAME0001",
  );
  expect(ok.text).toBe("");
  await rootShows(thread, "Sunday <!channel> crew");
  await waitForPost(h, thread, (p) => String(p.text).includes("renamed the group to"));
  const conversation = await h.app.db.groupConversation.findUniqueOrThrow({
    where: { id: thread.conversationId },
  });
  expect(conversation.name).toBe("Sunday <!channel> crew");
  expect(await events(thread.conversationId)).toEqual([
    expect.objectContaining({ action: "RENAME", actor: MEMBER, detail: "Sunday <!channel> crew" }),
  ]);
  // The same submission sent again changes nothing more.
  const replayed = await submit(
    MEMBER,
    view,
    { thread_name: { thread_name: { value: "Sunday <!channel> crew" } } },
    "VRENAME0001",
  );
  expect(replayed.text).toBe("");
  const again = await h.app.db.groupConversation.findUniqueOrThrow({ where: { id: thread.conversationId } });
  expect(again.name).toBe("Sunday <!channel> crew");
});

test("participants: a 4th contact gets the next reply, and the old set's texts still land in the thread", async () => {
  const { numbers, thread } = await newGroup(3);
  const [fourth] = freshNumbers(1);
  const view = await openModal(thread, MEMBER, "participants");
  expect(view.callback_id).toBe("thread_participants");
  const response = await submit(MEMBER, view, {
    thread_keep: {
      thread_keep: { type: "checkboxes", selected_options: numbers.map((value) => ({ value })) },
    },
    thread_add: { thread_add: { type: "plain_text_input", value: `${fourth}` } },
  });
  expect(response.text).toBe("");
  await waitForPost(
    h,
    thread,
    (p) => String(p.text).includes("added") && String(p.text).includes("4 contacts"),
  );
  const participants = await h.app.db.participant.count({ where: { conversationId: thread.conversationId } });
  expect(participants).toBe(4);
  expect(await events(thread.conversationId)).toEqual([
    expect.objectContaining({ action: "PARTICIPANTS", actor: MEMBER, detail: `added ${fourth}` }),
  ]);

  // The next reply goes to all four.
  expect((await reply(thread, "Welcome aboard")).status).toBe(200);
  const [sent] = await h.bandwidth.waitForMessages(1);
  expect([...(sent?.body.to ?? [])].sort()).toEqual([...numbers, fourth].sort());
  expect(h.bandwidth.violations).toEqual([]);

  // A contact still in the old group MMS on their phone replies there: same thread.
  const oldSet = numbers;
  await sendText(h, oldSet[0] ?? "", oldSet, "reply from the old group");
  await waitForPost(h, thread, (p) => p.text === "reply from the old group");
  const newSet = [...numbers, fourth ?? ""];
  await sendText(h, fourth ?? "", newSet, "hi, new here");
  await waitForPost(h, thread, (p) => p.text === "hi, new here");
  const keys = await h.app.db.conversationKey.findMany({ where: { conversationId: thread.conversationId } });
  expect(keys.map((k) => k.key).sort()).toEqual([participantKey(oldSet), participantKey(newSet)].sort());
});

test("participants: the limit of 9 and opted-out contacts are refused inline", async () => {
  const { numbers, thread } = await newGroup(3);
  const view = await openModal(thread, MEMBER, "participants");
  const keepAll = { thread_keep: { selected_options: numbers.map((value) => ({ value })) } };
  const tooMany = await submit(MEMBER, view, {
    thread_keep: keepAll,
    thread_add: { thread_add: { value: freshNumbers(7).join("\n") } },
  });
  expect(JSON.parse(tooMany.text)).toMatchObject({
    errors: { thread_add: expect.stringContaining("at most 9") },
  });

  const [optedOut] = freshNumbers(1);
  const line = await h.app.db.line.findUniqueOrThrow({ where: { number: SALES_LINE } });
  const event = await h.app.db.consentEvent.create({
    data: { lineId: line.id, number: optedOut ?? "", status: "OPTED_OUT", source: "ADMIN", actor: ADMIN },
  });
  await h.app.db.consent.create({
    data: { lineId: line.id, number: optedOut ?? "", status: "OPTED_OUT", lastEventId: event.id },
  });
  const refused = await submit(MEMBER, view, {
    thread_keep: keepAll,
    thread_add: { thread_add: { value: optedOut } },
  });
  expect(JSON.parse(refused.text)).toMatchObject({
    errors: { thread_add: expect.stringContaining("opted out") },
  });
  expect(await h.app.db.participant.count({ where: { conversationId: thread.conversationId } })).toBe(3);
  expect(await events(thread.conversationId)).toEqual([]);
});

test("close: a teammate's reply is not texted and they are told privately; a contact's text reopens it", async () => {
  const { numbers, thread } = await newGroup(3);
  expect((await menu(thread, MEMBER, "close")).status).toBe(200);
  await rootShows(thread, "Closed");
  await waitForPost(h, thread, (p) => String(p.text).includes("closed this conversation"));

  // Slack delivers the event twice: its author is told once.
  const event = messageEvent({
    channel: thread.channel,
    user: OTHER_MEMBER,
    text: "Anyone there?",
    threadTs: thread.ts,
  });
  expect((await h.slackRequest(eventCallbackBody({ event }))).status).toBe(200);
  expect((await h.slackRequest(eventCallbackBody({ event }))).status).toBe(200);
  await eventually(() => ephemeralsTo(OTHER_MEMBER).some((t) => t.includes("closed")));
  await new Promise((r) => setTimeout(r, 500));
  expect(h.bandwidth.messages).toEqual([]);
  expect(ephemeralsTo(OTHER_MEMBER)).toHaveLength(1);

  await sendText(h, numbers[1] ?? "", numbers, "we need you again");
  await waitForPost(h, thread, (p) => String(p.text).includes("Reopened by a new text from"));
  await waitForPost(h, thread, (p) => p.text === "we need you again");
  await eventually(() => !rootText(thread).includes("Closed"));
  expect((await events(thread.conversationId)).map((e) => [e.action, e.actor])).toEqual([
    ["CLOSE", MEMBER],
    ["REOPEN", null],
  ]);

  // Open again: replies are texted.
  expect((await reply(thread, "Back on it", OTHER_MEMBER)).status).toBe(200);
  await h.bandwidth.waitForMessages(1);
});

test("close: starting a group text with the same people again reopens it, and says who did", async () => {
  const { numbers, thread } = await newGroup(2);
  await menu(thread, MEMBER, "close");
  await rootShows(thread, "Closed");
  await startGroup(h, {
    numbers,
    channelId: CHANNEL,
    userId: OTHER_MEMBER,
    message: "Picking this up again",
  });
  await waitForPost(h, thread, (p) => String(p.text).includes(`Reopened by <@${OTHER_MEMBER}>`));
  await eventually(() => !rootText(thread).includes("Closed"));
  expect((await events(thread.conversationId)).map((e) => [e.action, e.actor])).toEqual([
    ["CLOSE", MEMBER],
    ["REOPEN", OTHER_MEMBER],
  ]);
});

test("close and reopen from the menu; a click sent again takes effect once", async () => {
  const { thread } = await newGroup(2);
  const trigger = fakeTriggerId();
  await menu(thread, MEMBER, "close", trigger);
  await menu(thread, MEMBER, "close", trigger);
  await rootShows(thread, "Closed");
  await menu(thread, OTHER_MEMBER, "reopen");
  await eventually(() => !rootText(thread).includes("Closed"));
  // The replayed close did not close it again after the reopen.
  await new Promise((r) => setTimeout(r, 300));
  expect((await events(thread.conversationId)).map((e) => e.action)).toEqual(["CLOSE", "REOPEN"]);
  const conversation = await h.app.db.groupConversation.findUniqueOrThrow({
    where: { id: thread.conversationId },
  });
  expect(conversation.closedAt).toBeNull();
});

test("assign: the root shows the assignee, who gets a DM for the next text from the contacts", async () => {
  const { numbers, thread } = await newGroup(3);
  const view = await openModal(thread, MEMBER, "assign");
  expect(view.callback_id).toBe("thread_assign");
  const response = await submit(MEMBER, view, {
    thread_assignee: { thread_assignee: { type: "users_select", selected_user: OTHER_MEMBER } },
  });
  expect(response.text).toBe("");
  await rootShows(thread, `assigned to <@${OTHER_MEMBER}>`);
  await waitForPost(h, thread, (p) =>
    String(p.text).includes(`assigned this conversation to <@${OTHER_MEMBER}>`),
  );

  await sendText(h, numbers[0] ?? "", numbers, "Is the order ready?");
  await waitForPost(h, thread, (p) => p.text === "Is the order ready?");
  const calls = await h.slack.waitFor((all) =>
    all.some((c) => c.method === "chat.postMessage" && c.args.channel === OTHER_MEMBER),
  );
  const dm = calls.find((c) => c.method === "chat.postMessage" && c.args.channel === OTHER_MEMBER);
  expect(String(dm?.args.text)).toContain("Is the order ready?");
  expect(String(dm?.args.text)).toContain(`/archives/${CHANNEL}/p`);
  // Only the assignee is DMed.
  expect(h.slack.callsTo("chat.postMessage").filter((c) => /^U/.test(String(c.args.channel)))).toHaveLength(
    1,
  );

  // Take it: the holder changes, recorded.
  await menu(thread, OTHER_MEMBER, "take");
  await new Promise((r) => setTimeout(r, 300));
  expect(ephemeralsTo(OTHER_MEMBER).some((t) => t.includes("already assigned to you"))).toBe(true);
});

test("refused: a user outside the channel, and a non-admin taking someone else's conversation", async () => {
  const { thread } = await newGroup(2);
  // Outside the channel: every action is refused privately, and no modal opens.
  for (const action of ["rename", "participants", "close", "reopen", "assign", "take"]) {
    await menu(thread, OUTSIDER, action);
  }
  await eventually(() => ephemeralsTo(OUTSIDER).length === 6);
  expect(ephemeralsTo(OUTSIDER).every((t) => t.includes("Only members of this conversation's channel"))).toBe(
    true,
  );
  expect(h.slack.callsTo("views.open")).toEqual([]);

  // A member opens the rename modal; the outsider forges its submission with their own user id.
  const view = await openModal(thread, MEMBER, "rename");
  const forged = await submit(OUTSIDER, view, { thread_name: { thread_name: { value: "Hijacked" } } });
  expect(JSON.parse(forged.text)).toMatchObject({
    errors: { thread_name: expect.stringContaining("not opened here by you") },
  });
  // Metadata re-signed for the outsider would need the secret; a modal they open cannot be opened.
  expect(await events(thread.conversationId)).toEqual([]);

  // Assigned to Evan: Dana (not an admin) cannot take it or hand it on; an admin can.
  await menu(thread, OTHER_MEMBER, "take");
  await rootShows(thread, `assigned to <@${OTHER_MEMBER}>`);
  await menu(thread, MEMBER, "take");
  await eventually(() => ephemeralsTo(MEMBER).some((t) => t.includes("assigned to someone else")));
  const assign = await openModal(thread, MEMBER, "assign");
  const handOn = await submit(MEMBER, assign, {
    thread_assignee: { thread_assignee: { selected_user: MEMBER } },
  });
  expect(JSON.parse(handOn.text)).toMatchObject({
    errors: { thread_assignee: expect.stringContaining("admin") },
  });
  const adminView = await openModal(thread, ADMIN, "assign");
  expect(
    (await submit(ADMIN, adminView, { thread_assignee: { thread_assignee: { selected_user: MEMBER } } }))
      .text,
  ).toBe("");
  await rootShows(thread, `assigned to <@${MEMBER}>`);
  expect((await events(thread.conversationId)).map((e) => [e.action, e.actor, e.detail])).toEqual([
    ["ASSIGN", OTHER_MEMBER, OTHER_MEMBER],
    ["ASSIGN", ADMIN, MEMBER],
  ]);
});

test("a modal is checked again when submitted: someone who left the channel meanwhile changes nothing", async () => {
  const { numbers, thread } = await newGroup(3);
  const view = await openModal(thread, OTHER_MEMBER, "participants");
  h.slack.addChannel(CHANNEL, { name: "general", is_member: true, members: [MEMBER, ADMIN] });
  try {
    const response = await submit(OTHER_MEMBER, view, {
      thread_keep: { thread_keep: { selected_options: numbers.slice(0, 2).map((value) => ({ value })) } },
      thread_add: { thread_add: { value: "" } },
    });
    expect(JSON.parse(response.text)).toMatchObject({
      errors: { thread_add: expect.stringContaining("Only members of this conversation's channel") },
    });
  } finally {
    h.slack.addChannel(CHANNEL, { name: "general", is_member: true, members: [MEMBER, OTHER_MEMBER, ADMIN] });
  }
  expect(await h.app.db.participant.count({ where: { conversationId: thread.conversationId } })).toBe(3);
  expect(await events(thread.conversationId)).toEqual([]);
});

test("a forged menu click on a message that is not a conversation's root changes nothing", async () => {
  const { thread } = await newGroup(2);
  await menu({ ...thread, ts: "1700000000.999999" }, MEMBER, "close");
  await eventually(() => ephemeralsTo(MEMBER).some((t) => t.includes("not a Reply-All conversation")));
  expect(await events(thread.conversationId)).toEqual([]);
});

describe("App Home", () => {
  test("a member sees the conversations assigned to them and theirs, open first, with links to the threads", async () => {
    const closed = await newGroup(2, "Closed job");
    await menu(closed.thread, MEMBER, "close");
    await newGroup(2, "Open job");
    // Started by the admin, assigned to Evan, who never replied in it.
    const numbers = freshNumbers(2);
    const started = await startGroup(h, { numbers, channelId: CHANNEL, userId: ADMIN, name: "Evan's job" });
    const evans = { conversationId: started.id, channel: CHANNEL, ts: started.threadTs ?? "" };
    await menu(evans, OTHER_MEMBER, "take");
    await eventually(async () => {
      const c = await h.app.db.groupConversation.findUniqueOrThrow({
        where: { id: closed.thread.conversationId },
      });
      const e = await h.app.db.groupConversation.findUniqueOrThrow({ where: { id: evans.conversationId } });
      return c.closedAt !== null && e.assignee === OTHER_MEMBER;
    });

    const evanHome = viewText(await openHome(h, OTHER_MEMBER));
    expect(evanHome).toContain("Evan's job");
    expect(evanHome).toContain("assigned to you");
    expect(evanHome).toContain(`https://slack.com/archives/${CHANNEL}/p${evans.ts.replace(".", "")}|`);
    expect(evanHome).not.toContain("Open job");

    const danaHome = await openHome(h, MEMBER);
    const rows = danaHome.blocks.map((b) => b.text?.text ?? "").filter((t) => t.includes(" contacts · "));
    const firstClosed = rows.findIndex((t) => t.includes(" · closed, "));
    const lastOpen = rows.map((t) => t.includes(" · open, ")).lastIndexOf(true);
    expect(firstClosed).toBeGreaterThan(-1);
    expect(lastOpen).toBeLessThan(firstClosed);
    expect(rows.find((t) => t.includes("Closed job"))).toContain(":lock:");
    expect(viewText(danaHome)).not.toContain("Evan's job");
  });

  test("an admin lists conversations by line and state; a non-admin's forged filter is refused", async () => {
    const closed = await newGroup(2, "Admin-closed job");
    await menu(closed.thread, ADMIN, "close");
    await eventually(async () => {
      const c = await h.app.db.groupConversation.findUniqueOrThrow({
        where: { id: closed.thread.conversationId },
      });
      return c.closedAt !== null;
    });
    const home = await openHome(h, ADMIN);
    const tab = await nextHome(h, ADMIN, () =>
      homeAction(h, ADMIN, { action_id: "home_nav_conversations", value: "conversations" }, { view: home }),
    );
    // Open ones by default: the closed one is not listed.
    expect(viewText(tab)).toContain("home_conversation_state");
    expect(viewText(tab)).not.toContain("Admin-closed job");
    const closedOnly = await nextHome(h, ADMIN, () =>
      homeAction(
        h,
        ADMIN,
        {
          action_id: "home_conversation_state",
          type: "static_select",
          selected_option: { value: "closed", text: { type: "plain_text", text: "Closed" } },
        },
        { view: tab },
      ),
    );
    expect(viewText(closedOnly)).toContain("Admin-closed job");
    expect(viewText(closedOnly)).not.toContain(" · open, ");
    const frontDesk = await h.app.db.line.findFirstOrThrow({ where: { name: "Front desk" } });
    const otherLine = await nextHome(h, ADMIN, () =>
      homeAction(
        h,
        ADMIN,
        {
          action_id: "home_conversation_line",
          type: "static_select",
          selected_option: { value: frontDesk.id, text: { type: "plain_text", text: "Front desk" } },
        },
        { view: closedOnly },
      ),
    );
    expect(viewText(otherLine)).toContain("No conversations match");

    // A teammate's Home has no filters; a forged filter change gets the admin-only refusal.
    const memberHome = await openHome(h, MEMBER);
    expect(viewText(memberHome)).not.toContain("home_conversation_state");
    const refused = await nextHome(h, MEMBER, () =>
      homeAction(
        h,
        MEMBER,
        { action_id: "home_conversation_state", type: "static_select", selected_option: { value: "all" } },
        { view: memberHome },
      ),
    );
    expect(viewText(refused)).toContain("Only Reply-All admins can do that");
  });
});
