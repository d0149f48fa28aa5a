// How a text in doubt is matched with Bandwidth's evidence: List Messages rows from the line to the
// first recipient, for the same number of recipients, that no other text of the app has claimed;
// and the bounded wait, which never sends anything.
import type { ListedText, ListedTextsQuery } from "../../../src/bandwidth/client";
import { createDb, type Db } from "../../../src/db/client";
import { createLogger } from "../../../src/logger";
import { parseSendTag, SendEvidence, sendTag } from "../../../src/services/sendEvidence";
import { createTestDatabase } from "../../support/testDatabase";

const LINE = "+19195550100";
let db: Db;
let conversationId: string;

beforeAll(async () => {
  db = createDb(await createTestDatabase());
  const line = await db.line.create({ data: { number: LINE, name: "Sales" } });
  conversationId = (await db.groupConversation.create({ data: { lineId: line.id } })).id;
});
afterAll(async () => {
  await db.$disconnect();
});

function evidence(listed: ListedText[] | Error, confirmWaitMs = 600) {
  const queries: ListedTextsQuery[] = [];
  const finder = new SendEvidence({
    db,
    logger: createLogger("silent"),
    confirmWaitMs,
    bandwidth: {
      async listSent(query) {
        queries.push(query);
        if (listed instanceof Error) throw listed;
        return listed;
      },
    },
  });
  return { finder, queries };
}

const row = (messageId: string, destination: string, recipientCount: number | null, at = new Date()) => ({
  messageId,
  destination,
  recipientCount,
  receivedAt: at,
});

test("tags name the text and the attempt; old tags without an attempt still parse", () => {
  const id = "0b6f3c1e-4d2a-4c3b-9a8e-1f2d3c4b5a69";
  expect(parseSendTag(sendTag("m", id, 3))).toEqual({ kind: "m", id, attempt: 3 });
  expect(parseSendTag(`gs:${id}`)).toEqual({ kind: "gs", id, attempt: null });
  expect(parseSendTag("someone else's tag")).toBeNull();
});

test("the earliest unclaimed text to the first recipient, for as many recipients, is the evidence", async () => {
  await db.message.create({
    data: { conversationId, kind: "OUTBOUND", bandwidthMessageId: "claimed-1", sendState: "SENT" },
  });
  const started = new Date();
  const { finder, queries } = evidence([
    row("claimed-1", "+15550000001", 2, new Date(started.getTime() + 1)),
    row("other-group", "+15550000001", 3, new Date(started.getTime() + 2)),
    row("ours", "+15550000001", 2, new Date(started.getTime() + 3)),
    row("later", "+15550000001", 2, new Date(started.getTime() + 4)),
  ]);
  expect(await finder.find(LINE, ["+15550000002", "+15550000001"], started)).toBe("ours");
  expect(queries[0]).toMatchObject({ from: LINE, to: "+15550000001" });
  expect(queries[0]?.since.getTime()).toBeLessThan(started.getTime());
});

test("nothing listed: no evidence", async () => {
  const { finder } = evidence([]);
  expect(await finder.find(LINE, ["+15550000001"], new Date())).toBeNull();
});

test("the bounded wait ends 'not-found' when Bandwidth's evidence is unavailable, having sent nothing", async () => {
  const { finder, queries } = evidence(new Error("List Messages answered 503"), 400);
  const began = Date.now();
  const result = await finder.await({
    tag: "m:0b6f3c1e-4d2a-4c3b-9a8e-1f2d3c4b5a69:1",
    line: LINE,
    recipients: ["+15550000001"],
    startedAt: new Date(),
    settled: async () => false,
    found: async () => true,
  });
  expect(result).toBe("not-found");
  expect(Date.now() - began).toBeGreaterThanOrEqual(350);
  expect(queries.length).toBeGreaterThan(1);
});

test("a text resolved meanwhile (a status callback) ends the wait at once", async () => {
  const { finder, queries } = evidence([]);
  const result = await finder.await({
    tag: "m:0b6f3c1e-4d2a-4c3b-9a8e-1f2d3c4b5a69:1",
    line: LINE,
    recipients: ["+15550000001"],
    startedAt: new Date(),
    settled: async () => true,
    found: async () => true,
  });
  expect(result).toBe("settled");
  expect(queries).toHaveLength(0);
});
