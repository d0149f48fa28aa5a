// Issue 9, finding 2: the bot token goes only to Slack's file hosts; downloads never follow a
// redirect elsewhere and stop at a hard cap, whatever the file declared. Driven end to end through
// signed Slack requests, with an "evil" server on another local port standing in for any host.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  freshNumbers,
  PNG_BYTES,
  sendText,
  type ThreadRef,
  threadOf,
  waitForPost,
} from "../e2e/relayHelpers";
import type { RecordedMessage } from "../support/fakeBandwidth";
import { eventually, type Harness, startHarness } from "../support/harness";
import {
  ADMIN,
  HOME_USERS,
  homeAction,
  nextHome,
  nextModal,
  openHome,
  type SlackView,
  submit,
  viewText,
} from "../support/homeDriver";
import { eventCallbackBody, messageEvent } from "../support/slackRequests";

interface EvilHit {
  url: string;
  authorization: string | undefined;
}

let h: Harness;
let evil: Server;
let evilOrigin: string;
const evilHits: EvilHit[] = [];

beforeAll(async () => {
  evil = createServer((req: IncomingMessage, res) => {
    evilHits.push({ url: req.url ?? "", authorization: req.headers.authorization });
    if (req.url?.endsWith(".csv"))
      res.writeHead(200, { "content-type": "text/csv" }).end("Eve,(212) 555-0177\n");
    else res.writeHead(200, { "content-type": "image/png" }).end(PNG_BYTES);
  });
  await new Promise<void>((resolve) => evil.listen(0, "127.0.0.1", resolve));
  evilOrigin = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
  h = await startHarness({ users: HOME_USERS });
});
afterAll(async () => {
  await h.stop();
  await new Promise<void>((resolve) => evil.close(() => resolve()));
});
beforeEach(() => {
  h.slack.reset();
  h.bandwidth.reset();
  evilHits.length = 0;
});

async function openGroup(): Promise<{ group: string[]; thread: ThreadRef }> {
  const group = freshNumbers(2);
  await sendText(h, group[0] ?? "", group, "hello from the group");
  const thread = await threadOf(h, group);
  await waitForPost(h, thread, (p) => p.text === "hello from the group");
  return { group, thread };
}

async function replyWithFiles(thread: ThreadRef, text: string, files: unknown[]): Promise<void> {
  const event = messageEvent({ channel: thread.channel, user: "UDANA", text, threadTs: thread.ts, files });
  expect((await h.slackRequest(eventCallbackBody({ event }))).status).toBe(200);
}

async function textTo(group: string[]): Promise<RecordedMessage> {
  return eventually(() => h.bandwidth.messages.find((m) => m.body.to.some((n) => group.includes(n))));
}

/** The private note the author got in the thread. */
async function ephemeralTo(user: string, thread: ThreadRef): Promise<string> {
  return eventually(() => {
    const call = h.slack
      .callsTo("chat.postEphemeral")
      .find((c) => c.args.user === user && c.args.thread_ts === thread.ts);
    return typeof call?.args.text === "string" ? call.args.text : undefined;
  });
}

const evilAuthorizations = () => evilHits.filter((hit) => hit.authorization !== undefined);

