import { encodeModalOrigin } from "../../src/slack/modalOrigin";
import { groupModalMetadata } from "../support/flows";
import { type Harness, SALES_LINE, SECRETS, startHarness } from "../support/harness";
import { globalShortcutBody, slashCommandBody, viewSubmissionBody } from "../support/slackRequests";

/**
 * Issue 10, "the thread exists before any text leaves": the modal's channel picker, the check that
 * the app can post there and hear the replies (answered inline within Slack's 3 s), the thread root
 * posted before the Bandwidth request, `/grouptext help` and the global shortcut.
 */

let h: Harness;
let salesLineId: string;

beforeAll(async () => {
  h = await startHarness();
  salesLineId = (await h.app.db.line.findUniqueOrThrow({ where: { number: SALES_LINE } })).id;
  h.slack.addChannel("CPRIVATE1", { name: "secret-plans", is_private: true, is_member: false });
  h.slack.addChannel("CARCHIVE1", { name: "old-news", is_archived: true });
  h.slack.addChannel("CPUBLIC01", { name: "movers", is_member: false });
  h.slack.addChannel("CSLOWCHAN", { name: "slow" });
  h.slack.addChannel("CPRIVATE2", { name: "hr-only", is_private: true, members: ["UHR", "UBOT"] });
  h.slack.addChannel("CPRIVATE3", { name: "dana-team", is_private: true, members: ["UDANA", "UBOT"] });
});
afterAll(async () => {
  await h.stop();
});
beforeEach(() => {
  h.slack.reset();
  h.bandwidth.reset();
});

type Element = { type?: string; initial_conversation?: string; default_to_current_conversation?: boolean };
type Block = { block_id?: string; optional?: boolean; element?: Element };

async function openedModal(before: number): Promise<{ blocks: Block[]; private_metadata: string }> {
  const calls = await h.slack.waitForCalls("views.open", before + 1);
  return calls[calls.length - 1]?.args.view as { blocks: Block[]; private_metadata: string };
}

function submit(input: {
  /** The picker's value; undefined leaves the picker out (a modal opened before it existed). */
  picked?: string | null;
  origin?: string | null;
  numbers?: string;
  message?: string;
}) {
  const values: Record<string, Record<string, unknown>> = {
    line: { line_value: { type: "static_select", selected_option: { value: salesLineId } } },
    numbers: { numbers_value: { type: "plain_text_input", value: input.numbers ?? "(212) 555-0188" } },
    name: { name_value: { type: "plain_text_input", value: null } },
    message: { message_value: { type: "plain_text_input", value: input.message ?? "Hello" } },
  };
  const blocks = ["line", "numbers", "name", "message"];
  if (input.picked !== undefined) {
    values.channel = { channel_value: { type: "conversations_select", selected_conversation: input.picked } };
    blocks.unshift("channel");
  }
  const metadata =
    input.origin === undefined
      ? groupModalMetadata()
      : encodeModalOrigin(SECRETS.signingSecret, { channelId: input.origin, userId: "UDANA" });
  return h.slackRequest(
    viewSubmissionBody({
      userId: "UDANA",
      view: {
        callback_id: "group_start",
        private_metadata: metadata,
        state: { values },
        blocks: blocks.map((block_id) => ({ block_id })),
      },
    }),
  );
}

/** Refused inline, and nothing texted, stored or posted. */
async function expectRefused(response: Awaited<ReturnType<typeof submit>>, block: string, text: string) {
  expect(response.status).toBe(200);
  const body = response.json as { response_action: string; errors: Record<string, string> };
  expect(body.response_action).toBe("errors");
  expect(body.errors[block]).toContain(text);
  await new Promise((r) => setTimeout(r, 500));
  expect(h.bandwidth.requests).toHaveLength(0);
  expect(h.slack.callsTo("chat.postMessage")).toHaveLength(0);
}

