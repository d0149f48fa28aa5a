import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PNG } from "pngjs";
import { createLogger } from "../../src/logger";
import { type Sandbox, startSandbox } from "../../src/sandbox/sandbox";
import { buildApp, freePort } from "../support/appProcess";
import { eventually } from "../support/harness";

const ROOT = path.resolve(__dirname, "../..");

function tempDataDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  // As root, PostgreSQL runs as the postgres user, who must be able to enter it.
  chmodSync(dir, 0o755);
  return dir;
}

describe("npm start without credentials", () => {
  let build: ReturnType<typeof buildApp>;
  beforeAll(() => {
    build = buildApp();
  }, 120_000);
  afterAll(() => build.cleanup());

  const run = (env: Record<string, string>) => {
    const child = spawn(process.execPath, [path.join(build.dir, "main.js")], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stdout: string[] = [];
    const stderr: string[] = [];
    child.stdout.on("data", (chunk) => stdout.push(String(chunk)));
    child.stderr.on("data", (chunk) => stderr.push(String(chunk)));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    return { child, stdout, stderr, exited };
  };

  it("prints one line with the sandbox's URL, and serves the page there", async () => {
    const dataDir = tempDataDir("sandbox-start-");
    const port = await freePort();
    // A real deployment's database, which the sandbox must never touch: here nothing listens there.
    const app = run({
      PORT: String(port),
      DATA_DIR: dataDir,
      DATABASE_URL: "postgres://app@127.0.0.1:9/replyall",
    });
    try {
      const line = await eventually(() => app.stdout.join("").match(/^.*\n/)?.[0], 90_000);
      expect(line).toBe(
        `Sandbox running (no Slack or Bandwidth account needed): open http://localhost:${port}/sandbox\n`,
      );
      const page = await fetch(`http://127.0.0.1:${port}/sandbox`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("Phones");
      const script = await fetch(`http://127.0.0.1:${port}/sandbox/sandbox.js`);
      expect(script.status).toBe(200);
      // The one line is all it prints: no secret, no log line at the default level.
      await new Promise((r) => setTimeout(r, 500));
      expect(app.stdout.join("")).toBe(line);
      expect(app.stderr.join("")).toBe("");
    } finally {
      app.child.kill("SIGTERM");
      expect(await app.exited).toBe(0);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it("stops with today's message when some credentials are set and others missing", async () => {
    const app = run({ PORT: "0", SLACK_BOT_TOKEN: "xoxb-only-this", SLACK_SIGNING_SECRET: "and-this" });
    expect(await app.exited).toBe(78);
    const stderr = app.stderr.join("");
    expect(stderr).toContain("Invalid configuration");
    expect(stderr).toContain("BANDWIDTH_ACCOUNT_ID is required");
    expect(app.stdout.join("")).not.toContain("Sandbox");
  }, 30_000);
});

describe("the sandbox's endpoints", () => {
  let sandbox: Sandbox;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = tempDataDir("sandbox-api-");
    sandbox = await startSandbox({ PORT: "0", DATA_DIR: dataDir }, createLogger("error"));
  }, 120_000);
  afterAll(async () => {
    await sandbox?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const post = async (name: string, body: unknown) => {
    const response = await fetch(`${sandbox.appUrl}/sandbox/${name}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  interface State {
    channels: {
      id: string;
      messages: { ts: string; thread_ts?: string; text: string; blocks?: unknown }[];
    }[];
    phones: { number: string; texts: { text: string; delivery?: string; media: string[] }[] }[];
  }
  const state = async () => (await (await fetch(`${sandbox.appUrl}/sandbox/state`)).json()) as State;
  const view = async (id: string) =>
    (await (await fetch(`${sandbox.appUrl}/sandbox/view?id=${id}`)).json()) as {
      blocks: { block_id: string; element?: { initial_option?: { value: string } } }[];
    };

  /** Opens the modal with the slash command and sends it with these contacts, as the page does. */
  const startGroup = async (names: string[], text: string) => {
    const opened = await post("slack/command", { user: "UDANA", channel: "CSALES", text });
    const viewId = String(opened.json.openedViewId);
    const modal = await view(viewId);
    const line = modal.blocks.find((b) => b.block_id === "line")?.element?.initial_option;
    expect(line).toBeDefined();
    const contacts = [];
    for (const name of names) {
      const found = await post("slack/options", {
        user: "UDANA",
        viewId,
        values: {},
        actionId: "contacts_value",
        blockId: "contacts",
        value: name,
      });
      const option = (found.json.options as { value: string; text: { text: string } }[])[0];
      expect(option?.text.text).toContain(name);
      contacts.push(option);
    }
    const submitted = await post("slack/submit", {
      user: "UDANA",
      viewId,
      values: {
        channel: { channel_value: { type: "conversations_select", selected_conversation: "CSALES" } },
        line: { line_value: { type: "static_select", selected_option: line } },
        contacts: { contacts_value: { type: "multi_external_select", selected_options: contacts } },
        numbers: { numbers_value: { type: "plain_text_input", value: null } },
        name: { name_value: { type: "plain_text_input", value: null } },
        message: { message_value: { type: "plain_text_input", value: text } },
      },
    });
    expect(submitted.json).toMatchObject({ status: 200, body: "" });
  };

  it("refuses what is not one of its teammates, channels or contacts", async () => {
    expect((await post("slack/command", { user: "UOTHER", channel: "CSALES" })).status).toBe(400);
    expect(
      (await post("phone/send", { from: "+12125550199", line: "+19195550100", others: [], text: "hi" }))
        .status,
    ).toBe(400);
  });

  it("reports a failed delivery in the thread when a phone's switch says so, and starts over on reset", async () => {
    await post("phone/failing", { number: "+16465550102", failing: true });
    await startGroup(["Ana", "Ben"], "Lunch?");

    const phoneTexts = async (number: string) =>
      (await state()).phones.find((p) => p.number === number)?.texts ?? [];
    await eventually(async () => (await phoneTexts("+16465550101"))[0]?.delivery === "delivered");
    await eventually(async () => (await phoneTexts("+16465550102"))[0]?.delivery === "failed");
    await eventually(async () => {
      const sales = (await state()).channels.find((c) => c.id === "CSALES");
      return sales?.messages.some((m) =>
        JSON.stringify(m.blocks ?? m.text).includes("Not delivered to Ben Cho"),
      );
    }, 20_000);

    expect((await post("reset", {})).status).toBe(202);
    await eventually(async () => {
      const fresh = await state().catch(() => null);
      return (
        fresh?.channels.every((c) => c.messages.length === 0) && fresh.phones.every((p) => !p.texts.length)
      );
    }, 60_000);
    // The app is back on the same URL, with the seeded world again.
    const again = await post("slack/command", { user: "UEVAN", channel: "CGENERAL", text: "" });
    expect(again.json.openedViewId).toBeTruthy();
  }, 120_000);

  it("carries pictures both ways: a phone's picture into the thread, a teammate's file to the phones", async () => {
    await startGroup(["Carla", "Dev"], "Photos from Saturday?");
    const sales = async () => (await state()).channels.find((c) => c.id === "CSALES");
    const root = await eventually(async () => (await sales())?.messages.find((m) => !m.thread_ts));
    const png = new PNG({ width: 4, height: 4 });
    png.data.fill(200);
    const bytes = PNG.sync.write(png);
    const sent = await post("phone/send", {
      from: "+16465550103",
      line: "+19195550100",
      others: ["+16465550104"],
      text: "Here is one",
      picture: { contentType: "image/png", base64: bytes.toString("base64") },
    });
    expect(sent.json.status).toBe(200);
    // The app downloads it from Bandwidth's media API and shows it in the thread as a Slack file.
    await eventually(async () =>
      (await sales())?.messages.some((m) =>
        JSON.stringify(m.blocks ?? "").includes("Picture from Carla Diaz"),
      ),
    );

    const reply = await post("slack/reply", {
      user: "UEVAN",
      channel: "CSALES",
      threadTs: root.ts,
      text: "And one from us",
      files: [{ name: "team.png", contentType: "image/png", base64: bytes.toString("base64") }],
    });
    expect(reply.json.status).toBe(200);
    const received = await eventually(async () => {
      const texts = (await state()).phones.find((p) => p.number === "+16465550104")?.texts ?? [];
      return texts.find((t) => t.text.includes("And one from us") && t.delivery === "delivered");
    }, 20_000);
    const media = received.media;
    expect(media).toHaveLength(1);
    const picture = await fetch(`${sandbox.appUrl}${media[0]}`);
    expect(picture.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await picture.arrayBuffer())).toEqual(bytes);
  }, 120_000);
});
