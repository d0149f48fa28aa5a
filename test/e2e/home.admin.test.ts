// The Home tab's admin console, driven with signed Slack requests: lines, permissions, stale edits,
// admins and settings.
import { type Harness, SALES_LINE, startHarness } from "../support/harness";
import {
  ADMIN,
  checks,
  conversation,
  elements,
  findElement,
  HOME_USERS,
  homeAction,
  lastHome,
  MEMBER,
  nextHome,
  nextModal,
  OTHER_MEMBER,
  OWNER,
  openHome,
  type SlackView,
  submit,
  text,
  viewText,
} from "../support/homeDriver";
import { slashCommandBody, viewSubmissionBody } from "../support/slackRequests";

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ users: HOME_USERS });
});
afterAll(async () => {
  await h.stop();
});
beforeEach(async () => {
  h.slack.reset();
  h.bandwidth.reset();
  // Thread roots exist in Slack, so re-rendering them (after a line changes) can succeed.
  for (const c of await h.app.db.groupConversation.findMany({ where: { threadTs: { not: null } } })) {
    if (c.channelId && c.threadTs) h.slack.seedMessage({ channel: c.channelId, ts: c.threadTs });
  }
});

async function groupModalLines(): Promise<string[]> {
  const view = await nextModal(h, () =>
    h.slackRequest(slashCommandBody({ command: "/grouptext", userId: MEMBER, channelId: "CGENERAL" })),
  );
  const block = view.blocks.find((b) => b.block_id === "line");
  return ((block?.element?.options as { text: { text: string } }[] | undefined) ?? []).map(
    (o) => o.text.text,
  );
}

async function lineMenu(number: string, op: string) {
  const line = await h.app.db.line.findUniqueOrThrow({ where: { number } });
  return { action_id: "home_line_menu", type: "overflow", selected_option: { value: `${op}:${line.id}` } };
}

describe("who sees what", () => {
  test("a teammate sees a read-only Home: group lines, and the groups they started or replied in, latest first", async () => {
    const sales = await h.app.db.line.findUniqueOrThrow({ where: { number: SALES_LINE } });
    await h.app.db.groupConversation.create({
      data: {
        lineId: sales.id,
        name: "Saturday crew",
        channelId: "CGENERAL",
        threadTs: "1700000000.000100",
        startedBy: MEMBER,
      },
    });
    await h.app.db.groupConversation.create({
      data: {
        lineId: sales.id,
        name: "Someone else's",
        channelId: "CGENERAL",
        threadTs: "1700000000.000200",
        startedBy: ADMIN,
      },
    });
    const repliedIn = await h.app.db.groupConversation.create({
      data: {
        lineId: sales.id,
        name: "Van pool",
        channelId: "CGENERAL",
        threadTs: "1700000000.000300",
        startedBy: ADMIN,
      },
    });
    await h.app.db.message.create({
      data: {
        conversationId: repliedIn.id,
        kind: "OUTBOUND",
        text: "I'll drive",
        slackUserId: MEMBER,
        sourceKey: `test:${repliedIn.id}`,
        sendState: "SENT",
      },
    });
    const view = await openHome(h, MEMBER);
    const shown = viewText(view);
    expect(shown).toContain("Sales");
    // Front desk cannot send group texts, so it is not offered.
    expect(shown).not.toContain("Front desk");
    expect(shown).toContain("Saturday crew");
    expect(shown).toContain("https://slack.com/archives/CGENERAL/p1700000000000100");
    expect(shown).not.toContain("Someone else's");
    // The group replied in most recently comes first.
    expect(shown.indexOf("Van pool")).toBeGreaterThan(-1);
    expect(shown.indexOf("Van pool")).toBeLessThan(shown.indexOf("Saturday crew"));
    expect(shown).toContain("0 contacts");
    // Other tests count Sales' threads.
    await h.app.db.groupConversation.delete({ where: { id: repliedIn.id } });
    expect(elements(view)).toEqual([]);
    expect(view.private_metadata ?? "").toBe("");
  });

  test("workspace admins and owners get the admin console", async () => {
    for (const user of [ADMIN, OWNER]) {
      const view = await openHome(h, user);
      expect(viewText(view)).toContain("Add a line");
      expect(elements(view).map((e) => e.action_id)).toEqual(
        expect.arrayContaining(["home_nav_lines", "home_line_add"]),
      );
    }
  });
});

