// Group commit at the webhook intake (issue 11): requests that wait for a connection are written
// together by one INSERT, each answered with its own counts, in order of arrival.
import { createDb, type Db } from "../../../src/db/client";
import { EventIntake, type IncomingEvent } from "../../../src/services/eventIntake";
import { INBOUND_EVENTS_CHANNEL } from "../../../src/services/inboundProcessor";
import { createTestDatabase } from "../../support/testDatabase";

let databaseUrl: string;
let db: Db;

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  db = createDb(databaseUrl);
});
afterAll(async () => {
  await db.$disconnect();
});

const event = (key: string, text = "hi"): IncomingEvent => ({
  dedupeKey: key,
  type: "message-received",
  payload: { message: { id: key, text } },
});

test("60 requests on one connection: a few INSERTs, every request its own counts, stored in arrival order", async () => {
  const intake = new EventIntake(databaseUrl, INBOUND_EVENTS_CHANNEL, 1);
  try {
    const keys = Array.from({ length: 60 }, (_, i) => `group-${String(i).padStart(2, "0")}`);
    const answers = await Promise.all([
      ...keys.map((key) => intake.store([event(key)])),
      // A retry racing its original in the same group: one of the two stores it.
      intake.store([event("group-07")]),
    ]);
    expect(answers.slice(0, 60).every((a) => a.stored === 1 && a.duplicate === 0)).toBe(true);
    expect(answers[60]).toEqual({ stored: 0, duplicate: 1, invalid: 0 });
    const rows = await db.inboundEvent.findMany({
      where: { dedupeKey: { startsWith: "group-" } },
      orderBy: { seq: "asc" },
      select: { dedupeKey: true, receivedAt: true },
    });
    expect(rows.map((r) => r.dedupeKey)).toEqual(keys);
    // One transaction's rows share its start time: far fewer commits than requests.
    const commits = new Set(rows.map((r) => r.receivedAt.getTime())).size;
    expect(commits).toBeLessThan(10);
  } finally {
    await intake.close();
  }
});

test("a value PostgreSQL refuses fails only its own request's event; the others of its group are stored", async () => {
  const intake = new EventIntake(databaseUrl, INBOUND_EVENTS_CHANNEL, 1);
  try {
    const answers = await Promise.all([
      intake.store([event("refused-a")]),
      intake.store([event("refused-b"), event("refused-bad", "nul \u0000 here")]),
      intake.store([event("refused-c")]),
    ]);
    expect(answers).toEqual([
      { stored: 1, duplicate: 0, invalid: 0 },
      { stored: 1, duplicate: 0, invalid: 1 },
      { stored: 1, duplicate: 0, invalid: 0 },
    ]);
    const stored = await db.inboundEvent.findMany({
      where: { dedupeKey: { startsWith: "refused-" } },
      select: { dedupeKey: true },
    });
    expect(stored.map((r) => r.dedupeKey).sort()).toEqual(["refused-a", "refused-b", "refused-c"]);
  } finally {
    await intake.close();
  }
});