describe("the channel the thread is posted in", () => {
  test("the modal's picker defaults to the channel the command was typed in", async () => {
    const response = await h.slackRequest(
      slashCommandBody({ command: "/grouptext", userId: "UDANA", channelId: "CGENERAL" }),
    );
    expect(response.status).toBe(200);
    const view = await openedModal(0);
    const picker = view.blocks.find((b) => b.block_id === "channel");
    expect(picker?.element?.type).toBe("conversations_select");
    expect(picker?.element?.initial_conversation).toBe("CGENERAL");
    expect(picker?.optional).toBeFalsy();
  });

  test("opened from a DM the picker asks for a channel, and a form sent without one sends nothing", async () => {
    await h.slackRequest(
      slashCommandBody({ command: "/grouptext", userId: "UDANA", channelId: "D0123DIRECT" }),
    );
    const view = await openedModal(0);
    const picker = view.blocks.find((b) => b.block_id === "channel");
    expect(picker?.element?.initial_conversation).toBeUndefined();
    expect(picker?.element?.default_to_current_conversation).toBeUndefined();

    const before = await h.app.db.groupStart.count();
    await expectRefused(await submit({ picked: null, origin: "D0123DIRECT" }), "channel", "Pick the channel");
    expect(await h.app.db.groupStart.count()).toBe(before);
  });

  test("typed in a private channel without the app, the picker starts empty and asks", async () => {
    await h.slackRequest(
      slashCommandBody({ command: "/grouptext", userId: "UDANA", channelId: "CPRIVATE1" }),
    );
    const view = await openedModal(0);
    const picker = view.blocks.find((b) => b.block_id === "channel");
    expect(picker?.element?.initial_conversation).toBeUndefined();
  });

  test("a modal without the picker, opened from a DM, is refused inline too", async () => {
    await expectRefused(await submit({ origin: "D0123DIRECT" }), "message", "direct message");
  });

  test("a direct message id submitted in the picker is refused without asking Slack", async () => {
    await expectRefused(await submit({ picked: "D0123DIRECT" }), "channel", "direct message");
    expect(h.slack.callsTo("conversations.info")).toHaveLength(0);
  });

  test("a private channel without the app: the modal says to invite it, and nothing is sent or stored", async () => {
    const before = await h.app.db.groupStart.count();
    await expectRefused(
      await submit({ picked: "CPRIVATE1" }),
      "channel",
      "Invite @Reply-All Texts to #secret-plans first",
    );
    expect(await h.app.db.groupStart.count()).toBe(before);
    expect(h.slack.callsTo("conversations.join")).toHaveLength(0);
  });

  test("a private channel the app cannot even see (Slack: channel_not_found) is refused inline", async () => {
    h.slack.failNext("conversations.info", 1, { error: "channel_not_found" });
    await expectRefused(
      await submit({ picked: "CHIDDEN01" }),
      "channel",
      "invite @Reply-All Texts to it first",
    );
  });

  test.each(["C<!channel>", "general", `C${"A".repeat(25)}`])(
    "a forged picker value %s is refused without asking Slack",
    async (picked) => {
      await expectRefused(await submit({ picked }), "channel", "Pick a channel from the list");
      expect(h.slack.callsTo("conversations.info")).toHaveLength(0);
    },
  );

  test("a private channel the app is in but the member is not is refused: the picker's value is the client's word", async () => {
    await expectRefused(await submit({ picked: "CPRIVATE2" }), "channel", "You are not in #hr-only");
  });

  test("a private channel both the app and the member are in opens the thread there", async () => {
    const response = await submit({
      picked: "CPRIVATE3",
      numbers: "(212) 555-0185",
      message: "Private crew",
    });
    expect(response.text).toBe("");
    await h.bandwidth.waitForMessages(1);
    const [root] = await h.slack.waitForCalls("chat.postMessage", 2);
    expect(root?.args.channel).toBe("CPRIVATE3");
  });

  test("an archived channel is refused inline", async () => {
    await expectRefused(await submit({ picked: "CARCHIVE1" }), "channel", "#old-news is archived");
  });

  test("a form with other errors joins nothing", async () => {
    const response = await submit({ picked: "CPUBLIC01", numbers: "12345" });
    expect((response.json as { errors: Record<string, string> }).errors.numbers).toBeDefined();
    expect(h.slack.callsTo("conversations.join")).toHaveLength(0);
  });

  test("when Slack does not answer the check in time, the modal says so within 3 s", async () => {
    h.slack.delayAnswers("conversations.info", 4_000);
    const started = Date.now();
    const response = await submit({ picked: "CSLOWCHAN" });
    expect(Date.now() - started).toBeLessThan(3_000);
    await expectRefused(response, "channel", "Slack did not answer in time");
  });

  test("a public channel the app is not in is joined, and the thread opens there", async () => {
    const response = await submit({ picked: "CPUBLIC01", numbers: "(212) 555-0181", message: "Moving day" });
    expect(response.text).toBe("");
    const joins = h.slack.callsTo("conversations.join");
    expect(joins.map((c) => c.args.channel)).toEqual(["CPUBLIC01"]);
    await h.bandwidth.waitForMessages(1);
    const [root, entry] = await h.slack.waitForCalls("chat.postMessage", 2);
    expect(root?.args.channel).toBe("CPUBLIC01");
    expect(entry?.args.channel).toBe("CPUBLIC01");
    expect(root?.args.thread_ts).toBeUndefined();
    expect(root?.at).toBeGreaterThanOrEqual(joins[0]?.at ?? Number.POSITIVE_INFINITY);
  });

  test("with a usable channel the thread root exists before the Bandwidth request", async () => {
    const response = await submit({ picked: "CGENERAL", numbers: "(212) 555-0182", message: "Root first" });
    expect(response.text).toBe("");
    const [sent] = await h.bandwidth.waitForMessages(1);
    const posts = await h.slack.waitForCalls("chat.postMessage", 2);
    const root = posts.find((p) => p.args.thread_ts === undefined);
    expect(root?.args.channel).toBe("CGENERAL");
    // Slack recorded the root's post before Bandwidth received the request to text the group.
    expect(root?.at).toBeLessThan(sent?.receivedAt.getTime() ?? 0);
    expect(h.bandwidth.requests[0]?.receivedAt.getTime()).toBeGreaterThan(
      root?.at ?? Number.POSITIVE_INFINITY,
    );
    // Until the text left, the root showed what it would cost; the first entry in the thread is the text.
    expect(JSON.stringify(root?.args.blocks)).toContain("first message: 1 SMS");
    const start = await h.app.db.groupStart.findFirstOrThrow({ where: { text: "Root first" } });
    const conversation = await h.app.db.groupConversation.findUniqueOrThrow({
      where: { id: start.conversationId ?? "" },
    });
    expect(conversation.channelId).toBe("CGENERAL");
    const entry = posts.find((p) => p.args.thread_ts === conversation.threadTs);
    expect(String(entry?.args.text)).toContain("Root first");
  });
});