describe("lines", () => {
  test("an admin adds a line; it is offered in the group modal; bad input gets inline errors", async () => {
    expect(await groupModalLines()).toEqual([expect.stringMatching(/^Sales/)]);
    const home = await openHome(h, ADMIN);
    const add = findElement(home, (e) => e.action_id === "home_line_add");
    const modal = await nextModal(h, () =>
      homeAction(h, ADMIN, { action_id: "home_line_add", value: String(add.value) }, { view: home }),
    );
    expect(modal.callback_id).toBe("home_line");

    const bad = await submit(h, ADMIN, modal, {
      line_number: text("555-01"),
      line_name: text(""),
      line_options: checks("group"),
      line_channel: conversation(null),
    });
    expect(bad.json).toEqual({
      response_action: "errors",
      errors: {
        line_number: expect.stringContaining("not a valid phone number"),
        line_name: expect.any(String),
      },
    });
    const taken = await submit(h, ADMIN, modal, {
      line_number: text("(919) 555-0100"),
      line_name: text("Copy"),
      line_options: checks(),
      line_channel: conversation(null),
    });
    expect(taken.json).toMatchObject({
      errors: { line_number: expect.stringContaining("already the line “Sales”") },
    });

    const after = await nextHome(h, ADMIN, async () => {
      const ok = await submit(h, ADMIN, modal, {
        line_number: text("+1 919 555 0102"),
        line_name: text("Support"),
        line_options: checks("group"),
        line_channel: conversation("CSUPPORT"),
      });
      expect(ok.status).toBe(200);
      expect(ok.text).toBe("");
    });
    expect(viewText(after)).toContain("Added *Support*");
    const line = await h.app.db.line.findUniqueOrThrow({ where: { number: "+19195550102" } });
    expect(line).toMatchObject({
      name: "Support",
      groupEnabled: true,
      active: true,
      defaultChannel: "CSUPPORT",
    });
    expect(await groupModalLines()).toEqual([
      expect.stringMatching(/^Sales/),
      expect.stringMatching(/^Support/),
    ]);
  });

  test("a deactivated line leaves the group modal; reactivating brings it back", async () => {
    const home = await openHome(h, ADMIN);
    const deactivated = await nextHome(h, ADMIN, async () =>
      homeAction(h, ADMIN, await lineMenu(SALES_LINE, "deactivate"), { view: home }),
    );
    expect(viewText(deactivated)).toContain("is deactivated");
    expect(await h.app.db.line.findUniqueOrThrow({ where: { number: SALES_LINE } })).toMatchObject({
      active: false,
    });
    expect(await groupModalLines()).not.toContainEqual(expect.stringMatching(/^Sales/));
    // Its threads' roots now say it is inactive.
    const inactiveRoots = (
      calls: readonly { method: string; error?: string; args: Record<string, unknown> }[],
    ) =>
      new Set(
        calls
          .filter(
            (c) =>
              c.method === "chat.update" &&
              !c.error &&
              JSON.stringify(c.args.blocks).includes("_(inactive)_"),
          )
          .map((c) => c.args.ts),
      );
    await h.slack.waitFor((calls) => inactiveRoots(calls).size === 2);
    expect(inactiveRoots(h.slack.calls)).toEqual(new Set(["1700000000.000100", "1700000000.000200"]));

    await nextHome(h, ADMIN, async () =>
      homeAction(h, ADMIN, await lineMenu(SALES_LINE, "activate"), { view: deactivated }),
    );
    expect(await groupModalLines()).toContainEqual(expect.stringMatching(/^Sales/));
  });

  test("a stale edit is refreshed with the current values, not saved over someone else's", async () => {
    const home = await openHome(h, ADMIN);
    const mine = await nextModal(h, async () =>
      homeAction(h, ADMIN, await lineMenu(SALES_LINE, "edit"), { view: home }),
    );
    const ownerHome = await openHome(h, OWNER);
    const theirs = await nextModal(h, async () =>
      homeAction(h, OWNER, await lineMenu(SALES_LINE, "edit"), { view: ownerHome }),
    );
    const fields = (name: string) => ({
      line_name: text(name),
      line_options: checks("group"),
      line_channel: conversation("CSALES"),
    });
    await nextHome(h, OWNER, async () => {
      const saved = await submit(h, OWNER, theirs, fields("Sales East"));
      expect(saved.text).toBe("");
    });

    const stale = await submit(h, ADMIN, mine, fields("Sales West"));
    const refreshed = (stale.json as { response_action: string; view: SlackView }).view;
    expect(stale.json).toMatchObject({ response_action: "update" });
    expect(viewText(refreshed)).toContain("Someone else changed this line");
    const nameInput = refreshed.blocks.find((b) => b.block_id?.startsWith("line_name"));
    expect(nameInput?.element?.initial_value).toBe("Sales East");
    // The refreshed form has new block ids, so Slack shows the fresh value instead of what was typed.
    expect(nameInput?.block_id).not.toBe(
      mine.blocks.find((b) => b.block_id?.startsWith("line_name"))?.block_id,
    );
    expect(await h.app.db.line.findUniqueOrThrow({ where: { number: SALES_LINE } })).toMatchObject({
      name: "Sales East",
    });

    await nextHome(h, ADMIN, async () => {
      const again = await submit(h, ADMIN, refreshed, fields("Sales West"));
      expect(again.text).toBe("");
    });
    expect(await h.app.db.line.findUniqueOrThrow({ where: { number: SALES_LINE } })).toMatchObject({
      name: "Sales West",
    });
    await h.app.db.line.update({ where: { number: SALES_LINE }, data: { name: "Sales" } });
  });
});

