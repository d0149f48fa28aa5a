import { participantKey } from "../../src/domain/participants";
import { groupModalMetadata } from "../support/flows";
import { SALES_LINE, useHarness } from "../support/harness";
import { slashCommandBody, viewSubmissionBody } from "../support/slackRequests";

const NINE_TYPED = [
  "(212) 555-0143",
  "212.555.0144",
  "+1 212 555 0145",
  "2125550146",
  "1-212-555-0147",
  "(646) 555-0101",
  "646.555.0102",
  "+1 (646) 555-0103",
  "6465550104",
];
const NINE_E164 = [
  "+12125550143",
  "+12125550144",
  "+12125550145",
  "+12125550146",
  "+12125550147",
  "+16465550101",
  "+16465550102",
  "+16465550103",
  "+16465550104",
];

type Option = { value: string; text: { text: string } };
type Block = { block_id?: string; element?: { options?: Option[] } };

const h = useHarness();

async function openModal(channelId = "CGENERAL", text = ""): Promise<{ lineId: string; blocks: Block[] }> {
  const before = h.slack.callsTo("views.open").length;
  const response = await h.slackRequest(
    slashCommandBody({ command: "/grouptext", text, userId: "UDANA", channelId }),
  );
  expect(response.status).toBe(200);
  const calls = await h.slack.waitForCalls("views.open", before + 1);
  const view = calls[calls.length - 1]?.args.view as { blocks: Block[]; callback_id: string };
  expect(view.callback_id).toBe("group_start");
  const lineOptions = view.blocks.find((b) => b.block_id === "line")?.element?.options ?? [];
  const sales = lineOptions.find((o) => o.text.text.startsWith("Sales"));
  if (!sales) throw new Error("the Sales line is not offered");
  return { lineId: sales.value, blocks: view.blocks };
}

function submission(input: {
  channelId?: string;
  lineId: string | null;
  numbers: string;
  name?: string;
  message: string;
  contactIds?: string[];
}) {
  const values: Record<string, Record<string, unknown>> = {
    line: {
      line_value: { type: "static_select", selected_option: input.lineId ? { value: input.lineId } : null },
    },
    numbers: { numbers_value: { type: "plain_text_input", value: input.numbers } },
    name: { name_value: { type: "plain_text_input", value: input.name ?? null } },
    message: { message_value: { type: "plain_text_input", value: input.message } },
  };
  const blocks = [
    { block_id: "line" },
    { block_id: "numbers" },
    { block_id: "name" },
    { block_id: "message" },
  ];
  if (input.contactIds) {
    values.contacts = {
      contacts_value: {
        type: "multi_static_select",
        selected_options: input.contactIds.map((value) => ({ value })),
      },
    };
    blocks.push({ block_id: "contacts" });
  }
  return viewSubmissionBody({
    userId: "UDANA",
    view: {
      callback_id: "group_start",
      private_metadata: groupModalMetadata(input.channelId),
      state: { values },
      blocks,
    },
  });
}

describe("starting a Reply-All group text from Slack", () => {
  test("slash command → modal → 9 typed contacts → one Bandwidth group message → thread in the channel", async () => {
    const { lineId, blocks } = await openModal();
    expect(blocks.map((b) => b.block_id)).toEqual(
      expect.arrayContaining(["line", "numbers", "name", "message"]),
    );
    // Only group-enabled lines are offered: Front desk is not.
    const offered =
      blocks.find((b) => b.block_id === "line")?.element?.options?.map((o) => o.text.text) ?? [];
    expect(offered).toHaveLength(1);

    const response = await h.slackRequest(
      submission({ lineId, numbers: NINE_TYPED.join("\n"), name: "Saturday crew", message: "Pizza at 7?" }),
    );
    expect(response.status).toBe(200);
    expect(response.text).toBe("");

    const [sent] = await h.bandwidth.waitForMessages(1);
    expect(h.bandwidth.violations).toEqual([]);
    expect(sent?.body.from).toBe(SALES_LINE);
    expect([...(sent?.body.to ?? [])].sort()).toEqual(NINE_E164);
    expect(sent?.body.text).toBe("Pizza at 7?");
    expect(sent?.body.tag).toMatch(/^gs:/);

    const posts = await h.slack.waitForCalls("chat.postMessage", 2);
    const root = posts[0];
    expect(root?.args.channel).toBe("CGENERAL");
    expect(root?.args.thread_ts).toBeUndefined();
    const rootText = JSON.stringify(root?.args.blocks);
    expect(rootText).toContain("Saturday crew");
    expect(rootText).toContain("(919) 555-0100");
    expect(rootText).toContain("(212) 555-0143");
    expect(rootText).toContain("<@UDANA>");
    expect(rootText).toContain("9 MMS (group text: 1 per contact, any length)");
    const first = posts[1];
    expect(first?.args.thread_ts).toBeDefined();
    expect(String(first?.args.text)).toContain("Pizza at 7?");
    expect(String(first?.args.text)).toContain("<@UDANA>");
    // The first text's post says how replies work, and how to keep one in Slack.
    expect(JSON.stringify(first?.args.blocks)).toContain(
      "Replies in this thread are texted to the whole group; start one with `//` to keep it as an internal note.",
    );

    const conversation = await h.app.db.groupConversation.findFirstOrThrow({
      include: { keys: true, participants: { include: { contact: true } } },
    });
    expect(conversation.keys.map((k) => k.key)).toEqual([participantKey(NINE_E164)]);
    expect(conversation.participants.map((p) => p.contact.number).sort()).toEqual(NINE_E164);
    expect(conversation.threadTs).toBe(
      root && (await h.slack.callsTo("chat.postMessage"))[0] ? conversation.threadTs : null,
    );
    expect(await h.app.db.contact.count({ where: { number: { in: NINE_E164 } } })).toBe(9);
  });

  test("ten contacts are refused inline and nothing is sent", async () => {
    const { lineId } = await openModal();
    const ten = [...NINE_TYPED, "(718) 555-0100"].join(", ");
    const response = await h.slackRequest(submission({ lineId, numbers: ten, message: "Hi all" }));
    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      response_action: "errors",
      errors: { numbers: expect.stringContaining("at most 9 contacts") },
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(h.bandwidth.messages).toHaveLength(0);
  });
});