describe("thread reply files", () => {
  test("a file whose URL names another host is skipped, told privately, and never gets the token", async () => {
    const { group, thread } = await openGroup();
    const remote = {
      ...h.slack.registerFile({
        id: "F0REMOTE01",
        name: "remote.png",
        mimetype: "image/png",
        bytes: PNG_BYTES,
      }),
      url_private: `${evilOrigin}/files-pri/T1-F0REMOTE01/remote.png`,
      url_private_download: `${evilOrigin}/files-pri/T1-F0REMOTE01/download/remote.png`,
    };
    await replyWithFiles(thread, "see attached", [remote]);
    const sent = await textTo(group);
    expect(sent.body.text).toBe("see attached");
    expect(evilAuthorizations()).toEqual([]);
    expect(sent.body.media ?? []).toEqual([]);
    const note = await ephemeralTo("UDANA", thread);
    expect(note).toContain("remote.png");
    expect(note).toContain("does not point to Slack's file servers");
  });

  test("a Slack file link that redirects to another host is not followed", async () => {
    const { group, thread } = await openGroup();
    const file = h.slack.registerFile({
      id: "F0REDIR001",
      name: "redirected.png",
      mimetype: "image/png",
      bytes: PNG_BYTES,
      redirectTo: `${evilOrigin}/steal/redirected.png`,
    });
    await replyWithFiles(thread, "photo", [file]);
    const sent = await textTo(group);
    expect(evilHits).toEqual([]);
    expect(sent.body.media ?? []).toEqual([]);
    expect(await ephemeralTo("UDANA", thread)).toContain(
      "redirected.png: Slack's link sent the app on to another site",
    );
    expect(h.bandwidth.requests.filter((r) => r.method === "PUT").map((r) => r.path)).toEqual([]);
  });

  test("a reply whose only file is refused at download sends nothing", async () => {
    const { group, thread } = await openGroup();
    const file = h.slack.registerFile({
      id: "F0REDIR002",
      name: "only.png",
      mimetype: "image/png",
      bytes: PNG_BYTES,
      redirectTo: `${evilOrigin}/steal/only.png`,
    });
    await replyWithFiles(thread, "", [file]);
    expect(await ephemeralTo("UDANA", thread)).toContain(
      "only.png: Slack's link sent the app on to another site",
    );
    await eventually(
      async () =>
        (await h.app.db.message.findFirst({
          where: { conversationId: thread.conversationId, kind: "OUTBOUND", sendState: "BLOCKED" },
        })) ?? undefined,
    );
    expect(h.bandwidth.messages.filter((m) => m.body.to.some((n) => group.includes(n)))).toEqual([]);
    expect(evilHits).toEqual([]);
  });

  test("a file declared small but served oversize without a Content-Length stops at the MMS cap", async () => {
    const { group, thread } = await openGroup();
    const huge = Buffer.alloc(8_000_000, 0x42);
    const file = {
      ...h.slack.registerFile({
        id: "F0HUGE0001",
        name: "small.png",
        mimetype: "image/png",
        bytes: huge,
        unannouncedLength: true,
      }),
      size: 100,
    };
    await replyWithFiles(thread, "tiny picture", [file]);
    const sent = await textTo(group);
    expect(sent.body.text).toBe("tiny picture");
    expect(h.bandwidth.requests.filter((r) => r.method === "PUT").map((r) => r.path)).toEqual([]);
    expect(sent.body.media ?? []).toEqual([]);
    expect(await ephemeralTo("UDANA", thread)).toContain("small.png: it is larger than 3.5 MB");
  });
});

describe("contacts CSV import", () => {
  test("a file whose download link names another host is refused inline without the token", async () => {
    const file = h.slack.registerFile({
      id: "FCSVEVIL1",
      name: "contacts.csv",
      mimetype: "text/csv",
      bytes: "Eve,(212) 555-0177\n",
    });
    h.slack.handle("files.info", () => ({
      file: {
        ...file,
        url_private: `${evilOrigin}/files-pri/contacts.csv`,
        url_private_download: `${evilOrigin}/files-pri/download/contacts.csv`,
      },
    }));
    const home = await openHome(h, ADMIN);
    const tab = await nextHome(h, ADMIN, () =>
      homeAction(h, ADMIN, { action_id: "home_nav_contacts", value: "contacts" }, { view: home }),
    );
    const modal = await nextModal(h, () =>
      homeAction(h, ADMIN, { action_id: "home_contact_import", value: "import" }, { view: tab }),
    );
    const viewId = "VIMPORTEVIL1";
    await submit(h, ADMIN, modal, { import_file: { type: "file_input", files: [file] } }, viewId);
    const calls = await h.slack.waitFor((all) =>
      all.some((c) => c.method === "views.update" && c.args.view_id === viewId),
    );
    const summary = calls.find((c) => c.method === "views.update" && c.args.view_id === viewId)?.args
      .view as SlackView;
    expect(viewText(summary)).toContain("does not point to Slack's file servers");
    expect(evilAuthorizations()).toEqual([]);
    expect(await h.app.db.contact.findUnique({ where: { number: "+12125550177" } })).toBeNull();
  });
});
