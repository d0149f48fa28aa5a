// Issue 12: services speak in the domain's words. A thread notice is stored as what happened (the
// Message's `notice` column) with a plain-text line, and the Slack edge renders it when it is
// posted, in the words people saw before; rows stored as markup before that keep being posted as is.
import { formatPhone } from "../../src/domain/phone";
import { useHarness } from "../support/harness";
import { nameContact, openGroup, replyFailsFor, sendText, waitForPost } from "./relayHelpers";

const h = useHarness();

test("a delivery failure is stored as a notice and posted in the words the thread showed before", async () => {
  const { group, thread } = await openGroup(h, 2);
  const [, ben] = group as [string, string];
  // Outside text with markup in it: it must reach Slack escaped, and the stored row as it is.
  await nameContact(h, ben, "Ben <@U0BOSS>");
  const event = await replyFailsFor(h, group, thread, ben, "Carrier rejected & <dropped>");

  const posted = await waitForPost(h, thread, (p) => /Not delivered/.test(p.text ?? ""));
  const link = `<https://slack.com/archives/${thread.channel}/p${event.ts.replace(".", "")}|this message>`;
  expect(posted.text).toBe(
    `:warning: Not delivered to Ben &lt;@U0BOSS&gt; (${formatPhone(ben)}): ${link} failed with “Carrier rejected &amp; &lt;dropped&gt;” (error 4720).`,
  );
  const row = await h.app.db.message.findFirstOrThrow({
    where: {
      conversationId: thread.conversationId,
      kind: "NOTICE",
      notice: { path: ["kind"], equals: "not-delivered" },
    },
  });
  expect(row.notice).toEqual({
    kind: "not-delivered",
    contact: { name: "Ben <@U0BOSS>", number: ben },
    description: "Carrier rejected & <dropped>",
    errorCode: 4720,
    entry: { channel: thread.channel, ts: event.ts },
  });
  // Plain text for anyone reading the table: the same words, without Slack markup of the app's own.
  expect(row.text).toBe(
    `Not delivered to Ben <@U0BOSS> (${formatPhone(ben)}): this message failed with “Carrier rejected & <dropped>” (error 4720).`,
  );
});

test("a notice stored as markup before notices were structured is posted as it was stored", async () => {
  const { group, thread } = await openGroup(h, 2);
  const markup = ":warning: Stored before: <@UDANA> said *hello* &amp; left.";
  await h.app.db.message.create({
    data: { conversationId: thread.conversationId, kind: "NOTICE", text: markup, postState: "PENDING" },
  });
  // The next text from the group syncs the thread, which posts what is pending in order.
  await sendText(h, group[1] ?? "", group, "anyone there?");
  const posted = await waitForPost(h, thread, (p) => p.text === markup);
  expect(posted.thread_ts).toBe(thread.ts);
  await waitForPost(h, thread, (p) => p.text === "anyone there?");
});
