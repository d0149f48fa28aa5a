// Retention (issue 11): taken-in callbacks older than the horizon are deleted in small batches, by
// one instance at a time; newer ones and ones still waiting are kept, and a duplicate of a recent
// callback is still refused after a prune.
import { createDb, type Db } from "../../../src/db/client";
import { Locks } from "../../../src/db/locks";
import { pruneInboundEvents, RETENTION_LOCK } from "../../../src/jobs/retention";
import { createLogger } from "../../../src/logger";
import { EventIntake } from "../../../src/services/eventIntake";
import { dedupeKeyOf, InboundService } from "../../../src/services/inbound";
import { INBOUND_EVENTS_CHANNEL } from "../../../src/services/inboundProcessor";
import { inboundMessageCallback } from "../../support/bandwidthSpec";
import { createTestDatabase } from "../../support/testDatabase";

const HOURS = 72;
let db: Db;
let locks: Locks;
let intake: EventIntake;

beforeAll(async () => {
  const url = await createTestDatabase();
  db = createDb(url);
  locks = new Locks(url);
  intake = new EventIntake(url, INBOUND_EVENTS_CHANNEL);
});
afterAll(async () => {
  await intake.close();
  await locks.close();
  await db.$disconnect();
});

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);

async function stored(
  key: string,
  state: "RECEIVED" | "PROCESSED" | "SKIPPED",
  receivedAt: Date,
): Promise<{ dedupeKey: string; type: string; payload: object }> {
  const event = { dedupeKey: key, type: "message-received", payload: { type: "message-received", id: key } };
  expect(await intake.store([event])).toMatchObject({ stored: 1 });
  await db.inboundEvent.update({ where: { dedupeKey: key }, data: { state, receivedAt } });
  return event;
}

const prune = (options: { batchSize?: number } = {}) =>
  pruneInboundEvents({ db, locks, logger: createLogger("silent") }, { hours: HOURS, pauseMs: 1, ...options });

test("old taken-in and set-aside callbacks are deleted in batches; recent and waiting ones are kept", async () => {
  for (let i = 0; i < 7; i++) await stored(`old-processed-${i}`, "PROCESSED", hoursAgo(HOURS + 1 + i));
  await stored("old-skipped", "SKIPPED", hoursAgo(HOURS + 5));
  await stored("old-waiting", "RECEIVED", hoursAgo(HOURS + 5));
  const recent = await stored("recent-processed", "PROCESSED", hoursAgo(HOURS - 1));
  await stored("recent-waiting", "RECEIVED", hoursAgo(1));

  // 8 rows past the horizon, 3 per statement: 3 batches (3 + 3 + 2).
  expect(await prune({ batchSize: 3 })).toEqual({ deleted: 8, batches: 3 });
  const left = await db.inboundEvent.findMany({ select: { dedupeKey: true }, orderBy: { dedupeKey: "asc" } });
  expect(left.map((e) => e.dedupeKey)).toEqual(["old-waiting", "recent-processed", "recent-waiting"]);

  // A callback Bandwidth delivers again within its retries still finds its key taken.
  expect(await intake.store([recent])).toEqual({ stored: 0, duplicate: 1, invalid: 0 });
  expect(await prune()).toEqual({ deleted: 0, batches: 1 });
});

test("while another instance prunes, this one skips its turn", async () => {
  await stored("old-while-locked", "PROCESSED", hoursAgo(HOURS + 2));
  const skipped = await locks.withLock(RETENTION_LOCK, () => prune());
  expect(skipped).toBeNull();
  expect(await db.inboundEvent.count({ where: { dedupeKey: "old-while-locked" } })).toBe(1);
  expect(await prune()).toEqual({ deleted: 1, batches: 1 });
});

test("a copy of a text that comes after its callback was deleted is not a second entry", async () => {
  const line = "+19195550100";
  await db.line.create({ data: { number: line, name: "Sales", groupEnabled: true } });
  const inbound = new InboundService({
    db,
    logger: createLogger("silent"),
    requestThreadSync: async () => {},
    locks,
    postTaken: (batch) => batch.session.end(),
    requestOutbound: async () => {},
  });
  const callback = inboundMessageCallback({
    line,
    from: "+14155550301",
    to: [line, "+14155550302"],
    text: "hi",
  });
  const event = { dedupeKey: dedupeKeyOf(callback), type: callback.type, payload: callback };
  await intake.store([event]);
  expect(await inbound.processEvent(event)).toBe("stored");
  await db.inboundEvent.update({
    where: { dedupeKey: event.dedupeKey },
    data: { receivedAt: hoursAgo(HOURS + 1) },
  });
  expect(await prune()).toEqual({ deleted: 1, batches: 1 });

  expect(await intake.store([event])).toMatchObject({ stored: 1 });
  expect(await inbound.processEvent(event)).toBe("duplicate");
  expect(await db.message.count({ where: { bandwidthMessageId: callback.message.id } })).toBe(1);
  expect(await db.inboundEvent.findUniqueOrThrow({ where: { dedupeKey: event.dedupeKey } })).toMatchObject({
    state: "PROCESSED",
  });
});
