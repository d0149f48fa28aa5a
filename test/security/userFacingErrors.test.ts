import { startGroup } from "../support/flows";
import { eventually, type Harness, SALES_LINE, startHarness } from "../support/harness";
import {
  eventCallbackBody,
  messageEvent,
  slashCommandBody,
  viewSubmissionBody,
} from "../support/slackRequests";

/*
 * Issue 9, finding 10: errors shown to Slack users leaked internals ("Error: Slack file download
 * failed with 404", "Bandwidth answered 400: <Bandwidth's description>"). What a user reads must
 * be plain words; the details go to the log.
 */

const INTERNAL = "INTERNAL-DETAIL-7731";
const LEAKS = [INTERNAL, "Error:", "answered 4", "failed with", "400", "404", "503"];
/** What a failed download used to show: "Error: Slack file download failed with 404". */
const DOWNLOAD_LEAKS = ["Error:", "failed with", "download failed"];

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});
beforeEach(() => {
  h.slack.reset();
  h.bandwidth.reset();
});

/**
 * Everything the app showed users since the last reset (posts, ephemerals, DMs, views): the words
 * they read, i.e. every text field, not ids or timestamps (a ts such as "1796084003.000400" holds
 * "400" without showing anything).
 */
function shownToUsers(): string {
  const words: string[] = [];
  const walk = (value: unknown, key: string | null) => {
    if (typeof value === "string") {
      if (key !== null && READ_BY_USERS.has(key)) words.push(value);
    } else if (Array.isArray(value)) {
      for (const item of value) walk(item, key);
    } else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) walk(v, k);
    }
  };
  for (const call of h.slack.calls.filter((c) => /^(chat\.|views\.)/.test(c.method))) walk(call.args, null);
  return words.join("\n");
}

/** The fields of a message or a view that a person reads. */
const READ_BY_USERS = new Set(["text", "alt_text", "title", "placeholder", "initial_value", "errors"]);

function expectPlainWords(shown: string, leaks = LEAKS) {
  for (const leak of leaks) expect({ leak, shown: shown.includes(leak) }).toEqual({ leak, shown: false });
}

test("a reply Bandwidth refuses is reported in plain words, without Bandwidth's status or description", async () => {
  const conversation = await startGroup(h, { numbers: ["+17735550901", "+17735550902"] });
  h.slack.reset();
  h.bandwidth.failNext(1, { status: 400, description: `Something is wrong with 'to' ${INTERNAL}` });
  await h.slackRequest(
    eventCallbackBody({
      event: messageEvent({
        channel: conversation.channelId ?? "",
        user: "UDANA",
        text: "Refused reply",
        threadTs: conversation.threadTs ?? "",
      }),
    }),
  );
  await eventually(
    () => h.slack.callsTo("chat.postMessage").find((c) => String(c.args.text).includes("was not texted")),
    15_000,
  );
  expect(shownToUsers()).toContain("Bandwidth refused it");
  expectPlainWords(shownToUsers());
  const stored = await h.app.db.message.findFirstOrThrow({ where: { text: "Refused reply" } });
  expect(stored.sendState).toBe("FAILED");
});

test("a group start Bandwidth refuses is explained in plain words", async () => {
  const line = await h.app.db.line.findUniqueOrThrow({ where: { number: SALES_LINE } });
  h.bandwidth.failNext(1, { status: 400, description: `'to' contains an unreachable number ${INTERNAL}` });
  // The modal is opened the way a user opens it, so its metadata is whatever the app put there.
  await h.slackRequest(slashCommandBody({ command: "/grouptext", userId: "UDANA", channelId: "CGENERAL" }));
  const [opened] = await h.slack.waitForCalls("views.open", 1);
  const modal = opened?.args.view as { private_metadata?: string } | undefined;
  const response = await h.slackRequest(
    viewSubmissionBody({
      userId: "UDANA",
      view: {
        callback_id: "group_start",
        private_metadata: modal?.private_metadata ?? "",
        state: {
          values: {
            line: { line_value: { type: "static_select", selected_option: { value: line.id } } },
            numbers: { numbers_value: { type: "plain_text_input", value: "+17735550911" } },
            name: { name_value: { type: "plain_text_input", value: null } },
            message: { message_value: { type: "plain_text_input", value: "Refused start" } },
          },
        },
        blocks: ["line", "numbers", "name", "message"].map((block_id) => ({ block_id })),
      },
    }),
  );
  expect(response.text).toBe("");
  const [ephemeral] = await h.slack.waitForCalls("chat.postEphemeral", 1);
  expect(String(ephemeral?.args.text)).toContain("was not sent");
  expectPlainWords(shownToUsers());
});

test("a file Slack will not hand over is reported without the download error", async () => {
  const conversation = await startGroup(h, { numbers: ["+17735550921", "+17735550922"] });
  h.slack.reset();
  const real = h.slack.registerFile({
    id: "F0REAL0001",
    name: "flyer.png",
    mimetype: "image/png",
    bytes: Buffer.from("not really a png"),
  });
  // The same file as Slack would describe it after it was deleted: its links answer 404.
  const gone = {
    ...real,
    id: "F0GONE0001",
    url_private: real.url_private.replace("F0REAL0001", "F0GONE0001"),
    url_private_download: real.url_private_download.replace("F0REAL0001", "F0GONE0001"),
  };
  await h.slackRequest(
    eventCallbackBody({
      event: messageEvent({
        channel: conversation.channelId ?? "",
        user: "UDANA",
        text: "see attached",
        threadTs: conversation.threadTs ?? "",
        files: [gone],
      }),
    }),
  );
  await eventually(async () => {
    const message = await h.app.db.message.findFirst({ where: { text: "see attached" } });
    return message && ["SENT", "FAILED", "BLOCKED"].includes(message.sendState) ? message : undefined;
  }, 40_000);
  // Whatever became of it, users were told something, in plain words.
  await eventually(
    () => h.slack.calls.find((c) => /^chat\.post/.test(c.method) && c.args.thread_ts !== undefined),
    15_000,
  );
  expectPlainWords(shownToUsers(), DOWNLOAD_LEAKS);
}, 60_000);