describe("permissions are checked on the action itself", () => {
  test("a non-admin's forged block actions are refused and change nothing", async () => {
    const adminHome = await openHome(h, ADMIN);
    await openHome(h, MEMBER);
    const before = await h.app.db.line.findMany({ orderBy: { number: "asc" } });
    const settingsBefore = await h.app.db.settings.findUniqueOrThrow({ where: { id: 1 } });
    const opened = h.slack.callsTo("views.open").length;

    const forged = [
      { action_id: "home_line_add", value: "add" },
      await lineMenu(SALES_LINE, "deactivate"),
      await lineMenu(SALES_LINE, "edit"),
      { action_id: "home_sender_name", type: "checkboxes", selected_options: [{ value: "on" }] },
      { action_id: "home_admin_add", type: "users_select", selected_user: MEMBER },
      { action_id: "home_nav_contacts", value: "contacts" },
    ];
    for (const action of forged) {
      const view = await nextHome(h, MEMBER, () => homeAction(h, MEMBER, action, { view: adminHome }));
      expect(viewText(view)).toContain("Only Reply-All admins can do that");
      expect(elements(view)).toEqual([]);
    }
    expect(h.slack.callsTo("views.open").length).toBe(opened);
    expect(await h.app.db.line.findMany({ orderBy: { number: "asc" } })).toEqual(before);
    expect(await h.app.db.settings.findUniqueOrThrow({ where: { id: 1 } })).toEqual(settingsBefore);
    expect(await h.app.db.appAdmin.count()).toBe(0);
  });

  test("a non-admin's forged modal submissions are refused inline and change nothing", async () => {
    const home = await openHome(h, ADMIN);
    const addLine = await nextModal(h, () =>
      homeAction(h, ADMIN, { action_id: "home_line_add", value: "add" }, { view: home }),
    );
    const lines = await h.app.db.line.count();
    const refused = await submit(h, MEMBER, addLine, {
      line_number: text("+1 919 555 0150"),
      line_name: text("Forged"),
      line_options: checks("group"),
      line_channel: conversation(null),
    });
    expect(refused.json).toEqual({
      response_action: "errors",
      errors: { line_number: expect.stringContaining("Only Reply-All admins") },
    });
    expect(await h.app.db.line.count()).toBe(lines);

    // Hand-made submissions of the other forms, as an attacker would send them.
    const sales = await h.app.db.line.findUniqueOrThrow({ where: { number: SALES_LINE } });
    const forms: {
      callback_id: string;
      private_metadata: string;
      values: Record<string, Record<string, unknown>>;
    }[] = [
      {
        callback_id: "home_consent",
        private_metadata: JSON.stringify({ status: "OPTED_OUT", home: {} }),
        values: {
          consent_line: { consent_line: { type: "static_select", selected_option: { value: sales.id } } },
          consent_number: { consent_number: text("(212) 555-0143") },
          consent_reason: { consent_reason: text("forged") },
        },
      },
      {
        callback_id: "home_compliance",
        private_metadata: JSON.stringify({ id: sales.id, version: sales.updatedAt.toISOString(), home: {} }),
        values: {
          compliance_opt_out: { compliance_opt_out: text("forged") },
          compliance_opt_in: { compliance_opt_in: text("forged") },
          compliance_help: { compliance_help: text("forged") },
        },
      },
      {
        callback_id: "home_import",
        private_metadata: JSON.stringify({ home: {} }),
        values: { import_paste: { import_paste: text("Mallory,(212) 555-0199") } },
      },
    ];
    for (const form of forms) {
      const response = await h.slackRequest(
        viewSubmissionBody({
          userId: MEMBER,
          view: {
            callback_id: form.callback_id,
            private_metadata: form.private_metadata,
            state: { values: form.values },
            blocks: Object.keys(form.values).map((block_id) => ({ type: "input", block_id })),
          },
        }),
      );
      expect(response.json).toMatchObject({ response_action: "errors" });
      expect(JSON.stringify(response.json)).toContain("Only Reply-All admins");
    }
    expect(await h.app.db.consentEvent.count()).toBe(0);
    expect(await h.app.db.contact.count({ where: { number: "+12125550199" } })).toBe(0);
    expect(await h.app.db.line.findUniqueOrThrow({ where: { id: sales.id } })).toEqual(sales);
  });
});

