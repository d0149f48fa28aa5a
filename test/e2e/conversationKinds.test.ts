// Issue 13 (part A): the modal starts a group, a one-to-one text or a multi-recipient send.
import { contactTexts, groupModalMetadata } from "../support/flows";
import { eventually, FRONT_DESK_LINE, SALES_LINE, useHarness } from "../support/harness";
import {
  blockActionsBody,
  blockSuggestionBody,
  slashCommandBody,
  viewSubmissionBody,
} from "../support/slackRequests";

type Block = { block_id?: string; element?: { options?: { value: string; text: { text: string } }[] } };
type ModalView = { title: { text: string }; blocks: Block[]; callback_id: string; private_metadata: string };

const h = useHarness();

async function lineId(number: string): Promise<string> {
  return (await h.app.db.line.findUniqueOrThrow({ where: { number } })).id;
}

/** The form's submission as Slack sends it for `kind`, with typed numbers. */
function submission(input: {
  kind: "group" | "one" | "many";
  lineId: string;
  numbers: string;
  message: string;
  viewId?: string;
}) {
  return viewSubmissionBody({
    userId: "UDANA",
    view: {
      id: input.viewId,
      callback_id: "group_start",
      private_metadata: groupModalMetadata("CGENERAL"),
      state: {
        values: {
          kind: { kind_value: { type: "radio_buttons", selected_option: { value: input.kind } } },
          channel: {
            channel_value: { type: "conversations_select", selected_conversation: "CGENERAL" },
          },
          line: { line_value: { type: "static_select", selected_option: { value: input.lineId } } },
          numbers: { numbers_value: { type: "plain_text_input", value: input.numbers } },
          message: { message_value: { type: "plain_text_input", value: input.message } },
        },
      },
      blocks: ["kind", "channel", "line", "numbers", "message"].map((block_id) => ({ block_id })),
    },
  });
}

/** Waits until no start is still going out and nothing is left to post in Slack. */
async function settled(): Promise<void> {
  await eventually(
    async () =>
      (await h.app.db.groupStart.count({ where: { state: { in: ["PENDING", "SENDING"] } } })) === 0 &&
      (await h.app.db.message.count({ where: { postState: { in: ["PENDING", "POSTING"] } } })) === 0,
    30_000,
  );
}

function conversationOf(line: string, number: string) {
  return h.app.db.groupConversation.findFirst({
    where: { line: { number: line }, keys: { some: { key: number } } },
    include: { participants: true, messages: { orderBy: { seq: "asc" } } },
  });
}

describe("choosing the kind", () => {
  test("`/grouptext one Hi` opens the one-to-one form, which offers every active line", async () => {
    await h.slackRequest(
      slashCommandBody({
        command: "/grouptext",
        text: "one Your order is ready",
        userId: "UDANA",
        channelId: "CGENERAL",
      }),
    );
    const [open] = await h.slack.waitForCalls("views.open", 1);
    const view = open?.args.view as ModalView;
    expect(view.title.text).toBe("New text");
    const lines = view.blocks.find((b) => b.block_id === "line")?.element?.options?.map((o) => o.text.text);
    expect(lines).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Front desk/), expect.stringMatching(/^Sales/)]),
    );
    expect(JSON.stringify(view.blocks)).toContain("Your order is ready");
    expect(view.blocks.map((b) => b.block_id)).not.toContain("name");
  });

  test("switching the form to “Many contacts” redraws it for that kind, keeping the message", async () => {
    await h.slackRequest(
      slashCommandBody({ command: "/grouptext", text: "Hello all", userId: "UDANA", channelId: "CGENERAL" }),
    );
    const [open] = await h.slack.waitForCalls("views.open", 1);
    const shown = open?.args.view as ModalView;
    expect(shown.title.text).toBe("New group text");
    await h.slackRequest(
      blockActionsBody({
        userId: "UDANA",
        actions: [
          {
            action_id: "kind_value",
            block_id: "kind",
            type: "radio_buttons",
            selected_option: { value: "many" },
          },
        ],
        view: {
          callback_id: "group_start",
          private_metadata: shown.private_metadata,
          blocks: shown.blocks,
          state: {
            values: {
              kind: { kind_value: { type: "radio_buttons", selected_option: { value: "many" } } },
              message: { message_value: { type: "plain_text_input", value: "Hello all" } },
            },
          },
        },
      }),
    );
    const [update] = await h.slack.waitForCalls("views.update", 1);
    const view = update?.args.view as ModalView & { submit: { text: string } };
    expect(view.title.text).toBe("Text many contacts");
    const text = JSON.stringify(view.blocks);
    expect(text).toContain("Hello all");
    expect(text).toContain("nobody sees the others");
    expect(text).toContain("Up to 100 contacts");
  });
});

