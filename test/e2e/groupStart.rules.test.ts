import { groupModalMetadata } from "../support/flows";
import { eventually, type Harness, SALES_LINE, startHarness } from "../support/harness";
import { viewSubmissionBody } from "../support/slackRequests";

let h: Harness;
let salesLineId: string;

beforeAll(async () => {
  h = await startHarness();
  salesLineId = (await h.app.db.line.findUniqueOrThrow({ where: { number: SALES_LINE } })).id;
});
afterAll(async () => {
  await h.stop();
});
beforeEach(() => {
  h.slack.reset();
  h.bandwidth.reset();
});

function submit(input: {
  lineId?: string | null;
  numbers?: string;
  contactIds?: string[];
  message?: string;
  name?: string;
  channelId?: string;
  userId?: string;
}) {
  const values: Record<string, Record<string, unknown>> = {
    line: {
      line_value: {
        type: "static_select",
        selected_option: input.lineId === null ? null : { value: input.lineId ?? salesLineId },
      },
    },
    contacts: {
      contacts_value: {
        type: "multi_static_select",
        selected_options: (input.contactIds ?? []).map((value) => ({ value })),
      },
    },
    numbers: { numbers_value: { type: "plain_text_input", value: input.numbers ?? "" } },
    name: { name_value: { type: "plain_text_input", value: input.name ?? null } },
    message: { message_value: { type: "plain_text_input", value: input.message ?? "Hello" } },
  };
  return h.slackRequest(
    viewSubmissionBody({
      userId: input.userId ?? "UDANA",
      view: {
        callback_id: "group_start",
        private_metadata: groupModalMetadata(input.channelId, input.userId),
        state: { values },
        blocks: ["line", "contacts", "numbers", "name", "message"].map((block_id) => ({ block_id })),
      },
    }),
  );
}

async function expectErrors(response: Awaited<ReturnType<typeof submit>>, field: string, text: string) {
  expect(response.status).toBe(200);
  const body = response.json as { response_action: string; errors: Record<string, string> };
  expect(body.response_action).toBe("errors");
  expect(body.errors[field]).toContain(text);
  await new Promise((r) => setTimeout(r, 300));
  expect(h.bandwidth.messages).toHaveLength(0);
}

describe("group modal validation", () => {
  test("an invalid number is named inline", async () => {
    await expectErrors(await submit({ numbers: "(212) 555-0143, 12345" }), "numbers", "12345");
  });

  test("a toll-free number is not a mobile number", async () => {
    await expectErrors(await submit({ numbers: "+1 800 555 0100" }), "numbers", "toll-free");
  });

  test("the line's own number cannot be a contact", async () => {
    await expectErrors(await submit({ numbers: "(919) 555-0100" }), "numbers", "line's own number");
  });

  test("a number typed twice in different forms is a duplicate", async () => {
    await expectErrors(
      await submit({ numbers: "(212) 555-0143\n212.555.0143" }),
      "numbers",
      "already in the group",
    );
  });

  test("a typed number that duplicates a picked contact is a duplicate", async () => {
    const contact = await h.app.db.contact.create({ data: { number: "+13125550150", name: "Rae" } });
    await expectErrors(
      await submit({ contactIds: [contact.id], numbers: "312-555-0150" }),
      "numbers",
      "already in the group",
    );
  });

  test("an empty message is refused", async () => {
    await expectErrors(
      await submit({ numbers: "(212) 555-0143", message: "   " }),
      "message",
      "Write the message",
    );
  });

  test("no contacts at all is refused", async () => {
    await expectErrors(await submit({ numbers: "" }), "numbers", "at least one");
  });

  test("a line that is not group-enabled is refused", async () => {
    const frontDesk = await h.app.db.line.findUniqueOrThrow({ where: { number: "+19195550101" } });
    await expectErrors(
      await submit({ lineId: frontDesk.id, numbers: "(212) 555-0143" }),
      "line",
      "group-enabled",
    );
  });

  test("with no group-enabled line configured the modal says so", async () => {
    await h.app.db.line.updateMany({ data: { groupEnabled: false } });
    try {
      await expectErrors(
        await submit({ lineId: null, numbers: "(212) 555-0143" }),
        "message",
        "No group-enabled line",
      );
    } finally {
      await h.app.db.line.update({ where: { id: salesLineId }, data: { groupEnabled: true } });
    }
  });

  test("a contact who opted out of the line is named and refused", async () => {
    const contact = await h.app.db.contact.create({ data: { number: "+13125550151", name: "Opted Olly" } });
    const event = await h.app.db.consentEvent.create({
      data: { lineId: salesLineId, number: contact.number, status: "OPTED_OUT", source: "ADMIN" },
    });
    await h.app.db.consent.create({
      data: { lineId: salesLineId, number: contact.number, status: "OPTED_OUT", lastEventId: event.id },
    });
    await expectErrors(
      await submit({ contactIds: [contact.id], numbers: "(212) 555-0143" }),
      "contacts",
      "Opted Olly",
    );
  });
});

