// Issue 9, finding 6: a forged group-start submission. Any workspace member can sign a
// view_submission as themselves, so every value in it is outside input: ids must be UUIDs, text
// must be length-capped, and the channel must be the one the modal was opened from. Each is
// answered inline within Slack's 3 s, and nothing is stored or texted.
import pg from "pg";
import { type Harness, startHarness } from "../support/harness";
import { slashCommandBody } from "../support/slackRequests";
import { groupSubmissionBody, type OpenedModal, openGroupModal, timed } from "./groupModalDriver";

let h: Harness;
let modal: OpenedModal;

beforeAll(async () => {
  h = await startHarness();
  modal = await openGroupModal(
    h,
    slashCommandBody({ command: "/grouptext", userId: "UDANA", channelId: "CGENERAL" }),
  );
});
afterAll(async () => {
  await h.stop();
});
beforeEach(() => {
  h.slack.reset();
  h.bandwidth.reset();
});

type Errors = { response_action: string; errors: Record<string, string> };

async function expectRefused(
  input: Parameters<typeof groupSubmissionBody>[0],
  block: string,
): Promise<string> {
  const startsBefore = await h.app.db.groupStart.count();
  const contactsBefore = await h.app.db.contact.count();
  const { response, ms } = await timed(() => h.slackRequest(groupSubmissionBody(input)));
  expect(ms).toBeLessThan(3_000);
  expect(response.status).toBe(200);
  const body = response.json as Errors;
  expect(body.response_action).toBe("errors");
  expect(typeof body.errors[block]).toBe("string");
  // An inline error is short whatever was submitted.
  expect(JSON.stringify(body).length).toBeLessThan(2_000);
  await new Promise((r) => setTimeout(r, 300));
  expect(await h.app.db.groupStart.count()).toBe(startsBefore);
  expect(await h.app.db.contact.count()).toBe(contactsBefore);
  expect(h.bandwidth.messages).toHaveLength(0);
  return body.errors[block] ?? "";
}

