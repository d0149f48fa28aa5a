// Compliance messages and opt-outs from the Home tab: an edited opt-out message is the one the next
// STOP gets; manual opt-outs are audited and exported.
import { parse } from "csv-parse/sync";
import { defaultComplianceMessages } from "../../src/domain/compliance";
import { inboundMessageCallback } from "../support/bandwidthSpec";
import { dmChannelOf } from "../support/fakeSlack";
import { type Harness, SALES_LINE, startHarness } from "../support/harness";
import {
  ADMIN,
  findElement,
  HOME_USERS,
  homeAction,
  inputBlock,
  nextHome,
  nextModal,
  OWNER,
  openHome,
  type SlackView,
  select,
  stateOf,
  submit,
  text,
  viewText,
} from "../support/homeDriver";

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

const sales = () => h.app.db.line.findUniqueOrThrow({ where: { number: SALES_LINE } });

async function complianceModal(user = ADMIN): Promise<SlackView> {
  const home = await openHome(h, user);
  const line = await sales();
  return nextModal(h, () =>
    homeAction(
      h,
      user,
      { action_id: "home_line_menu", type: "overflow", selected_option: { value: `compliance:${line.id}` } },
      { view: home },
    ),
  );
}

const fields = (optOut: string, optIn: string, help: string) => ({
  compliance_opt_out: text(optOut),
  compliance_opt_in: text(optIn),
  compliance_help: text(help),
});

async function textStop(from: string) {
  const response = await h.webhook("inbound", [
    inboundMessageCallback({ line: SALES_LINE, from, to: [SALES_LINE], text: "STOP" }),
  ]);
  expect(response.status).toBe(200);
  const [sent] = await h.bandwidth.waitForMessages(1);
  return sent;
}

describe("compliance messages", () => {
  test("the modal previews length and segments; an edited opt-out message is the one the next STOP gets", async () => {
    const defaults = defaultComplianceMessages("Sales");
    const modal = await complianceModal();
    expect(modal.callback_id).toBe("home_compliance");
    expect(inputBlock(modal, "compliance_opt_out").element?.initial_value).toBe(defaults.optOut);
    expect(viewText(modal)).toContain(`${defaults.optOut.length} characters · GSM-7 · 1 segment`);

    // "Update preview" recounts what was typed (an emoji makes it UCS-2).
    const typed = "Sales 🙂: you are unsubscribed and get nothing more from us. Reply START to come back.";
    await homeAction(
      h,
      ADMIN,
      { action_id: "compliance_preview", value: "x" },
      {
        view: modal,
        type: "modal",
        id: "VCOMPLIANCE1",
        values: stateOf(modal, fields(typed, defaults.optIn, defaults.help)),
      },
    );
    const [update] = await h.slack.waitForCalls("views.update", 1);
    const preview = update?.args.view as SlackView;
    expect(update?.args.view_id).toBe("VCOMPLIANCE1");
    expect(viewText(preview)).toContain(`${typed.length} characters · UCS-2`);
    expect(viewText(preview)).toContain("2 segments (each reply is billed as 2 texts)");

    const empty = await submit(h, ADMIN, modal, fields("  ", defaults.optIn, defaults.help));
    expect(empty.json).toEqual({
      response_action: "errors",
      errors: {
        [inputBlock(modal, "compliance_opt_out").block_id as string]:
          expect.stringContaining("Write the message"),
      },
    });

    const edited = "Sales team: you're unsubscribed. Reply START to come back.";
    await nextHome(h, ADMIN, async () => {
      const saved = await submit(h, ADMIN, modal, fields(edited, defaults.optIn, defaults.help));
      expect(saved.text).toBe("");
    });
    // Messages equal to the default stay "default" (null), so they follow a rename of the line.
    expect(await sales()).toMatchObject({ optOutMessage: edited, optInMessage: null, helpMessage: null });

    const sent = await textStop("+12125550143");
    expect(sent?.body).toMatchObject({ from: SALES_LINE, to: ["+12125550143"], text: edited });
    expect(h.bandwidth.messages).toHaveLength(1);
    expect(h.bandwidth.violations).toEqual([]);
  });

  test("reset to defaults puts the built-in messages back at once", async () => {
    const modal = await complianceModal();
    await homeAction(
      h,
      ADMIN,
      { action_id: "compliance_reset", value: "x" },
      { view: modal, type: "modal", id: "VCOMPLIANCE2" },
    );
    const [update] = await h.slack.waitForCalls("views.update", 1);
    const reset = update?.args.view as SlackView;
    expect(viewText(reset)).toContain("Reset to the default messages");
    expect(inputBlock(reset, "compliance_opt_out").element?.initial_value).toBe(
      defaultComplianceMessages("Sales").optOut,
    );
    expect(await sales()).toMatchObject({ optOutMessage: null, optInMessage: null, helpMessage: null });

    const sent = await textStop("+12125550144");
    expect(sent?.body).toMatchObject({
      to: ["+12125550144"],
      text: defaultComplianceMessages("Sales").optOut,
    });
  });

  test("a stale compliance edit is refreshed with the current messages", async () => {
    const mine = await complianceModal(ADMIN);
    const theirs = await complianceModal(OWNER);
    const d = defaultComplianceMessages("Sales");
    await nextHome(h, OWNER, () =>
      submit(h, OWNER, theirs, fields(d.optOut, d.optIn, "Sales: text STOP to stop. Call 919-555-0100.")),
    );
    const stale = await submit(h, ADMIN, mine, fields(d.optOut, d.optIn, "Mine"));
    expect(stale.json).toMatchObject({ response_action: "update" });
    const refreshed = (stale.json as { view: SlackView }).view;
    expect(viewText(refreshed)).toContain("Someone else changed this line");
    expect(inputBlock(refreshed, "compliance_help").element?.initial_value).toBe(
      "Sales: text STOP to stop. Call 919-555-0100.",
    );
    expect((await sales()).helpMessage).toBe("Sales: text STOP to stop. Call 919-555-0100.");
    await h.app.db.line.update({ where: { number: SALES_LINE }, data: { helpMessage: null } });
  });
});

