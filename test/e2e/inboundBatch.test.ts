// Issue 11, "Batch where the work allows it": contacts' plain texts into open conversations are
// taken in together, by one statement per batch; everything else of a lane follows one by one,
// never before an earlier event of its lane.
import { Locks } from "../../src/db/locks";
import { eventually, type Harness, startHarness } from "../support/harness";
import { freshNumbers, groupText, postsIn, sendText, threadOf, waitForPosts } from "./relayHelpers";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

async function processed(): Promise<{ together: number; oneByOne: number; relayed: number }> {
  const body = await (await fetch(`${h.app.url}/metrics`)).text();
  const relayed = Number(
    /^replyall_messages_relayed_total\{direction="inbound"\} (\S+)$/m.exec(body)?.[1] ?? 0,
  );
  const value = (path: string) =>
    Number(
      new RegExp(`^replyall_inbound_callbacks_processed_total\\{path="${path}"\\} (\\S+)$`, "m").exec(
        body,
      )?.[1] ?? 0,
    );
  // Handed over by the intake or read back, both are taken in together by one statement.
  return { together: value("together") + value("handed-over"), oneByOne: value("one-by-one"), relayed };
}

/** The conversation's entries from the contacts, in the order the app took them in. */
async function inboundTexts(conversationId: string): Promise<string[]> {
  const rows = await h.app.db.message.findMany({
    where: { conversationId, kind: "INBOUND" },
    orderBy: { seq: "asc" },
    select: { text: true },
  });
  return rows.map((r) => r.text);
}

test("one webhook of mixed callbacks: plain texts go together, keywords, new and closed groups one by one, each lane in order", async () => {
  const [a, b, c, d, e, f, g, k] = freshNumbers(8) as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const lively = [a, b, c];
  const pair = [d, e];
  const closed = [f, g];
  const fresh = [k, a];
  await sendText(h, a, lively, "first");
  await sendText(h, d, pair, "primero");
  await sendText(h, f, closed, "before closing");
  const [livelyThread, pairThread, closedThread] = [
    await threadOf(h, lively),
    await threadOf(h, pair),
    await threadOf(h, closed),
  ];
  await waitForPosts(h, livelyThread, 1);
  await h.app.db.groupConversation.update({
    where: { id: closedThread.conversationId },
    data: { closedAt: new Date() },
  });
  const before = await processed();
  const tres = groupText(d, pair, "tres");

  const response = await h.webhook("inbound", [
    groupText(a, lively, "one"),
    groupText(d, pair, "uno"),
    groupText(b, lively, "two"),
    groupText(f, closed, "reopen please"),
    groupText(b, lively, "STOP"),
    groupText(k, fresh, "hello new"),
    groupText(c, lively, "three"),
    groupText(e, pair, "dos"),
    groupText(a, fresh, "second new"),
    groupText(g, closed, "after reopening"),
    tres,
  ]);
  expect(response.status).toBe(200);
  expect(response.json).toMatchObject({ stored: 11 });

  const freshThread = await threadOf(h, fresh);
  await waitForPosts(h, pairThread, 4);
  await waitForPosts(h, freshThread, 2);
  await eventually(async () =>
    (await inboundTexts(livelyThread.conversationId)).length === 5 ? true : undefined,
  );
  await eventually(async () =>
    (await inboundTexts(closedThread.conversationId)).length === 3 ? true : undefined,
  );

  expect(await inboundTexts(livelyThread.conversationId)).toEqual(["first", "one", "two", "STOP", "three"]);
  expect(await inboundTexts(pairThread.conversationId)).toEqual(["primero", "uno", "dos", "tres"]);
  expect(await inboundTexts(closedThread.conversationId)).toEqual([
    "before closing",
    "reopen please",
    "after reopening",
  ]);
  expect(await inboundTexts(freshThread.conversationId)).toEqual(["hello new", "second new"]);
  const reopened = await h.app.db.groupConversation.findUniqueOrThrow({
    where: { id: closedThread.conversationId },
  });
  expect(reopened.closedAt).toBeNull();

  // Posted in the same order, once each.
  const pairPosts = await waitForPosts(h, pairThread, 4);
  expect(pairPosts.map((p) => p.text)).toEqual(["primero", "uno", "dos", "tres"]);
  const wanted = ["first", "one", "two", "three"];
  const contactPosts = (all: Parameters<typeof postsIn>[0]) =>
    postsIn(all, livelyThread)
      .map((p) => p.text ?? "")
      .filter((t) => wanted.includes(t));
  const texts = contactPosts(await h.slack.waitFor((all) => contactPosts(all).length >= 4, 15_000));
  expect(texts).toEqual(["first", "one", "two", "three"]);

  // Exactly the plain texts before each lane's first other event went together: "one" and "two"
  // (then STOP cuts the lively group's lane) and the pair's three texts.
  const after = await processed();
  expect(after.together - before.together).toBe(5);
  expect(after.oneByOne - before.oneByOne).toBeGreaterThanOrEqual(6);
  // Every text counts as relayed, whichever path took it in.
  expect(after.relayed - before.relayed).toBe(11);

  // A copy delivered again after retention deleted its stored callback is claimed and adds nothing.
  await h.app.db.inboundEvent.deleteMany({ where: { dedupeKey: { contains: tres.message.id } } });
  const again = await h.webhook("inbound", [tres]);
  expect(again.json).toMatchObject({ stored: 1 });
  await eventually(async () => {
    const event = await h.app.db.inboundEvent.findFirst({
      where: { dedupeKey: { contains: tres.message.id }, state: "PROCESSED" },
    });
    return event ?? undefined;
  });
  expect(await inboundTexts(pairThread.conversationId)).toHaveLength(4);
  expect((await processed()).together - after.together).toBe(1);
});