describe("reusing a group and Bandwidth failures", () => {
  test("the same line and set of contacts reuses the existing thread and links to it", async () => {
    const numbers = "(415) 555-0101, (415) 555-0102";
    expect((await submit({ numbers, name: "Movers", message: "First" })).text).toBe("");
    await h.slack.waitForCalls("chat.postMessage", 2);
    const conversation = await eventually(() =>
      h.app.db.groupConversation
        .findFirst({ where: { name: "Movers", threadTs: { not: null } } })
        .then((c) => c ?? undefined),
    );

    // Same set, typed in another order and form, from another channel.
    expect(
      (await submit({ numbers: "415.555.0102\n+1 415 555 0101", message: "Second", channelId: "COTHER" }))
        .text,
    ).toBe("");
    const [, second] = await h.bandwidth.waitForMessages(2);
    expect(second?.body.text).toBe("Second");
    const posts = await h.slack.waitForCalls("chat.postMessage", 3);
    expect(posts[2]?.args.thread_ts).toBe(conversation.threadTs);
    expect(posts[2]?.args.channel).toBe(conversation.channelId);
    const ephemeral = await h.slack.waitForCalls("chat.postEphemeral", 1);
    expect(ephemeral[0]?.args.user).toBe("UDANA");
    expect(String(ephemeral[0]?.args.text)).toContain("already has a thread");
    expect(await h.app.db.groupConversation.count({ where: { name: "Movers" } })).toBe(1);
  });

  // The thread is posted before the text is tried (issue 10): a refused text is reported in it.
  test("a Bandwidth 400 is explained in the group's thread, to everyone there and privately to the user", async () => {
    h.bandwidth.failNext(1, { status: 400, description: "'to' contains an unreachable number" });
    expect((await submit({ numbers: "(503) 555-0101", message: "Refused" })).text).toBe("");
    const ephemeral = await h.slack.waitForCalls("chat.postEphemeral", 1);
    expect(String(ephemeral[0]?.args.text)).toContain("was not sent");
    // Plain words for the user; Bandwidth's status and description go to the log.
    expect(String(ephemeral[0]?.args.text)).toContain("Bandwidth refused it as invalid");
    expect(String(ephemeral[0]?.args.text)).not.toContain("unreachable number");
    const start = await h.app.db.groupStart.findFirstOrThrow({ where: { text: "Refused" } });
    expect(start.state).toBe("FAILED");
    const conversation = await h.app.db.groupConversation.findUniqueOrThrow({
      where: { id: start.conversationId ?? "" },
    });
    expect(conversation.threadTs).not.toBeNull();
    expect(ephemeral[0]?.args.thread_ts).toBe(conversation.threadTs);
    const posts = await h.slack.waitForCalls("chat.postMessage", 2);
    expect(posts[0]?.args.thread_ts).toBeUndefined();
    expect(posts[1]?.args.thread_ts).toBe(conversation.threadTs);
    expect(String(posts[1]?.args.text)).toContain("was not sent");
    expect(String(posts[1]?.args.text)).not.toContain("unreachable number");
    expect(h.bandwidth.messages).toHaveLength(0);
  });

  // A timeout is not retried blindly any more (issue 15): Bandwidth may have taken the text. Its
  // answer lost, the text is found in Bandwidth's List Messages and recorded as sent, once.
  test("a Bandwidth 500 is retried; an answer lost after Bandwidth took the text is confirmed, not re-sent", async () => {
    h.bandwidth.failNext(1, { status: 500 });
    h.bandwidth.failNext(1, { acceptThenDrop: true });
    expect((await submit({ numbers: "(503) 555-0102", message: "Retried" })).text).toBe("");
    const [sent] = await h.bandwidth.waitForMessages(1, 20_000);
    expect(sent?.body.text).toBe("Retried");
    await h.slack.waitForCalls("chat.postMessage", 2, 20_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(h.bandwidth.messages).toHaveLength(1);
    expect(h.slack.callsTo("chat.postEphemeral")).toHaveLength(0);
  });

  test("when Bandwidth never recovers the user is told, after the retries", async () => {
    h.bandwidth.failNext(10, { status: 503 });
    expect((await submit({ numbers: "(503) 555-0103", message: "Never" })).text).toBe("");
    const ephemeral = await h.slack.waitForCalls("chat.postEphemeral", 1, 40_000);
    expect(String(ephemeral[0]?.args.text)).toContain(
      "Bandwidth had a problem on its side (tried several times).",
    );
    expect(h.bandwidth.messages).toHaveLength(0);
    // Its thread was posted before the first try, once, and says so.
    const conversation = await h.app.db.groupConversation.findFirstOrThrow({
      where: { participants: { some: { contact: { number: "+15035550103" } } } },
    });
    expect(ephemeral[0]?.args.thread_ts).toBe(conversation.threadTs);
    const roots = h.slack.callsTo("chat.postMessage").filter((c) => c.args.thread_ts === undefined);
    expect(roots).toHaveLength(1);
  }, 60_000);
});