describe("opt-outs", () => {
  test("a manual opt-out with a reason is audited, listed, and in the CSV export", async () => {
    const home = await openHome(h, ADMIN);
    const line = await sales();
    const first = await nextHome(h, ADMIN, () =>
      homeAction(h, ADMIN, { action_id: "home_nav_optouts", value: "optouts" }, { view: home }),
    );
    // The list shows one line at a time ("Front desk" first); pick Sales.
    expect(viewText(first)).toContain("*Opt-outs* of *Front desk*");
    const tab = await nextHome(h, ADMIN, () =>
      homeAction(
        h,
        ADMIN,
        { action_id: "home_optout_line", type: "static_select", selected_option: { value: line.id } },
        { view: first },
      ),
    );
    expect(viewText(tab)).toContain("*Opt-outs* of *Sales*");
    expect(viewText(tab)).toContain("(212) 555-0143");
    const open = findElement(tab, (e) => e.action_id === "home_consent_open_out");
    const modal = await nextModal(h, () =>
      homeAction(h, ADMIN, { action_id: "home_consent_open_out", value: String(open.value) }, { view: tab }),
    );
    expect(inputBlock(modal, "consent_line").element?.initial_option).toMatchObject({ value: line.id });

    const noReason = await submit(h, ADMIN, modal, {
      consent_line: select(line.id),
      consent_number: text("(646) 555-0150"),
      consent_reason: text(" "),
    });
    expect(noReason.json).toEqual({
      response_action: "errors",
      errors: { consent_reason: expect.stringContaining("Say why") },
    });
    const badNumber = await submit(h, ADMIN, modal, {
      consent_line: select(line.id),
      consent_number: text("646"),
      consent_reason: text("asked by email"),
    });
    expect(badNumber.json).toMatchObject({
      errors: { consent_number: expect.stringContaining("not a valid phone number") },
    });

    const listed = await nextHome(h, ADMIN, async () => {
      const ok = await submit(h, ADMIN, modal, {
        consent_line: select(line.id),
        consent_number: text("(646) 555-0150"),
        consent_reason: text("asked by email on 3 May"),
      });
      expect(ok.text).toBe("");
    });
    expect(viewText(listed)).toContain("(646) 555-0150 is opted out of Sales");
    expect(viewText(listed)).toContain("asked by email on 3 May");
    expect(viewText(listed)).toContain(`by <@${ADMIN}>`);

    const events = await h.app.db.consentEvent.findMany({ where: { number: "+16465550150" } });
    expect(events).toEqual([
      expect.objectContaining({
        lineId: line.id,
        status: "OPTED_OUT",
        source: "ADMIN",
        actor: ADMIN,
        reason: "asked by email on 3 May",
      }),
    ]);
    expect(
      await h.app.db.consent.findUnique({
        where: { lineId_number: { lineId: line.id, number: "+16465550150" } },
      }),
    ).toMatchObject({
      status: "OPTED_OUT",
    });
    expect(h.bandwidth.messages).toEqual([]);

    // Export: the CSV goes to the admin's DM with the app.
    const exported = await nextHome(h, ADMIN, () =>
      homeAction(h, ADMIN, { action_id: "home_optout_export", value: line.id }, { view: listed }),
    );
    expect(h.slack.callsTo("conversations.open").at(-1)?.args.users).toBe(ADMIN);
    expect(viewText(exported)).toContain("is in your direct messages");
    const complete = h.slack.callsTo("files.completeUploadExternal").at(-1);
    expect(complete?.args.channel_id).toBe(dmChannelOf(ADMIN));
    const fileId = ((complete?.args.files ?? []) as { id: string }[])[0]?.id ?? "";
    const csv = h.slack.uploadedFiles.get(fileId)?.toString("utf8") ?? "";
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    // Numbers carry the leading ' that keeps a spreadsheet from reading them as formulas.
    expect(rows).toContainEqual(
      expect.objectContaining({
        number: "'+16465550150",
        source: "admin",
        changed_by: ADMIN,
        reason: "asked by email on 3 May",
      }),
    );
    // Earlier tests' STOPs are in it too, as keyword opt-outs.
    expect(rows).toContainEqual(expect.objectContaining({ number: "'+12125550143", source: "keyword" }));
  });

  test("opting a number back in records the reason too", async () => {
    const home = await openHome(h, ADMIN);
    const line = await sales();
    const modal = await nextModal(h, () =>
      homeAction(
        h,
        ADMIN,
        { action_id: "home_consent_open_in", value: `OPTED_IN:${line.id}` },
        { view: home },
      ),
    );
    await nextHome(h, ADMIN, () =>
      submit(h, ADMIN, modal, {
        consent_line: select(line.id),
        consent_number: text("+16465550150"),
        consent_reason: text("called to resubscribe"),
      }),
    );
    const last = await h.app.db.consentEvent.findFirstOrThrow({
      where: { number: "+16465550150" },
      orderBy: { createdAt: "desc" },
    });
    expect(last).toMatchObject({ status: "OPTED_IN", actor: ADMIN, reason: "called to resubscribe" });
  });
});
