// Issue 10, "Team-safe threads": internal notes stay in Slack, the root says how to write one, and
// the author of a texted reply is told once that editing or deleting it in Slack unsends nothing.
import { eventually, type Harness, startHarness } from "../support/harness";
import {
  ADMIN,
  findElement,
  HOME_USERS,
  homeAction,
  nextHome,
  openHome,
  viewText,
} from "../support/homeDriver";
import { eventCallbackBody, messageEvent } from "../support/slackRequests";
import {
  freshNumbers,
  PNG_BYTES,
  pause,
  sendText,
  type ThreadRef,
  threadOf,
  waitForPost,
} from "./relayHelpers";

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ users: HOME_USERS });
});
afterAll(async () => {
  await h.stop();
});
beforeEach(() => {
  h.slack.reset();
  h.bandwidth.reset();
});

async function openGroup(): Promise<{ group: string[]; thread: ThreadRef }> {
  const group = freshNumbers(3);
  await sendText(h, group[0] ?? "", group, "hello from the group");
  const thread = await threadOf(h, group);
  await waitForPost(h, thread, (p) => p.text === "hello from the group");
  return { group, thread };
}

async function slackEvent(event: Record<string, unknown>): Promise<void> {
  const response = await h.slackRequest(eventCallbackBody({ event }));
  expect(response.status).toBe(200);
}

async function reply(
  thread: ThreadRef,
  text: string,
  extra: Partial<Parameters<typeof messageEvent>[0]> = {},
) {
  const event = messageEvent({ channel: thread.channel, user: "UDANA", text, threadTs: thread.ts, ...extra });
  await slackEvent(event);
  return event as { ts: string; text: string } & Record<string, unknown>;
}

function textsTo(group: string[]) {
  return h.bandwidth.messages.filter((m) => m.body.to.some((n) => group.includes(n)));
}

function reactionsOn(thread: ThreadRef, ts: string) {
  return h.slack
    .callsTo("reactions.add")
    .filter((c) => c.args.channel === thread.channel && c.args.timestamp === ts && !c.error);
}

async function setMarker(value: string): Promise<string> {
  const home = await openHome(h, ADMIN);
  const settings = await nextHome(h, ADMIN, () =>
    homeAction(h, ADMIN, { action_id: "home_nav_settings", value: "settings" }, { view: home }),
  );
  expect(findElement(settings, (e) => e.action_id === "home_note_marker").type).toBe("plain_text_input");
  const after = await nextHome(h, ADMIN, () =>
    homeAction(
      h,
      ADMIN,
      { action_id: "home_note_marker", type: "plain_text_input", value },
      { view: settings },
    ),
  );
  return viewText(after);
}

describe("internal notes", () => {
  test("a reply starting with // is never texted, and is marked in the thread", async () => {
    const { group, thread } = await openGroup();
    const note = await reply(thread, "  // who is this guy?");
    await eventually(() => reactionsOn(thread, note.ts).length === 1 || undefined);
    expect(reactionsOn(thread, note.ts)[0]?.args.name).toBe("lock");

    // The next ordinary reply is texted, and it is the only text.
    await reply(thread, "See you at 7");
    await eventually(() => textsTo(group).length === 1 || undefined);
    await pause(300);
    expect(textsTo(group).map((m) => m.body.text)).toEqual(["See you at 7"]);
    expect(await h.app.db.message.count({ where: { slackTs: note.ts } })).toBe(0);
  });

  test("a file shared with a // comment stays in Slack too, and its file is never fetched", async () => {
    const { group, thread } = await openGroup();
    const file = h.slack.registerFile({
      id: "F0NOTEMAP1",
      name: "map.png",
      mimetype: "image/png",
      bytes: PNG_BYTES,
    });
    const note = await reply(thread, "// for us: the venue map", { files: [file] });
    await eventually(() => reactionsOn(thread, note.ts).length === 1 || undefined);
    await pause(300);
    expect(textsTo(group)).toEqual([]);
    expect(h.slack.downloads.filter((d) => d.fileId === file.id)).toEqual([]);
  });

  test("the thread root says replies are texted and how to write a note", async () => {
    const { thread } = await openGroup();
    const root = h.slack
      .callsTo("chat.postMessage")
      .filter((c) => c.args.channel === thread.channel && c.args.thread_ts === undefined && !c.error)
      .at(-1);
    expect(JSON.stringify(root?.args.blocks)).toContain(
      "replies here are texted to the whole group; start one with `//` for an internal note",
    );
  });

  test("an admin changes the marker in Home settings; a bad marker is refused with a reason", async () => {
    expect(await setMarker("note")).toContain("must not start with a letter or a digit");
    expect(await setMarker("#note")).toContain(
      "Thread replies that begin with `#note` are now internal notes.",
    );
    try {
      const { group, thread } = await openGroup();
      const note = await reply(thread, "#note call them back tomorrow");
      await eventually(() => reactionsOn(thread, note.ts).length === 1 || undefined);
      await reply(thread, "// this one is texted now");
      await eventually(() => textsTo(group).length === 1 || undefined);
      expect(textsTo(group)[0]?.body.text).toBe("// this one is texted now");
    } finally {
      await setMarker("//");
    }
  });
});

