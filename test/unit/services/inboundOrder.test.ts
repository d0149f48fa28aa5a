// Order under failure (issue 11): a stored callback that fails holds the later callbacks of its
// conversation until it is taken in, or until it has used its attempts and is set aside; then the
// thread is told, the metric counts it, and the rest go on. Other conversations are not held.
import { createDb, type Db } from "../../../src/db/client";
import { Locks } from "../../../src/db/locks";
import { createLogger } from "../../../src/logger";
import { Metrics } from "../../../src/observability/metrics";
import { createConversation } from "../../../src/services/conversations";
import { EventIntake } from "../../../src/services/eventIntake";
import { dedupeKeyOf, InboundService, type StoredEvent } from "../../../src/services/inbound";
import type { TakeOptions } from "../../../src/services/inboundBatch";
import { INBOUND_EVENTS_CHANNEL, InboundProcessor } from "../../../src/services/inboundProcessor";
import { inboundMessageCallback, statusCallback } from "../../support/bandwidthSpec";
import { createTestDatabase } from "../../support/testDatabase";

const LINE = "+19195550100";
let databaseUrl: string;
let db: Db;
let intake: EventIntake;
let locks: Locks;
let lineId: string;

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  db = createDb(databaseUrl);
  intake = new EventIntake(databaseUrl, INBOUND_EVENTS_CHANNEL);
  locks = new Locks(databaseUrl);
  lineId = (await db.line.create({ data: { number: LINE, name: "Sales", groupEnabled: true } })).id;
});
afterAll(async () => {
  await intake.close();
  await locks.close();
  await db.$disconnect();
});

/** The real InboundService, except that one callback fails (a database hiccup) `failures` times. */
class FaultyInbound extends InboundService {
  readonly calls: string[] = [];
  private failed = 0;

  constructor(
    private readonly failingKey: string,
    private readonly failures: number,
  ) {
    super({
      db,
      logger: createLogger("silent"),
      requestThreadSync: async () => {},
      locks,
      postTaken: (batch) => batch.session.end(),
      requestOutbound: async () => {},
    });
  }

  /** The hiccup fails the statement that takes a batch's plain texts together, as it would in PostgreSQL. */
  override async takeChatTexts(events: readonly StoredEvent[], options?: TakeOptions) {
    if (this.failed < this.failures && events.some((e) => e.dedupeKey === this.failingKey)) {
      throw new Error("connection terminated unexpectedly");
    }
    return super.takeChatTexts(events, options);
  }

  override async processEvent(event: StoredEvent) {
    if (event.dedupeKey === this.failingKey && this.failed < this.failures) {
      this.failed++;
      this.calls.push(`${event.dedupeKey}:failed`);
      throw new Error("connection terminated unexpectedly");
    }
    this.calls.push(event.dedupeKey);
    return super.processEvent(event);
  }
}

async function store(from: string, others: string[], text: string): Promise<string> {
  const callback = inboundMessageCallback({ line: LINE, from, to: [LINE, ...others], text });
  const dedupeKey = dedupeKeyOf(callback);
  await intake.store([{ dedupeKey, type: callback.type, payload: callback }]);
  return dedupeKey;
}