describe("root first, across retries", () => {
  test("a root whose answer was lost is found in the channel and adopted on the retry; then the group is texted once", async () => {
    // Slack makes the post but the answer never arrives: the job cannot know, and must not post again.
    h.slack.failNext("chat.postMessage", 1, { dropAfterHandling: true });
    const response = await submit({ picked: "CGENERAL", numbers: "(212) 555-0184", message: "Adopted root" });
    expect(response.text).toBe("");
    const [sent] = await h.bandwidth.waitForMessages(1, 20_000);
    expect(sent?.body.text).toBe("Adopted root");
    const roots = h.slack.callsTo("chat.postMessage").filter((c) => c.args.thread_ts === undefined);
    expect(roots).toHaveLength(1);
    expect(roots[0]?.at).toBeLessThan(sent?.receivedAt.getTime() ?? 0);
    const start = await h.app.db.groupStart.findFirstOrThrow({ where: { text: "Adopted root" } });
    const conversation = await h.app.db.groupConversation.findUniqueOrThrow({
      where: { id: start.conversationId ?? "" },
    });
    expect(h.slack.messagesIn("CGENERAL").filter((m) => m.ts === conversation.threadTs)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(h.bandwidth.messages).toHaveLength(1);
  }, 30_000);
});

describe("/grouptext help and the global shortcut", () => {
  test.each(["help", "HELP", " ? "])("`/grouptext %s` answers with usage and texts nobody", async (text) => {
    const response = await h.slackRequest(
      slashCommandBody({ command: "/grouptext", text, userId: "UDANA", channelId: "CGENERAL" }),
    );
    expect(response.status).toBe(200);
    const body = response.json as { response_type: string; text: string };
    expect(body.response_type).toBe("ephemeral");
    expect(body.text).toContain("/grouptext");
    expect(body.text).toContain("New group text");
    await new Promise((r) => setTimeout(r, 300));
    expect(h.slack.callsTo("views.open")).toHaveLength(0);
    expect(h.bandwidth.requests).toHaveLength(0);
  });

  test("a first message that merely starts with “help” still opens the modal with it", async () => {
    await h.slackRequest(
      slashCommandBody({
        command: "/grouptext",
        text: "Help me move?",
        userId: "UDANA",
        channelId: "CGENERAL",
      }),
    );
    const view = await openedModal(0);
    const message = view.blocks.find((b) => b.block_id === "message") as
      | { element?: { initial_value?: string } }
      | undefined;
    expect(message?.element?.initial_value).toBe("Help me move?");
  });

  test("the shortcut opens the modal with no channel chosen, and it must be picked", async () => {
    const response = await h.slackRequest(
      globalShortcutBody({ userId: "UDANA", callbackId: "new_group_text" }),
    );
    expect(response.status).toBe(200);
    const view = await openedModal(0);
    const picker = view.blocks.find((b) => b.block_id === "channel");
    expect(picker?.element?.type).toBe("conversations_select");
    expect(picker?.element?.initial_conversation).toBeUndefined();
    expect(picker?.optional).toBeFalsy();

    // The modal is signed for the member who opened it, with no channel of origin.
    await expectRefused(await submit({ picked: null, origin: null }), "channel", "Pick the channel");
    const sent = await submit({ picked: "CGENERAL", origin: null, numbers: "(212) 555-0183" });
    expect(sent.text).toBe("");
    await h.bandwidth.waitForMessages(1);
  });

  test("a shortcut's modal signed for someone else is refused", async () => {
    const response = await h.slackRequest(
      viewSubmissionBody({
        userId: "UEVE",
        view: {
          callback_id: "group_start",
          private_metadata: encodeModalOrigin(SECRETS.signingSecret, { channelId: null, userId: "UDANA" }),
          state: { values: {} },
          blocks: [],
        },
      }),
    );
    expect((response.json as { response_action: string }).response_action).toBe("errors");
  });
});
