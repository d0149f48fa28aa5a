// Issue 9, finding 7: replay. Bolt accepts a signed request for 5 minutes, so whoever holds one
// (a proxy log, a browser extension) can send it again. A modal submission (by view.id) and a
// slash command (by trigger_id) must take effect once, across instances and restarts.
import { eventually, type Harness, SECRETS, startHarness } from "../support/harness";
import { ADMIN, HOME_USERS } from "../support/homeDriver";
import {
  blockActionsBody,
  nowSeconds,
  postSlack,
  slashCommandBody,
  viewSubmissionBody,
} from "../support/slackRequests";
import { groupSubmissionBody, type OpenedModal, openGroupModal, replay } from "./groupModalDriver";

let h: Harness;
let modal: OpenedModal;

beforeAll(async () => {
  h = await startHarness({ users: HOME_USERS });
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

const settle = () => new Promise((r) => setTimeout(r, 1_500));

function groupSubmission(viewId: string, message: string, numbers: string) {
  return groupSubmissionBody({
    viewId,
    privateMetadata: modal.privateMetadata,
    lineId: modal.salesLineId,
    numbers,
    message,
  });
}

describe("a replayed group-start submission", () => {
  test("the same signed submission sent twice starts one group and sends one text", async () => {
    const body = groupSubmission("VREPLAY0001", "Once only", "(212) 555-0161");
    const ts = nowSeconds();
    const first = await replay(h, SECRETS.signingSecret, body, ts);
    const second = await replay(h, SECRETS.signingSecret, body, ts);
    expect(first.status).toBe(200);
    expect(first.text).toBe("");
    expect(second.status).toBe(200);
    expect(second.text).toBe("");
    await h.bandwidth.waitForMessages(1);
    await h.slack.waitForCalls("chat.postMessage", 2);
    await settle();
    expect(h.bandwidth.messages).toHaveLength(1);
    expect(await h.app.db.groupStart.count({ where: { text: "Once only" } })).toBe(1);
  });

  test("the same submission sent concurrently starts one group and sends one text", async () => {
    const body = groupSubmission("VREPLAY0002", "Concurrent", "(212) 555-0162");
    const ts = nowSeconds();
    const responses = await Promise.all(
      Array.from({ length: 4 }, () => replay(h, SECRETS.signingSecret, body, ts)),
    );
    for (const r of responses) {
      expect(r.status).toBe(200);
      expect(r.text).toBe("");
    }
    await h.bandwidth.waitForMessages(1);
    await settle();
    expect(h.bandwidth.messages).toHaveLength(1);
    expect(await h.app.db.groupStart.count({ where: { text: "Concurrent" } })).toBe(1);
  });

  test("a replay after the app restarts still takes no effect", async () => {
    const body = groupSubmission("VREPLAY0003", "Before restart", "(212) 555-0163");
    const ts = nowSeconds();
    expect((await replay(h, SECRETS.signingSecret, body, ts)).text).toBe("");
    await h.bandwidth.waitForMessages(1);
    await h.restart();
    expect((await replay(h, SECRETS.signingSecret, body, ts)).text).toBe("");
    await settle();
    expect(h.bandwidth.messages).toHaveLength(1);
    expect(await h.app.db.groupStart.count({ where: { text: "Before restart" } })).toBe(1);
  });

  test("a submission refused inline can be corrected and sent again from the same modal", async () => {
    const refused = await h.slackRequest(groupSubmission("VREPLAY0004", "Fix me", "12345"));
    expect(refused.json).toMatchObject({ response_action: "errors" });
    const fixed = await h.slackRequest(groupSubmission("VREPLAY0004", "Fixed", "(212) 555-0164"));
    expect(fixed.text).toBe("");
    const [sent] = await h.bandwidth.waitForMessages(1);
    expect(sent?.body.text).toBe("Fixed");
  });
});

describe("a replayed admin modal submission", () => {
  test("an admin's opt-out, replayed after the contact was opted back in, changes nothing", async () => {
    const sales = await h.app.db.line.findFirstOrThrow({ where: { name: "Sales" } });
    const consentForm = (viewId: string, status: "OPTED_OUT" | "OPTED_IN", reason: string) =>
      viewSubmissionBody({
        userId: ADMIN,
        view: {
          id: viewId,
          callback_id: "home_consent",
          private_metadata: JSON.stringify({ status, home: {} }),
          state: {
            values: {
              consent_line: {
                consent_line: { type: "static_select", selected_option: { value: sales.id } },
              },
              consent_number: { consent_number: { type: "plain_text_input", value: "(212) 555-0171" } },
              consent_reason: { consent_reason: { type: "plain_text_input", value: reason } },
            },
          },
          blocks: ["consent_line", "consent_number", "consent_reason"].map((block_id) => ({
            type: "input",
            block_id,
          })),
        },
      });
    const optOut = consentForm("VCONSENT0001", "OPTED_OUT", "asked by email");
    const ts = nowSeconds();
    expect((await replay(h, SECRETS.signingSecret, optOut, ts)).text).toBe("");
    expect((await h.slackRequest(consentForm("VCONSENT0002", "OPTED_IN", "asked again"))).text).toBe("");

    const replayed = await replay(h, SECRETS.signingSecret, optOut, ts);
    expect(replayed.status).toBe(200);
    await settle();
    const consent = await h.app.db.consent.findUniqueOrThrow({
      where: { lineId_number: { lineId: sales.id, number: "+12125550171" } },
    });
    expect(consent.status).toBe("OPTED_IN");
    expect(await h.app.db.consentEvent.count({ where: { number: "+12125550171" } })).toBe(2);
  });

  test("the same admin submission sent concurrently takes effect once", async () => {
    const body = viewSubmissionBody({
      userId: ADMIN,
      view: {
        id: "VIMPORT0001",
        callback_id: "home_import",
        private_metadata: JSON.stringify({ home: {} }),
        state: {
          values: {
            import_paste: { import_paste: { type: "plain_text_input", value: "Rae,(312) 555-0181" } },
          },
        },
        blocks: [{ type: "input", block_id: "import_paste" }],
      },
    });
    const ts = nowSeconds();
    await Promise.all(Array.from({ length: 3 }, () => replay(h, SECRETS.signingSecret, body, ts)));
    await h.slack.waitForCalls("views.update", 1);
    await settle();
    // One import: one summary in the modal and one notice in the Home tab.
    expect(h.slack.callsTo("views.update")).toHaveLength(1);
    expect(
      h.slack.callsTo("views.publish").filter((c) => JSON.stringify(c.args.view).includes("Import finished")),
    ).toHaveLength(1);
    expect(await h.app.db.contact.count({ where: { number: "+13125550181" } })).toBe(1);
  });
});

describe("a replayed admin action", () => {
  test("making a member an admin, replayed after they were removed, does not make them one again", async () => {
    const homeAction = (action: Record<string, unknown> & { action_id: string }) =>
      blockActionsBody({
        userId: ADMIN,
        actions: [action],
        view: { type: "home", callback_id: "", private_metadata: "" },
      });
    const add = homeAction({ action_id: "home_admin_add", type: "users_select", selected_user: "UEVAN" });
    const ts = nowSeconds();
    expect((await replay(h, SECRETS.signingSecret, add, ts)).status).toBe(200);
    const isAdmin = () => h.app.db.appAdmin.findUnique({ where: { userId: "UEVAN" } });
    await eventually(async () => (await isAdmin()) !== null);
    expect(
      (await h.slackRequest(homeAction({ action_id: "home_admin_remove", value: "UEVAN" }))).status,
    ).toBe(200);
    await eventually(async () => (await isAdmin()) === null);

    expect((await replay(h, SECRETS.signingSecret, add, ts)).status).toBe(200);
    await settle();
    expect(await isAdmin()).toBeNull();
  });
});

describe("a replayed slash command", () => {
  test("opens one modal", async () => {
    const body = slashCommandBody({ command: "/grouptext", userId: "UDANA", channelId: "CGENERAL" });
    const ts = nowSeconds();
    const send = () =>
      postSlack(h.app.url, SECRETS.signingSecret, {
        contentType: body.contentType,
        body: body.body,
        timestamp: ts,
      });
    expect((await send()).status).toBe(200);
    await h.slack.waitForCalls("views.open", 1);
    const again = await Promise.all([send(), send()]);
    for (const r of again) expect(r.status).toBe(200);
    await settle();
    expect(h.slack.callsTo("views.open")).toHaveLength(1);
  });
});

describe("receipts are kept only while a replay is possible", () => {
  test("receipts older than the retention are pruned, newer ones stay, and claims prune", async () => {
    // Loaded here, not at the top, so the replay cases above also run against code without it.
    const { INTERACTION_RETENTION_MS, InteractionReceipts } = await import(
      "../../src/services/interactions.js"
    );
    // Bolt refuses a signature older than 5 minutes: the retention must outlast that window.
    expect(INTERACTION_RETENTION_MS).toBeGreaterThan(5 * 60 * 1000);
    const db = h.app.db;
    const receipt = (userId: string, age: number) =>
      db.slackInteraction.create({
        data: {
          dedupeKey: `view_submission:${userId}:V${userId}`,
          kind: "view_submission",
          userId,
          receivedAt: new Date(Date.now() - age),
        },
      });
    await receipt("UOLD", INTERACTION_RETENTION_MS + 60_000);
    await receipt("URECENT", 10 * 60 * 1000);
    expect(await new InteractionReceipts(db).prune()).toBeGreaterThanOrEqual(1);
    expect(
      await db.slackInteraction.findUnique({ where: { dedupeKey: "view_submission:UOLD:VUOLD" } }),
    ).toBeNull();
    expect(
      await db.slackInteraction.findUnique({ where: { dedupeKey: "view_submission:URECENT:VURECENT" } }),
    ).not.toBeNull();

    // Pruning rides on claims: a fresh instance prunes on its first claim.
    await receipt("UOLDER", INTERACTION_RETENTION_MS + 120_000);
    const claimed = await new InteractionReceipts(db).claim({
      kind: "view_submission",
      id: "VPRUNE0001",
      userId: "UDANA",
    });
    expect(claimed).toBe(true);
    expect(
      await db.slackInteraction.findUnique({ where: { dedupeKey: "view_submission:UOLDER:VUOLDER" } }),
    ).toBeNull();
  });
});