async function waitFor(what: string, done: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function processorFor(inbound: InboundService, maxAttempts: number, pollMs = 50) {
  const metrics = new Metrics();
  const synced: string[] = [];
  const processor = new InboundProcessor({
    db,
    databaseUrl,
    inbound,
    logger: createLogger("silent"),
    pollMs,
    countProcessed: (path, count = 1) => metrics.inboundProcessed.inc({ path }, count),
    requestThreadSync: async (id) => {
      synced.push(id);
    },
    countSetAside: (reason) => metrics.inboundSetAside.inc({ reason }),
    retry: { maxAttempts, firstDelayMs: 40 },
  });
  return { processor, metrics, synced };
}

async function textsOf(from: string): Promise<string[]> {
  const rows = await db.message.findMany({
    where: { kind: "INBOUND", senderNumber: from },
    orderBy: { seq: "asc" },
    select: { text: true },
  });
  return rows.map((r) => r.text);
}

test("a failing text holds its group's later texts until it is taken in; other groups go on", async () => {
  const [a, b, c] = ["+14155550101", "+14155550102", "+14155550103"];
  const first = await store(a, [b, c], "one");
  const second = await store(b, [a, c], "two");
  const third = await store(c, [a, b], "three");
  const elsewhere = await store("+14155550109", [], "another group");
  const inbound = new FaultyInbound(first, 3);
  const { processor } = processorFor(inbound, 12);
  processor.start();
  try {
    await waitFor(
      "the three texts",
      async () =>
        (await db.message.count({ where: { kind: "INBOUND", text: { in: ["one", "two", "three"] } } })) === 3,
    );
  } finally {
    await processor.stop();
  }
  // Nothing of the group was tried while its first text was failing.
  expect(inbound.calls.filter((k) => k !== elsewhere)).toEqual([
    `${first}:failed`,
    `${first}:failed`,
    `${first}:failed`,
    first,
    second,
    third,
  ]);
  // The other group was not held: it was taken in before the failing text was.
  expect(inbound.calls.indexOf(elsewhere)).toBeLessThan(inbound.calls.indexOf(first));
  const entries = await db.message.findMany({
    where: { kind: "INBOUND", text: { in: ["one", "two", "three"] } },
    orderBy: { seq: "asc" },
    select: { text: true, conversationId: true },
  });
  expect(entries.map((e) => e.text)).toEqual(["one", "two", "three"]);
  expect(new Set(entries.map((e) => e.conversationId)).size).toBe(1);
  expect(await db.inboundEvent.count({ where: { state: "RECEIVED" } })).toBe(0);
});

test("a text that fails every attempt is set aside with a notice in its thread and a metric; the rest go on", async () => {
  const [a, b, c] = ["+14155550201", "+14155550202", "+14155550203"];
  const conversation = await db.$transaction((tx) =>
    createConversation(tx, { lineId, numbers: [a, b, c], channelId: "C0SALES", name: null, startedBy: null }),
  );
  const first = await store(a, [b, c], "lost");
  const second = await store(b, [a, c], "after one");
  const third = await store(c, [a, b], "after two");
  const inbound = new FaultyInbound(first, Number.POSITIVE_INFINITY);
  const { processor, metrics, synced } = processorFor(inbound, 4);
  processor.start();
  try {
    await waitFor("the later texts", async () => (await textsOf(c)).length === 1);
  } finally {
    await processor.stop();
  }
  expect(inbound.calls).toEqual([
    `${first}:failed`,
    `${first}:failed`,
    `${first}:failed`,
    `${first}:failed`,
    second,
    third,
  ]);
  const event = await db.inboundEvent.findUniqueOrThrow({ where: { dedupeKey: first } });
  expect(event).toMatchObject({ state: "SKIPPED", attempts: 4 });
  expect(event.outcome).toContain("connection terminated unexpectedly");

  // The thread reads: the notice where the lost text would have been, then the texts after it.
  const thread = await db.message.findMany({
    where: { conversationId: conversation.id },
    orderBy: { seq: "asc" },
    select: { kind: true, text: true, postState: true },
  });
  expect(thread.map((m) => m.kind)).toEqual(["NOTICE", "INBOUND", "INBOUND"]);
  expect(thread[0]).toMatchObject({ postState: "PENDING" });
  expect(thread[0]?.text).toContain("A text from (415) 555-0201 could not be shown here");
  expect(thread.slice(1).map((m) => m.text)).toEqual(["after one", "after two"]);
  expect(synced).toContain(conversation.id);

  const counted = await metrics.registry.getSingleMetricAsString("replyall_inbound_set_aside_total");
  expect(counted).toContain('replyall_inbound_set_aside_total{reason="failed"} 1');
});

test("a delivery report that fails every attempt is noted in the thread of the text it reports on; its later reports go on", async () => {
  const conversation = await db.$transaction((tx) =>
    createConversation(tx, {
      lineId,
      numbers: ["+14155550401", "+14155550402"],
      channelId: "C0SALES",
      name: null,
      startedBy: null,
    }),
  );
  const bandwidthMessageId = "sent-1";
  await db.message.create({
    data: { conversationId: conversation.id, kind: "OUTBOUND", bandwidthMessageId, sendState: "SENT" },
  });
  const reports = ["+14155550401", "+14155550402"].map((recipient) =>
    statusCallback({
      type: "message-sent",
      messageId: bandwidthMessageId,
      line: LINE,
      recipient,
      allRecipients: ["+14155550401", "+14155550402"],
    }),
  );
  const keys = reports.map(dedupeKeyOf);
  await intake.store(reports.map((r, i) => ({ dedupeKey: keys[i] ?? "", type: r.type, payload: r })));
  const inbound = new FaultyInbound(keys[0] ?? "", Number.POSITIVE_INFINITY);
  const { processor, metrics, synced } = processorFor(inbound, 3);
  processor.start();
  try {
    await waitFor("the second report", async () => inbound.calls.includes(keys[1] ?? ""));
  } finally {
    await processor.stop();
  }
  expect(inbound.calls).toEqual([`${keys[0]}:failed`, `${keys[0]}:failed`, `${keys[0]}:failed`, keys[1]]);
  const notices = await db.message.findMany({ where: { conversationId: conversation.id, kind: "NOTICE" } });
  expect(notices).toHaveLength(1);
  expect(notices[0]?.text).toContain("A delivery report from Bandwidth (message-sent) could not be taken in");
  expect(synced).toContain(conversation.id);
  expect(await metrics.registry.getSingleMetricAsString("replyall_inbound_set_aside_total")).toContain(
    'replyall_inbound_set_aside_total{reason="failed"} 1',
  );
});

test("texts the intake hands over are taken in without being read back, but never ahead of an earlier text of their group waiting for a retry", async () => {
  const [a, b] = ["+14155550501", "+14155550502"];
  await db.$transaction((tx) =>
    createConversation(tx, { lineId, numbers: [a, b], channelId: "C0SALES", name: null, startedBy: null }),
  );
  const handedOver = async (metrics: Metrics) =>
    (await metrics.registry.getSingleMetricAsString("replyall_inbound_callbacks_processed_total"))
      .split("\n")
      .filter((line) => line.startsWith("replyall_inbound_callbacks_processed_total{"));

  // Not started: nothing polls, so whatever is taken in was handed over by the intake.
  const plain = processorFor(new FaultyInbound("none", 0), 12, 60_000);
  intake.onStored((events) => plain.processor.offer(events));
  try {
    await store(a, [b], "one");
    await store(b, [a], "two");
    await waitFor("the handed-over texts", async () => (await textsOf(b)).length === 1);
  } finally {
    await plain.processor.stop();
  }
  expect(await textsOf(a)).toEqual(["one"]);
  expect(await handedOver(plain.metrics)).toEqual([
    'replyall_inbound_callbacks_processed_total{path="handed-over"} 2',
  ]);

  const held = inboundMessageCallback({ line: LINE, from: a, to: [LINE, b], text: "three" });
  const heldKey = dedupeKeyOf(held);
  const inbound = new FaultyInbound(heldKey, 2);
  const retrying = processorFor(inbound, 12, 60_000);
  intake.onStored((events) => retrying.processor.offer(events));
  try {
    await intake.store([{ dedupeKey: heldKey, type: held.type, payload: held }]);
    await waitFor("the first failure", async () => inbound.calls.length === 1);
    const after = await store(b, [a], "four");
    await waitFor("both texts", async () => {
      // The retry is due after a moment; a poll would look then, this test looks for it.
      retrying.processor.wake();
      return (await textsOf(b)).length === 2;
    });
    // Once the hiccup is over, the read takes both texts in together, in order.
    expect(inbound.calls).toEqual([`${heldKey}:failed`, `${heldKey}:failed`]);
    expect((await db.inboundEvent.findUniqueOrThrow({ where: { dedupeKey: after } })).state).toBe(
      "PROCESSED",
    );
  } finally {
    intake.onStored(() => undefined);
    await retrying.processor.stop();
  }
  const entries = await db.message.findMany({
    where: { kind: "INBOUND", senderNumber: { in: [a, b] } },
    orderBy: { seq: "asc" },
    select: { text: true },
  });
  expect(entries.map((e) => e.text)).toEqual(["one", "two", "three", "four"]);
  // "four" came after "three" was stored and waited behind it: nothing was taken as handed over.
  expect((await handedOver(retrying.metrics)).filter((line) => line.includes("handed-over"))).toEqual([]);
});