describe("a signed reply", () => {
  test("the thread shows the signature the contacts read", async () => {
    await h.app.db.settings.upsert({
      where: { id: 1 },
      create: { id: 1, appendSenderName: true },
      update: { appendSenderName: true },
    });
    try {
      const { group, thread } = await openGroup();
      await reply(thread, "See you at 7");
      await eventually(() => textsTo(group).length === 1 || undefined);
      const sent = textsTo(group)[0]?.body.text ?? "";
      const signature = sent.split("\n").at(-1) ?? "";
      expect(signature).toMatch(/^— \S/);
      const note = await waitForPost(h, thread, (p) => /^Texted to 3 participants/.test(p.text ?? ""));
      expect(note.text).toContain(`Texted to 3 participants, signed “${signature}”: 3 MMS`);
    } finally {
      await h.app.db.settings.update({ where: { id: 1 }, data: { appendSenderName: false } });
    }
  });
});

describe("a texted reply edited or deleted in Slack", () => {
  function ephemeralsTo(user: string, thread: ThreadRef) {
    return h.slack
      .callsTo("chat.postEphemeral")
      .filter((c) => c.args.user === user && c.args.thread_ts === thread.ts && !c.error);
  }

  test("its author is told privately in the thread, once, that a text cannot be unsent", async () => {
    const { group, thread } = await openGroup();
    const sent = await reply(thread, "See you at 7");
    await eventually(() => textsTo(group).length === 1 || undefined);
    const edit = (text: string) => ({
      type: "message",
      subtype: "message_changed",
      hidden: true,
      channel: thread.channel,
      ts: `${sent.ts.split(".")[0]}.999${String(Math.floor(Math.random() * 999)).padStart(3, "0")}`,
      message: { type: "message", user: "UDANA", text, ts: sent.ts, thread_ts: thread.ts },
      previous_message: {
        type: "message",
        user: "UDANA",
        text: sent.text,
        ts: sent.ts,
        thread_ts: thread.ts,
      },
    });

    // A link preview added by Slack changes nothing the author wrote: no notice.
    await slackEvent(edit(sent.text));
    await pause(300);
    expect(ephemeralsTo("UDANA", thread)).toEqual([]);

    await slackEvent(edit("See you at 8"));
    await eventually(() => ephemeralsTo("UDANA", thread).length === 1 || undefined);
    expect(ephemeralsTo("UDANA", thread)[0]?.args.text).toContain("a text cannot be unsent");

    await slackEvent(edit("See you at 9"));
    await slackEvent({
      type: "message",
      subtype: "message_deleted",
      hidden: true,
      channel: thread.channel,
      ts: `${sent.ts.split(".")[0]}.998000`,
      deleted_ts: sent.ts,
      previous_message: {
        type: "message",
        user: "UDANA",
        text: "See you at 9",
        ts: sent.ts,
        thread_ts: thread.ts,
      },
    });
    await pause(400);
    expect(ephemeralsTo("UDANA", thread)).toHaveLength(1);
    expect(textsTo(group)).toHaveLength(1);
  });

  test("deleting a texted reply tells its author; deleting a note says nothing", async () => {
    const { group, thread } = await openGroup();
    const sent = await reply(thread, "Running late");
    const note = await reply(thread, "// they'll be fine");
    await eventually(() => textsTo(group).length === 1 || undefined);
    for (const gone of [note, sent]) {
      await slackEvent({
        type: "message",
        subtype: "message_deleted",
        hidden: true,
        channel: thread.channel,
        ts: `${gone.ts.split(".")[0]}.997000`,
        deleted_ts: gone.ts,
        previous_message: {
          type: "message",
          user: "UDANA",
          text: gone.text,
          ts: gone.ts,
          thread_ts: thread.ts,
        },
      });
    }
    await eventually(() => ephemeralsTo("UDANA", thread).length === 1 || undefined);
    await pause(300);
    expect(ephemeralsTo("UDANA", thread)).toHaveLength(1);
    expect(ephemeralsTo("UDANA", thread)[0]?.args.text).toContain("Deleting it here does not unsend it.");
  });
});