describe("admins and settings", () => {
  test("an admin makes a teammate an admin; removing them revokes it at once", async () => {
    const home = await openHome(h, ADMIN);
    const settings = await nextHome(h, ADMIN, () =>
      homeAction(h, ADMIN, { action_id: "home_nav_settings", value: "settings" }, { view: home }),
    );
    const added = await nextHome(h, ADMIN, () =>
      homeAction(
        h,
        ADMIN,
        { action_id: "home_admin_add", type: "users_select", selected_user: OTHER_MEMBER },
        { view: settings },
      ),
    );
    expect(viewText(added)).toContain(`<@${OTHER_MEMBER}> is now a Reply-All admin`);
    expect(await h.app.db.appAdmin.findUnique({ where: { userId: OTHER_MEMBER } })).toMatchObject({
      addedBy: ADMIN,
    });

    const theirs = await openHome(h, OTHER_MEMBER);
    expect(viewText(theirs)).toContain("Add a line");

    const removed = await nextHome(h, ADMIN, () =>
      homeAction(h, ADMIN, { action_id: "home_admin_remove", value: OTHER_MEMBER }, { view: added }),
    );
    expect(viewText(removed)).toContain("no longer a Reply-All admin");
    const refused = await nextHome(h, OTHER_MEMBER, () =>
      homeAction(h, OTHER_MEMBER, { action_id: "home_line_add", value: "add" }, { view: theirs }),
    );
    expect(viewText(refused)).toContain("Only Reply-All admins");
  });

  test("a workspace admin cannot be added as an app admin, nor can a bot", async () => {
    const home = await openHome(h, ADMIN);
    const view = await nextHome(h, ADMIN, () =>
      homeAction(
        h,
        ADMIN,
        { action_id: "home_admin_add", type: "users_select", selected_user: OWNER },
        { view: home },
      ),
    );
    expect(viewText(view)).toContain("already a Reply-All admin");
    const bot = await nextHome(h, ADMIN, () =>
      homeAction(
        h,
        ADMIN,
        { action_id: "home_admin_add", type: "users_select", selected_user: "UBOT" },
        { view: home },
      ),
    );
    expect(viewText(bot)).toContain("bots cannot be admins");
    expect(await h.app.db.appAdmin.count()).toBe(0);
  });

  test("the sender-name setting is toggled from the Home tab", async () => {
    const home = await openHome(h, ADMIN);
    const settings = await nextHome(h, ADMIN, () =>
      homeAction(h, ADMIN, { action_id: "home_nav_settings", value: "settings" }, { view: home }),
    );
    const box = findElement(settings, (e) => e.action_id === "home_sender_name");
    expect(box.initial_options).toBeUndefined();
    const on = await nextHome(h, ADMIN, () =>
      homeAction(
        h,
        ADMIN,
        { action_id: "home_sender_name", type: "checkboxes", selected_options: [{ value: "on" }] },
        { view: settings },
      ),
    );
    expect((await h.app.db.settings.findUniqueOrThrow({ where: { id: 1 } })).appendSenderName).toBe(true);
    expect(findElement(on, (e) => e.action_id === "home_sender_name").initial_options).toHaveLength(1);
    await nextHome(h, ADMIN, () =>
      homeAction(
        h,
        ADMIN,
        { action_id: "home_sender_name", type: "checkboxes", selected_options: [] },
        { view: on },
      ),
    );
    expect((await h.app.db.settings.findUniqueOrThrow({ where: { id: 1 } })).appendSenderName).toBe(false);
    expect(lastHome(h, ADMIN).private_metadata).toContain('"tab":"settings"');
  });
});