describe("a forged group-start submission", () => {
  test("a line id that is not a UUID gets an inline error on the line, within the ack", async () => {
    await expectRefused(
      {
        privateMetadata: modal.privateMetadata,
        lineId: 'not-a-uuid\'); DROP TABLE "Line"; --',
        numbers: "(212) 555-0143",
      },
      "line",
    );
  });

  test("a contact id that is not a UUID gets an inline error on the contacts, within the ack", async () => {
    await expectRefused(
      {
        privateMetadata: modal.privateMetadata,
        lineId: modal.salesLineId,
        contactIds: ["0b6f1c8e-3f7e-4a52-9b8e-3c1d2e4f5a6b", "12345"],
      },
      "contacts",
    );
  });

  test("more contact ids than a group can hold are refused on the contacts", async () => {
    const ids = Array.from(
      { length: 500 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    );
    await expectRefused(
      { privateMetadata: modal.privateMetadata, lineId: modal.salesLineId, contactIds: ids },
      "contacts",
    );
  });

  test("a 200,000-character group name is refused inline and nothing is stored", async () => {
    const error = await expectRefused(
      {
        privateMetadata: modal.privateMetadata,
        lineId: modal.salesLineId,
        numbers: "(212) 555-0143",
        name: "x".repeat(200_000),
      },
      "name",
    );
    expect(error).toContain(String(modal.nameMaxLength));
  });

  test("the server's name limit is the modal's max_length: one more character is refused", async () => {
    expect(modal.nameMaxLength).toBeGreaterThan(0);
    await expectRefused(
      {
        privateMetadata: modal.privateMetadata,
        lineId: modal.salesLineId,
        numbers: "(212) 555-0143",
        name: "n".repeat((modal.nameMaxLength ?? 0) + 1),
      },
      "name",
    );
  });

  test("a huge typed-numbers field is refused with a short error", async () => {
    await expectRefused(
      {
        privateMetadata: modal.privateMetadata,
        lineId: modal.salesLineId,
        numbers: "1,".repeat(100_000),
      },
      "numbers",
    );
  });

  test("a message over the limit is refused inline", async () => {
    await expectRefused(
      {
        privateMetadata: modal.privateMetadata,
        lineId: modal.salesLineId,
        numbers: "(212) 555-0143",
        message: "m".repeat(200_000),
      },
      "message",
    );
  });

  test("private_metadata naming another channel than the command's is refused", async () => {
    const forged = JSON.parse(modal.privateMetadata) as Record<string, unknown>;
    forged.channelId = "CSECRET";
    await expectRefused(
      { privateMetadata: JSON.stringify(forged), lineId: modal.salesLineId, numbers: "(212) 555-0143" },
      "message",
    );
    await expectRefused(
      {
        privateMetadata: JSON.stringify({ channelId: "CSECRET" }),
        lineId: modal.salesLineId,
        numbers: "(212) 555-0143",
      },
      "message",
    );
  });

  test("private_metadata with a malformed channel id is refused", async () => {
    for (const channelId of ["#general", "C<!channel>", "c0123", "C".repeat(500), ""]) {
      await expectRefused(
        {
          privateMetadata: JSON.stringify({ channelId }),
          lineId: modal.salesLineId,
          numbers: "(212) 555-0143",
        },
        "message",
      );
    }
    await expectRefused(
      { privateMetadata: "x".repeat(3000), lineId: modal.salesLineId, numbers: "(212) 555-0143" },
      "message",
    );
  });

  test("one member's modal cannot be submitted by another member", async () => {
    await expectRefused(
      {
        userId: "UEVAN",
        privateMetadata: modal.privateMetadata,
        lineId: modal.salesLineId,
        numbers: "(212) 555-0143",
      },
      "message",
    );
  });

  test("the modal's own submission still starts the group in the command's channel", async () => {
    const { response, ms } = await timed(() =>
      h.slackRequest(
        groupSubmissionBody({
          privateMetadata: modal.privateMetadata,
          lineId: modal.salesLineId,
          numbers: "(212) 555-0143",
          name: "n".repeat(modal.nameMaxLength ?? 1),
          message: "Legit",
        }),
      ),
    );
    expect(ms).toBeLessThan(3_000);
    expect(response.text).toBe("");
    const [sent] = await h.bandwidth.waitForMessages(1);
    expect(sent?.body.text).toBe("Legit");
    const [root] = await h.slack.waitForCalls("chat.postMessage", 1);
    expect(root?.args.channel).toBe("CGENERAL");
  });

  test("a database too slow for Slack's 3 s still gets an answer in time, and the form sent again starts one group", async () => {
    const blocker = new pg.Client({ connectionString: h.databaseUrl });
    await blocker.connect();
    const body = groupSubmissionBody({
      viewId: "VSLOWDB0001",
      privateMetadata: modal.privateMetadata,
      lineId: modal.salesLineId,
      numbers: "(212) 555-0191",
      message: "Slow but once",
    });
    try {
      await blocker.query("BEGIN");
      await blocker.query('LOCK TABLE "SlackInteraction" IN ACCESS EXCLUSIVE MODE');
      const { response, ms } = await timed(() => h.slackRequest(body));
      expect(ms).toBeLessThan(3_000);
      expect(response.json).toMatchObject({
        response_action: "errors",
        errors: { message: expect.stringContaining("taking longer") },
      });
    } finally {
      await blocker.query("COMMIT");
      await blocker.end();
    }
    const [sent] = await h.bandwidth.waitForMessages(1);
    expect(sent?.body.text).toBe("Slow but once");
    const again = await h.slackRequest(body);
    expect(again.text).toBe("");
    await new Promise((r) => setTimeout(r, 1_000));
    expect(h.bandwidth.messages).toHaveLength(1);
    expect(await h.app.db.groupStart.count({ where: { text: "Slow but once" } })).toBe(1);
  });
});
