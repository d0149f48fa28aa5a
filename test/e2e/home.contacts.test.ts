// Contacts in the Home tab: CSV import (pasted and uploaded), search, add and edit, stale edits.
import { eventually, type Harness, SECRETS, startHarness } from "../support/harness";
import {
  ADMIN,
  findElement,
  HOME_USERS,
  homeAction,
  lastHome,
  nextHome,
  nextModal,
  openHome,
  type SlackView,
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

async function contactsTab(): Promise<SlackView> {
  const home = await openHome(h, ADMIN);
  return nextHome(h, ADMIN, () =>
    homeAction(h, ADMIN, { action_id: "home_nav_contacts", value: "contacts" }, { view: home }),
  );
}

async function importModal(): Promise<SlackView> {
  const tab = await contactsTab();
  return nextModal(h, () =>
    homeAction(h, ADMIN, { action_id: "home_contact_import", value: "import" }, { view: tab }),
  );
}

/** Submits the import modal and waits for the summary the app puts in its place. */
async function runImport(fields: Record<string, Record<string, unknown>>): Promise<SlackView> {
  const modal = await importModal();
  const viewId = `VIMPORT${Math.floor(Math.random() * 1e9)}`;
  const response = await submit(h, ADMIN, modal, fields, viewId);
  expect(response.json).toMatchObject({
    response_action: "update",
    view: { callback_id: "home_import_result" },
  });
  const calls = await h.slack.waitFor((all) =>
    all.some((c) => c.method === "views.update" && c.args.view_id === viewId),
  );
  return calls.find((c) => c.method === "views.update" && c.args.view_id === viewId)?.args.view as SlackView;
}

describe("CSV import", () => {
  test("good, duplicate, malformed and missing rows are each reported; known numbers get the new name", async () => {
    await h.app.db.contact.create({ data: { number: "+12125550110", name: "Old Name" } });
    await h.app.db.contact.create({ data: { number: "+12125550111", name: "Same Name" } });
    const csv = [
      "name,phone",
      "Dana Whitfield,(212) 555-0101", // 2: added
      "Evan Ortiz,+1 212 555 0102", // 3: added
      "Dana again,212.555.0101", // 4: duplicate of row 2
      "Broken,555-01", // 5: malformed
      "No Number,", // 6: missing
      "Toll Free,+1 800 555 0100", // 7: not a mobile number
      "New Name,2125550110", // 8: updated
      "Same Name,2125550111", // 9: unchanged
      '"Quoted, Name",(646) 555-0103', // 10: added, comma inside quotes
      "The Line,(919) 555-0100", // 11: one of the app's lines
    ].join("\n");
    const summary = await runImport({ import_paste: text(csv) });
    const shown = viewText(summary);
    expect(shown).toContain("3 contacts added");
    expect(shown).toContain("1 contact updated");
    expect(shown).toContain("1 contact already saved, unchanged");
    expect(shown).toContain("5 rows rejected");
    expect(shown).toContain("Row 4: Duplicate of row 2");
    expect(shown).toMatch(/Row 5: “555-01” is not a valid phone number/);
    expect(shown).toContain("Row 6: No phone number.");
    expect(shown).toMatch(/Row 7: .*toll-free/);
    expect(shown).toContain("Row 11: (919) 555-0100 is the line “Sales”");
    await eventually(() =>
      viewText(lastHome(h, ADMIN)).includes("Import finished: 3 added, 1 updated, 1 unchanged, 5 rejected"),
    );

    const saved = await h.app.db.contact.findMany({ orderBy: { number: "asc" } });
    expect(saved.map((c) => [c.number, c.name])).toEqual([
      ["+12125550101", "Dana Whitfield"],
      ["+12125550102", "Evan Ortiz"],
      ["+12125550110", "New Name"],
      ["+12125550111", "Same Name"],
      ["+16465550103", "Quoted, Name"],
    ]);
    expect(saved.find((c) => c.number === "+12125550101")?.createdBy).toBe(ADMIN);
  });

  test("an uploaded CSV file is downloaded with the bot token and imported", async () => {
    const file = h.slack.registerFile({
      id: "FCSV1",
      name: "contacts.csv",
      mimetype: "text/csv",
      bytes: "Fiona,(718) 555-0101\nGus,(718) 555-0102\nGus twice,718-555-0102\n",
    });
    const summary = await runImport({ import_file: { type: "file_input", files: [file] } });
    expect(viewText(summary)).toContain("2 contacts added");
    expect(viewText(summary)).toContain("Row 3: Duplicate of row 2");
    expect(h.slack.downloads).toEqual([
      expect.objectContaining({ fileId: "FCSV1", token: SECRETS.botToken, status: 200 }),
    ]);
    expect(await h.app.db.contact.findUnique({ where: { number: "+17185550101" } })).toMatchObject({
      name: "Fiona",
    });
  });

  test("an empty form or unreadable CSV gets an inline error and imports nothing", async () => {
    const modal = await importModal();
    const empty = await submit(h, ADMIN, modal, { import_paste: text("") });
    expect(empty.json).toEqual({
      response_action: "errors",
      errors: { import_paste: expect.stringContaining("Paste CSV rows") },
    });
    const before = await h.app.db.contact.count();
    const broken = await submit(h, ADMIN, modal, {
      import_paste: text('Dana,"(212) 555-0199\nEvan,(212) 555-0198'),
    });
    expect(broken.json).toEqual({
      response_action: "errors",
      errors: { import_paste: expect.stringContaining("not a CSV file") },
    });
    expect(await h.app.db.contact.count()).toBe(before);
  });
});

describe("search, add, edit", () => {
  test("search finds contacts by name or number fragment", async () => {
    const tab = await contactsTab();
    const byName = await nextHome(h, ADMIN, () =>
      homeAction(
        h,
        ADMIN,
        { action_id: "home_search", type: "plain_text_input", value: "fio" },
        { view: tab },
      ),
    );
    expect(viewText(byName)).toContain("Fiona");
    expect(viewText(byName)).not.toContain("Gus");
    const byNumber = await nextHome(h, ADMIN, () =>
      homeAction(
        h,
        ADMIN,
        { action_id: "home_search", type: "plain_text_input", value: "555-0102" },
        { view: byName },
      ),
    );
    expect(viewText(byNumber)).toContain("Gus");
    expect(viewText(byNumber)).toContain("Evan Ortiz");
    expect(viewText(byNumber)).not.toContain("Fiona");
  });

  test("an admin adds a contact and renames it; a stale rename is refreshed, not saved over", async () => {
    const tab = await contactsTab();
    const add = await nextModal(h, () =>
      homeAction(h, ADMIN, { action_id: "home_contact_add", value: "add" }, { view: tab }),
    );
    const bad = await submit(h, ADMIN, add, {
      contact_number: text("(212) 555-0101"),
      contact_name: text("Dup"),
    });
    expect(bad.json).toMatchObject({
      errors: { contact_number: expect.stringContaining("already saved as Dana Whitfield") },
    });
    await nextHome(h, ADMIN, async () => {
      const ok = await submit(h, ADMIN, add, {
        contact_number: text("+1 917 555 0100"),
        contact_name: text("Hana"),
      });
      expect(ok.text).toBe("");
    });
    const hana = await h.app.db.contact.findUniqueOrThrow({ where: { number: "+19175550100" } });

    const list = await nextHome(h, ADMIN, () =>
      homeAction(h, ADMIN, { action_id: "home_search", value: "Hana" }, { view: tab }),
    );
    const edit = findElement(list, (e) => e.action_id === "home_contact_edit" && e.value === hana.id);
    const first = await nextModal(h, () =>
      homeAction(h, ADMIN, { action_id: "home_contact_edit", value: String(edit.value) }, { view: list }),
    );
    const second = await nextModal(h, () =>
      homeAction(h, ADMIN, { action_id: "home_contact_edit", value: String(edit.value) }, { view: list }),
    );
    await nextHome(h, ADMIN, () => submit(h, ADMIN, second, { contact_name: text("Hana K.") }));
    const stale = await submit(h, ADMIN, first, { contact_name: text("Hana Kim") });
    expect(stale.json).toMatchObject({ response_action: "update" });
    const refreshed = (stale.json as { view: SlackView }).view;
    expect(viewText(refreshed)).toContain("Someone else changed this contact");
    expect(refreshed.blocks.find((b) => b.block_id?.startsWith("contact_name"))?.element?.initial_value).toBe(
      "Hana K.",
    );
    expect((await h.app.db.contact.findUniqueOrThrow({ where: { id: hana.id } })).name).toBe("Hana K.");
    await nextHome(h, ADMIN, () => submit(h, ADMIN, refreshed, { contact_name: text("Hana Kim") }));
    expect((await h.app.db.contact.findUniqueOrThrow({ where: { id: hana.id } })).name).toBe("Hana Kim");
  });
});
