// The group modal and its options stay within Block Kit's limits in realistic worst cases: 150
// group lines (searched, not listed), 2,000 contacts with 80-character names, 9 of them picked,
// a 2,048-character message full of characters that force UCS-2. And its validation errors read as
// separate sentences, one per problem.

import type { ModalView, PlainTextOption, View } from "@slack/types";
import { MAX_TEXT_LENGTH } from "../../src/domain/segments";
import { contactOptions, groupModalView, lineOptions } from "../../src/slack/views/groupModal";
import { blockKitProblems, optionsResponseProblems } from "../support/blockKitLimits";
import { groupModalMetadata } from "../support/flows";
import { type Harness, startHarness } from "../support/harness";
import {
  blockActionsBody,
  blockSuggestionBody,
  slashCommandBody,
  viewSubmissionBody,
} from "../support/slackRequests";

const LONG = "Ñame with accents and a long tail that goes on and on for a while, really long";
type Block = { block_id?: string; element?: Record<string, unknown> };
type OpenedView = Omit<ModalView, "blocks"> & { blocks: Block[] };

let h: Harness;
let lineIds: string[];
let contactIds: string[];

beforeAll(async () => {
  h = await startHarness();
  const db = h.app.db;
  await db.line.createMany({
    data: Array.from({ length: 150 }, (_, i) => ({
      number: `+1984555${String(1000 + i).padStart(4, "0")}`,
      name: `${String(i).padStart(3, "0")} ${LONG}`.slice(0, 80),
      groupEnabled: true,
      active: true,
    })),
  });
  await db.contact.createMany({
    data: Array.from({ length: 2_000 }, (_, i) => ({
      number: `+1332200${String(i).padStart(4, "0")}`,
      name: `${String(i).padStart(4, "0")} ${LONG}`.slice(0, 80),
    })),
  });
  lineIds = (await db.line.findMany({ where: { groupEnabled: true }, select: { id: true } })).map(
    (l) => l.id,
  );
  contactIds = (await db.contact.findMany({ take: 9, select: { id: true } })).map((c) => c.id);
});
afterAll(async () => {
  await h.stop();
});

function expectWithinLimits(view: unknown) {
  expect(blockKitProblems(view as Record<string, unknown>)).toEqual([]);
}

async function openModal(): Promise<OpenedView> {
  const before = h.slack.callsTo("views.open").length;
  await h.slackRequest(slashCommandBody({ command: "/grouptext", userId: "UDANA", channelId: "CGENERAL" }));
  const calls = await h.slack.waitForCalls("views.open", before + 1);
  return calls.at(-1)?.args.view as OpenedView;
}

async function options(actionId: "contacts_value" | "line_value", value: string, lineId: string | null) {
  const response = await h.slackRequest(
    blockSuggestionBody({
      userId: "UDANA",
      action_id: actionId,
      block_id: actionId.replace("_value", ""),
      value,
      view: {
        callback_id: "group_start",
        private_metadata: groupModalMetadata(),
        state: {
          values: lineId
            ? { line: { line_value: { type: "external_select", selected_option: { value: lineId } } } }
            : {},
        },
      },
    }),
  );
  expect(response.status).toBe(200);
  return response.json as { options: PlainTextOption[] };
}

test("with 150 group lines the line is searched as typed, and the modal stays within limits", async () => {
  const view = await openModal();
  expectWithinLimits(view);
  const line = view.blocks.find((b) => b.block_id === "line");
  expect(line?.element).toMatchObject({
    type: "external_select",
    action_id: "line_value",
    min_query_length: 0,
  });
  expect(line?.element?.options).toBeUndefined();
  expect(h.slack.callsTo("views.open").filter((c) => c.error)).toEqual([]);

  const all = await options("line_value", "", null);
  expect(all.options).toHaveLength(100);
  expect(optionsResponseProblems(all)).toEqual([]);
  // Any line is found, by name or number.
  expect((await options("line_value", "149 ñame", null)).options.map((o) => o.text.text)).toEqual([
    expect.stringMatching(/^149 Ñame.*…$/),
  ]);
  expect((await options("line_value", "(984) 555-1149", null)).options).toHaveLength(1);
});

