import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { createLogger } from "../../src/logger";
import { type Sandbox, startSandbox } from "../../src/sandbox/sandbox";

// A new user's tour of the sandbox in headless Chromium (Debian's `chromium` package, which .ci/run
// installs), through the page only: every click reaches the app as a signed Slack request or a
// Basic-auth Bandwidth callback. Screenshots of each step are kept under test-artifacts/.
const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = path.resolve(__dirname, "../../test-artifacts/sandbox-tour");
const available = existsSync(CHROMIUM);

if (!available && process.env.CI === "true") {
  test("Chromium is installed for the browser tour", () => {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)`,
    );
  });
}
if (!available && process.env.CI !== "true") {
  console.warn(`sandbox browser tour skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);
}

(available ? describe : describe.skip)("the sandbox page, in a browser", () => {
  let sandbox: Sandbox;
  let context: BrowserContext;
  let page: Page;
  let dataDir: string;
  let profile: string;
  let step = 0;

  const shot = async (name: string) => {
    step += 1;
    await page.screenshot({ path: path.join(ARTIFACTS, `${String(step).padStart(2, "0")}-${name}.png`) });
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    dataDir = mkdtempSync(path.join(os.tmpdir(), "sandbox-tour-"));
    // As root, PostgreSQL runs as the postgres user, who must be able to enter it.
    chmodSync(dataDir, 0o755);
    profile = mkdtempSync(path.join(os.tmpdir(), "sandbox-chromium-"));
    // No credentials in this environment: exactly what a fresh clone's `npm start` sees.
    sandbox = await startSandbox({ PORT: "0", DATA_DIR: dataDir, LOG_LEVEL: "error" }, createLogger("error"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1600, height: 1000 },
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on("dialog", (dialog) => {
      throw new Error(`the page raised a dialog: ${dialog.message()}`);
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await sandbox?.stop();
    rmSync(profile, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  const phone = (digits: string) => page.locator(`#phone-${digits}`);

  it("walks the tour: modal, group, phones, replies both ways, STOP, App Home", async () => {
    await page.goto(sandbox.url);
    await page.waitForSelector("body[data-ready='1']");
    await shot("opened");

    // The slash command opens the app's modal, rendered from its views.open payload.
    await page.fill("#composer-text", "/grouptext Pizza at 7?");
    await page.press("#composer-text", "Enter");
    await page.waitForSelector(".modal-title:has-text('New group text')");
    await shot("modal");

    // Sending with nobody picked: the app's response_action errors appear under their field.
    await page.click("#modal button[type=submit]");
    await page.waitForSelector("#modal .error");
    await shot("modal-errors");

    for (const name of ["Ana", "Ben", "Carla"]) {
      await page.click(".picker[data-block='contacts'] .search");
      await page.fill(".picker[data-block='contacts'] .search", name);
      await page.click(`.picker[data-block='contacts'] .options div:has-text('${name}')`);
    }
    await page.waitForSelector(".context-estimate, #modal :text('3 MMS')").catch(() => undefined);
    await shot("modal-three-contacts");
    await page.click("#modal button[type=submit]");
    await page.waitForSelector("#modal-backdrop", { state: "hidden" });

    // The thread opens in #sales, and each phone receives the text once Bandwidth reports it delivered.
    await page.click("#messages .replies-link", { timeout: 20_000 });
    await page.waitForSelector("#thread-messages :text('Pizza at 7?')");
    for (const digits of ["0101", "0102", "0103"]) {
      await phone(digits).locator(".bubble:has-text('Pizza at 7?')").waitFor({ timeout: 20_000 });
    }
    await shot("group-started");

    // A reply from one phone lands in the thread under the contact's name.
    await phone("0101").locator(".reply").fill("Count me in!");
    await phone("0101").locator(".send").click();
    await page.waitForSelector(
      "#thread-messages .msg:has-text('Count me in!') .author:has-text('Ana Ruiz')",
      {
        timeout: 20_000,
      },
    );
    // In a group MMS the other phones get it too.
    await phone("0102").locator(".bubble:has-text('Count me in!')").waitFor();
    await shot("phone-reply");

    // A teammate's reply in the thread is texted to every phone of the group.
    await page.fill("#thread-text", "See you all at 7");
    await page.click("#thread-composer button[type=submit]");
    for (const digits of ["0101", "0102", "0103"]) {
      await phone(digits).locator(".bubble.in:has-text('See you all at 7')").waitFor({ timeout: 20_000 });
    }
    await shot("thread-reply");

    // STOP from one phone: the line confirms on that phone and the thread says so.
    await phone("0102").locator("[data-keyword=STOP]").click();
    await page.waitForSelector("#thread-messages :text('Ben Cho')", { timeout: 20_000 });
    await page
      .locator("#thread-messages")
      .filter({ hasText: /opted out/i })
      .waitFor({ timeout: 20_000 });
    await phone("0102").locator(".bubble.in:has-text('unsubscribed')").waitFor({ timeout: 20_000 });
    await shot("stop");

    // App Home as the admin, with its admin tabs.
    await page.click("#open-home");
    await page.waitForSelector("#home .blk", { timeout: 20_000 });
    await page.locator("#home").filter({ hasText: /lines/i }).waitFor();
    await shot("app-home");

    // Its buttons work: "Add a line" opens the app's modal.
    await page.click("#home button:has-text('Add a line')");
    await page.waitForSelector("#modal .modal-title");
    await shot("app-home-modal");
    await page.click("#modal [data-close]");
    await page.waitForSelector("#modal-backdrop", { state: "hidden" });
  }, 180_000);
});