test("texts posted together wait for a thread another drain holds, and for Slack's pace in a limited channel: each once, in order", async () => {
  const [a, b, c, d] = freshNumbers(4) as [string, string, string, string];
  const held = [a, b];
  const paced = [c, d];
  await sendText(h, a, held, "opening");
  await sendText(h, c, paced, "abrir");
  const [heldThread, pacedThread] = [await threadOf(h, held), await threadOf(h, paced)];
  await waitForPosts(h, heldThread, 1);
  await waitForPosts(h, pacedThread, 1);

  // Another instance's drain holds the thread: the batch leaves it to a drain that waits its turn.
  const locks = new Locks(h.databaseUrl, 1);
  let release = () => {};
  let taken = () => {};
  const locked = new Promise<void>((r) => (taken = r));
  const holding = locks.withLock(
    `thread:${heldThread.conversationId}`,
    () =>
      new Promise<void>((r) => {
        release = r;
        taken();
      }),
  );
  await locked;
  h.slack.rateLimitPerChannel(1);
  try {
    const response = await h.webhook("inbound", [
      groupText(b, held, "while held 1"),
      groupText(c, paced, "paced 1"),
      groupText(a, held, "while held 2"),
      groupText(d, paced, "paced 2"),
      groupText(c, paced, "paced 3"),
    ]);
    expect(response.status).toBe(200);
    await new Promise((r) => setTimeout(r, 700));
    expect(postsIn(h.slack.calls, heldThread).map((p) => p.text)).toEqual(["opening"]);
    release();
    await holding;
    const heldPosts = await waitForPosts(h, heldThread, 3);
    expect(heldPosts.map((p) => p.text)).toEqual(["opening", "while held 1", "while held 2"]);
    const pacedPosts = await waitForPosts(h, pacedThread, 4, 20_000);
    expect(pacedPosts.map((p) => p.text)).toEqual(["abrir", "paced 1", "paced 2", "paced 3"]);
  } finally {
    release();
    h.slack.rateLimitPerChannel(null);
    await locks.close();
  }
  // Each marked posted once its post is made.
  await eventually(async () => {
    const waiting = await h.app.db.message.count({
      where: {
        conversationId: { in: [heldThread.conversationId, pacedThread.conversationId] },
        postState: { not: "POSTED" },
      },
    });
    return waiting === 0 ? true : undefined;
  });
});

test("a keyword an admin added a moment ago is honoured at once, though the batch knew the lists from before", async () => {
  const [a, b] = freshNumbers(2) as [string, string];
  const group = [a, b];
  await sendText(h, a, group, "hello");
  const thread = await threadOf(h, group);
  await sendText(h, b, group, "warm the batch's lists");
  await waitForPosts(h, thread, 2);
  await h.app.db.settings.upsert({
    where: { id: 1 },
    create: { id: 1, optOutKeywords: ["UNSUBSCRIBEME"] },
    update: { optOutKeywords: ["UNSUBSCRIBEME"] },
  });
  await sendText(h, b, group, "unsubscribeme");
  const consent = await eventually(async () => {
    const row = await h.app.db.consent.findFirst({ where: { number: b } });
    return row?.status === "OPTED_OUT" ? row : undefined;
  });
  expect(consent.status).toBe("OPTED_OUT");
  await h.app.db.settings.update({ where: { id: 1 }, data: { optOutKeywords: [] } });
});