test("contact options for 2,000 contacts with 80-character names stay within limits, consent kept in view", async () => {
  for (const query of ["", "0", "ñame", "332", "a"]) {
    const answer = await options("contacts_value", query, lineIds[0] ?? null);
    expect(answer.options.length).toBeLessThanOrEqual(100);
    expect(optionsResponseProblems(answer)).toEqual([]);
  }
  // The builder, typed against @slack/types, with the longest name and the consent note.
  const built: PlainTextOption[] = contactOptions(
    Array.from({ length: 150 }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
      name: "W".repeat(80),
      number: "+12125550143",
      optedOut: true,
    })),
  );
  expect(built).toHaveLength(100);
  expect(optionsResponseProblems({ options: built })).toEqual([]);
  expect(built[0]?.text.text).toMatch(/^W+… · \(212\) 555-0143 \(opted out\)$/);
  const lines: PlainTextOption[] = lineOptions(
    Array.from({ length: 150 }, (_, i) => ({ id: `l${i}`, name: "L".repeat(80), number: "+19195550100" })),
  );
  expect(optionsResponseProblems({ options: lines })).toEqual([]);
  const modal: View = groupModalView({
    privateMetadata: groupModalMetadata(),
    lines: Array.from({ length: 150 }, (_, i) => ({
      id: `l${i}`,
      name: "L".repeat(80),
      number: "+19195550100",
    })),
    hasContacts: true,
    initialText: "—".repeat(3000),
  });
  expectWithinLimits(modal);
});

test("9 picked contacts and a 2,048-character message of UCS-2 characters: the live estimate stays within limits", async () => {
  const view = await openModal();
  // Every kind of character that forces UCS-2, many times over; "…" becomes "..." when made plain.
  const text = "…—“”’ émoji 😀 中文 ".repeat(200).slice(0, MAX_TEXT_LENGTH);
  const state = {
    values: {
      channel: { channel_value: { type: "conversations_select", selected_conversation: "CGENERAL" } },
      line: { line_value: { type: "external_select", selected_option: { value: lineIds[0] } } },
      contacts: {
        contacts_value: {
          type: "multi_external_select",
          selected_options: contactIds.map((value) => ({ value })),
        },
      },
      message: { message_value: { type: "plain_text_input", value: text } },
    },
  };
  for (const [actionId, blockId] of [
    ["message_value", "message"],
    ["group_plain_punctuation", "ucs2"],
  ] as const) {
    const before = h.slack.callsTo("views.update").length;
    await h.slackRequest(
      blockActionsBody({
        userId: "UDANA",
        actions: [{ action_id: actionId, block_id: blockId }],
        view: {
          id: `VLIMITS${actionId.length}`,
          callback_id: "group_start",
          private_metadata: view.private_metadata ?? "",
          state,
          blocks: view.blocks,
        },
      }),
    );
    const [call] = (await h.slack.waitForCalls("views.update", before + 1)).slice(-1);
    expect(call?.error).toBeUndefined();
    const updated = call?.args.view as OpenedView;
    expectWithinLimits(updated);
    expect(JSON.stringify(updated)).toContain("9 MMS (group text: 1 per contact, any length)");
    if (actionId === "group_plain_punctuation") {
      const message = updated.blocks.find((b) => b.block_id === "message.1");
      expect(String(message?.element?.initial_value)).toHaveLength(MAX_TEXT_LENGTH);
    }
  }
});

test("validation errors read as separate sentences, one per problem", async () => {
  const submit = async (numbers: string, message = "Hello") => {
    const response = await h.slackRequest(
      viewSubmissionBody({
        userId: "UDANA",
        view: {
          callback_id: "group_start",
          private_metadata: groupModalMetadata(),
          state: {
            values: {
              channel: { channel_value: { type: "conversations_select", selected_conversation: "CGENERAL" } },
              line: { line_value: { type: "external_select", selected_option: { value: lineIds[0] } } },
              numbers: { numbers_value: { type: "plain_text_input", value: numbers } },
              message: { message_value: { type: "plain_text_input", value: message } },
            },
          },
          blocks: ["channel", "line", "numbers", "name", "message"].map((block_id) => ({
            type: "input",
            block_id,
          })),
        },
      }),
    );
    return (response.json as { errors: Record<string, string> }).errors;
  };
  expect((await submit("12, hello, (212) 555-0143, 212.555.0143")).numbers).toBe(
    "“12” is not a valid phone number. “hello” is not a valid phone number. (212) 555-0143 is already in the group.",
  );
  expect((await submit("1, 2, 3, 4, 5")).numbers).toBe(
    "“1” is not a valid phone number. “2” is not a valid phone number. “3” is not a valid phone number. 2 more entries are not usable either.",
  );
  const many = Array.from({ length: 10 }, (_, i) => `(212) 555-01${String(40 + i)}`).join(", ");
  expect((await submit(many)).numbers).toBe("A group text can include at most 9 contacts. This one has 10.");
  // Several problems at once: each error is whole sentences, none joined by a semicolon.
  const errors = await submit("12", " ");
  expect(Object.keys(errors).sort()).toEqual(["message", "numbers"]);
  for (const message of Object.values(errors)) {
    expect(message).not.toContain(";");
    expect(message).toMatch(/^[A-Z“(0-9].*[.!?]$/);
  }
});