test("a kind switch from a member the modal was not opened for redraws nothing", async () => {
  await h.slackRequest(
    blockActionsBody({
      userId: "UEVE",
      actions: [
        {
          action_id: "kind_value",
          block_id: "kind",
          type: "radio_buttons",
          selected_option: { value: "one" },
        },
      ],
      view: { callback_id: "group_start", private_metadata: groupModalMetadata("CGENERAL", "UDANA") },
    }),
  );
  await new Promise((r) => setTimeout(r, 300));
  expect(h.slack.callsTo("views.update")).toHaveLength(0);
});

describe("a one-to-one text", () => {
  test("to a new contact: one `to`, billed as SMS, in a new thread; the contact's reply lands there", async () => {
    const response = await h.slackRequest(
      submission({
        kind: "one",
        lineId: await lineId(FRONT_DESK_LINE),
        numbers: "(646) 555-0301",
        message: "Your order is ready",
      }),
    );
    expect(response.text).toBe("");
    const [sent] = await h.bandwidth.waitForMessages(1);
    expect(h.bandwidth.violations).toEqual([]);
    expect(sent?.body.from).toBe(FRONT_DESK_LINE);
    expect(sent?.body.to).toEqual(["+16465550301"]);
    await settled();
    const conversation = await conversationOf(FRONT_DESK_LINE, "+16465550301");
    expect(conversation?.participants).toHaveLength(1);
    expect(conversation?.channelId).toBe("CGENERAL");
    const root = h.slack.callsTo("chat.postMessage").find((c) => c.args.thread_ts === undefined);
    expect(root?.args.channel).toBe("CGENERAL");
    expect(JSON.stringify(root?.args.blocks)).toContain("1 SMS (1 contact × 1 segment)");
    expect(JSON.stringify(root?.args.blocks)).toContain("replies here are texted to the contact");

    // The contact answers the line alone: it is the same one-to-one conversation, in its thread.
    await contactTexts(h, { line: FRONT_DESK_LINE, from: "+16465550301", others: [], text: "Thanks!" });
    const reply = await h.slack.waitFor((calls) =>
      calls.some((c) => c.method === "chat.postMessage" && String(c.args.text).includes("Thanks!")),
    );
    const post = reply.find(
      (c) => c.method === "chat.postMessage" && String(c.args.text).includes("Thanks!"),
    );
    expect(post?.args.thread_ts).toBe(conversation?.threadTs);
    expect(
      await h.app.db.groupConversation.count({ where: { keys: { some: { key: "+16465550301" } } } }),
    ).toBe(1);
  });

  test("to a contact who already has a conversation on the line: the same thread, no new root", async () => {
    // The contact started it, texting the line.
    await contactTexts(h, {
      line: FRONT_DESK_LINE,
      from: "+16465550302",
      others: [],
      text: "Are you open Sunday?",
    });
    const before = await eventually(async () => {
      const c = await conversationOf(FRONT_DESK_LINE, "+16465550302");
      return c?.threadTs ? c : undefined;
    });
    await settled();
    h.slack.reset();

    const response = await h.slackRequest(
      submission({
        kind: "one",
        lineId: await lineId(FRONT_DESK_LINE),
        numbers: "646-555-0302",
        message: "Yes, 10 to 4.",
      }),
    );
    expect(response.text).toBe("");
    const [sent] = await h.bandwidth.waitForMessages(1);
    expect(sent?.body.to).toEqual(["+16465550302"]);
    await settled();
    const after = await conversationOf(FRONT_DESK_LINE, "+16465550302");
    expect(after?.id).toBe(before.id);
    expect(after?.messages.filter((m) => m.kind === "OUTBOUND").map((m) => m.text)).toEqual([
      "Yes, 10 to 4.",
    ]);
    const posts = h.slack.callsTo("chat.postMessage");
    expect(posts.filter((c) => c.args.thread_ts === undefined && c.args.channel !== "UDANA")).toHaveLength(0);
    expect(
      posts.some(
        (c) => c.args.thread_ts === before.threadTs && String(c.args.text).includes("Yes, 10 to 4."),
      ),
    ).toBe(true);
    const note = h.slack.callsTo("chat.postEphemeral").map((c) => String(c.args.text));
    expect(note.join("\n")).toContain("already has a conversation on this line");
  });

  test("a saved contact picked in the form's search continues that contact's thread", async () => {
    const existing = await conversationOf(FRONT_DESK_LINE, "+16465550301");
    const search = await h.slackRequest(
      blockSuggestionBody({
        userId: "UDANA",
        action_id: "contact_value",
        block_id: "contact",
        value: "646 555 0301",
        view: { callback_id: "group_start", private_metadata: groupModalMetadata("CGENERAL") },
      }),
    );
    const options = (search.json as { options: { value: string; text: { text: string } }[] }).options;
    expect(options.map((o) => o.text.text)).toEqual(["(646) 555-0301"]);
    const response = await h.slackRequest(
      viewSubmissionBody({
        userId: "UDANA",
        view: {
          callback_id: "group_start",
          private_metadata: groupModalMetadata("CGENERAL"),
          state: {
            values: {
              kind: { kind_value: { type: "radio_buttons", selected_option: { value: "one" } } },
              channel: { channel_value: { type: "conversations_select", selected_conversation: "CGENERAL" } },
              line: {
                line_value: {
                  type: "static_select",
                  selected_option: { value: await lineId(FRONT_DESK_LINE) },
                },
              },
              contact: {
                contact_value: { type: "external_select", selected_option: { value: options[0]?.value } },
              },
              numbers: { numbers_value: { type: "plain_text_input", value: null } },
              message: { message_value: { type: "plain_text_input", value: "Your table is ready" } },
            },
          },
          blocks: ["kind", "channel", "line", "contact", "numbers", "message"].map((block_id) => ({
            block_id,
          })),
        },
      }),
    );
    expect(response.text).toBe("");
    const [sent] = await h.bandwidth.waitForMessages(1);
    expect(sent?.body.to).toEqual(["+16465550301"]);
    await settled();
    const post = h.slack
      .callsTo("chat.postMessage")
      .find((c) => String(c.args.text).includes("Your table is ready"));
    expect(post?.args.thread_ts).toBe(existing?.threadTs);
    expect(JSON.stringify(post?.args.blocks)).toContain("Texted to the contact by <@UDANA>");
  });

  test("two contacts in a one-to-one form are refused inline", async () => {
    const response = await h.slackRequest(
      submission({
        kind: "one",
        lineId: await lineId(FRONT_DESK_LINE),
        numbers: "(646) 555-0303, (646) 555-0304",
        message: "Hi",
      }),
    );
    expect(response.json).toEqual({
      response_action: "errors",
      errors: { numbers: expect.stringContaining("A one-to-one text goes to one contact") },
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(h.bandwidth.messages).toHaveLength(0);
  });
});

describe("a multi-recipient send", () => {
  const numbers = Array.from({ length: 25 }, (_, i) => `+1718555${String(2000 + i)}`);
  const optedOut = [numbers[3] ?? "", numbers[17] ?? ""];
  const existing = [numbers[0] ?? "", numbers[10] ?? ""];

  test("to 25 contacts with 2 opted out: 23 texts, each in its own thread, and a summary saying 2 skipped", async () => {
    // Two contacts opted out of the line by texting STOP; two others already talk with it.
    for (const from of optedOut) await contactTexts(h, { from, others: [], text: "STOP" });
    for (const from of existing) await contactTexts(h, { from, others: [], text: "Hello?" });
    await eventually(
      async () =>
        (await h.app.db.consent.count({ where: { number: { in: optedOut }, status: "OPTED_OUT" } })) === 2 &&
        (await h.app.db.message.count({ where: { kind: "COMPLIANCE", sendState: { not: "SENT" } } })) === 0,
    );
    await settled();
    const before = new Map<string, string>();
    for (const number of existing) {
      const c = await conversationOf(SALES_LINE, number);
      if (c?.threadTs) before.set(number, c.id);
    }
    expect(before.size).toBe(2);
    h.slack.reset();
    h.bandwidth.reset();

    const form = submission({
      kind: "many",
      lineId: await lineId(SALES_LINE),
      numbers: numbers.map((n) => `(${n.slice(2, 5)}) ${n.slice(5, 8)}-${n.slice(8)}`).join("\n"),
      message: "We are closed on Monday.",
      viewId: "VMANY000001",
    });
    const response = await h.slackRequest(form);
    expect(response.text).toBe("");

    const sent = await h.bandwidth.waitForMessages(23, 30_000);
    await settled();
    expect(h.bandwidth.violations).toEqual([]);
    expect(h.bandwidth.messages).toHaveLength(23);
    expect(sent.every((m) => m.body.to.length === 1 && m.body.text === "We are closed on Monday.")).toBe(
      true,
    );
    const to = sent.map((m) => m.body.to[0] ?? "").sort();
    expect(to).toEqual(numbers.filter((n) => !optedOut.includes(n)).sort());

    // Each recipient's own one-to-one conversation: the two that existed continue, 21 are new.
    const conversations = await Promise.all(to.map((n) => conversationOf(SALES_LINE, n)));
    expect(new Set(conversations.map((c) => c?.id)).size).toBe(23);
    for (const c of conversations) {
      expect(c?.participants).toHaveLength(1);
      expect(c?.threadTs).toBeTruthy();
      expect(c?.messages.filter((m) => m.kind === "OUTBOUND").map((m) => m.text)).toEqual([
        "We are closed on Monday.",
      ]);
    }
    for (const [number, id] of before) expect((await conversationOf(SALES_LINE, number))?.id).toBe(id);
    const roots = h.slack
      .callsTo("chat.postMessage")
      .filter((c) => c.args.thread_ts === undefined && c.args.metadata !== undefined);
    expect(roots).toHaveLength(21);

    // The channel message shows the progress, then the summary.
    const summary = await eventually(async () => {
      const send = await h.app.db.multiSend.findFirst({ where: { finishedAt: { not: null } } });
      if (!send?.reportTs) return undefined;
      const shown = h.slack.messagesIn("CGENERAL").find((m) => m.ts === send.reportTs);
      return shown ? String(shown.text) : undefined;
    });
    expect(summary).toContain("23 sent (21 new threads, 2 continued)");
    expect(summary).toContain("2 skipped (opted out)");
    expect(summary).toContain("of 25 contacts");
    // Before that, the same message showed the progress, and was updated in place.
    const send = await h.app.db.multiSend.findFirstOrThrow({ where: { reportTs: { not: null } } });
    const posted = h.slack
      .callsTo("chat.postMessage")
      .filter((c) => String(c.args.text).includes("is texting 25 contacts"));
    expect(posted).toHaveLength(1);
    expect(String(posted[0]?.args.text)).toContain("done so far · 2 skipped (opted out)");
    expect(h.slack.callsTo("chat.update").filter((c) => c.args.ts === send.reportTs).length).toBeGreaterThan(
      0,
    );

    // The same submission again (a replay): nothing more is sent.
    const again = await h.slackRequest(form);
    expect(again.text).toBe("");
    await new Promise((r) => setTimeout(r, 1_000));
    expect(h.bandwidth.messages).toHaveLength(23);
    expect(await h.app.db.groupStart.count({ where: { multiSendId: { not: null } } })).toBe(23);
  }, 90_000);
});
