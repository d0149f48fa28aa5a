import fc from "fast-check";
import { createBandwidthMessaging } from "../../src/bandwidth/client";
import { loadConfig } from "../../src/config";
import { createDb, type Db } from "../../src/db/client";
import { Locks } from "../../src/db/locks";
import { defaultComplianceMessages } from "../../src/domain/compliance";
import type { InboundCallback } from "../../src/domain/messageEvents";
import { createLogger } from "../../src/logger";
import { ConsentAdminService } from "../../src/services/consentAdmin";
import { EventIntake } from "../../src/services/eventIntake";
import { GroupStartService } from "../../src/services/groupStart";
import { dedupeKeyOf, InboundService } from "../../src/services/inbound";
import { INBOUND_EVENTS_CHANNEL } from "../../src/services/inboundProcessor";
import { seedLines } from "../../src/services/lines";
import { OutboundService } from "../../src/services/outbound";
import type { ThreadPublisher } from "../../src/services/ports";
import { SendEvidence } from "../../src/services/sendEvidence";
import { TextSender } from "../../src/services/textSender";
import { inboundMessageCallback } from "../support/bandwidthSpec";
import { type FakeBandwidth, startFakeBandwidth } from "../support/fakeBandwidth";
import { ACCOUNT_ID, APPLICATION_ID, SALES_LINE, SECRETS } from "../support/harness";
import { createTestDatabase } from "../support/testDatabase";

/*
 * The legal rule, as a property: for random interleavings of STOP/START keywords, admin changes,
 * group creations, thread replies and retried sends (some while Bandwidth fails), no request that
 * reaches Bandwidth includes a number that was opted out of the line at that moment. The one
 * exception is the opt-out confirmation itself, texted to that number alone.
 *
 * Services run for real (PostgreSQL, bandwidth-sdk against the spec-validating fake); jobs are
 * run by the test at random points instead of by pg-boss, which is what makes the interleavings
 * random. Slack is out of the picture: a recording publisher stands in for it.
 */

const RUNS = Number(process.env.CONSENT_PROPERTY_RUNS ?? 300);
const GROUP_SIZE = 4;

const publisher: ThreadPublisher = {
  postRoot: async () => `${Date.now()}.000100`,
  updateRoot: async () => undefined,
  postEntry: async () => `${Date.now()}.000200`,
  findEntryPosts: async () => new Map(),
  findRootPost: async () => null,
  uploadFiles: async () => undefined,
  uploadPictures: async () => [],
  postNotice: async () => `${Date.now()}.000300`,
  updateNotice: async () => undefined,
  notifyUser: async () => undefined,
  directMessage: async () => undefined,
  permalink: async () => null,
  react: async () => undefined,
  isSlackFileUrl: () => true,
  downloadFile: async () => Buffer.from(""),
};

type Op =
  | { kind: "keyword"; who: number; word: "STOP" | "stop!" | "START" | "Unsubscribe" | "yes" }
  | { kind: "admin"; who: number; status: "OPTED_IN" | "OPTED_OUT" }
  | { kind: "reply"; text: string }
  | { kind: "group"; members: number[] }
  | { kind: "drain" }
  | { kind: "fail"; count: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant("keyword" as const),
    who: fc.integer({ min: 0, max: GROUP_SIZE - 1 }),
    word: fc.constantFrom(
      "STOP" as const,
      "stop!" as const,
      "START" as const,
      "Unsubscribe" as const,
      "yes" as const,
    ),
  }),
  fc.record({
    kind: fc.constant("admin" as const),
    who: fc.integer({ min: 0, max: GROUP_SIZE - 1 }),
    status: fc.constantFrom("OPTED_IN" as const, "OPTED_OUT" as const),
  }),
  fc.record({
    kind: fc.constant("reply" as const),
    text: fc.constantFrom("hi all", "see you at 6", "👋 update"),
  }),
  fc.record({
    kind: fc.constant("group" as const),
    members: fc.uniqueArray(fc.integer({ min: 0, max: GROUP_SIZE - 1 }), {
      minLength: 1,
      maxLength: GROUP_SIZE,
    }),
  }),
  fc.record({ kind: fc.constant("drain" as const) }),
  fc.record({ kind: fc.constant("fail" as const), count: fc.integer({ min: 1, max: 3 }) }),
);

// Ops in one batch run concurrently; batches run in order. At most one consent op per number in a
// batch, so "opted out at time t" is well defined for the check.
const batchesArb = fc
  .array(fc.array(opArb, { minLength: 1, maxLength: 4 }), { minLength: 2, maxLength: 6 })
  .map((batches) =>
    batches.map((batch) => {
      const seen = new Set<number>();
      return batch.filter((op) => {
        if (op.kind !== "keyword" && op.kind !== "admin") return true;
        if (seen.has(op.who)) return false;
        seen.add(op.who);
        return true;
      });
    }),
  );

let db: Db;
let locks: Locks;
let intake: EventIntake;
let bandwidth: FakeBandwidth;
let lineId: string;
let services: {
  inbound: InboundService;
  outbound: OutboundService;
  groups: GroupStartService;
  admin: ConsentAdminService;
};
const context = { lastAttempt: false };

beforeAll(async () => {
  bandwidth = await startFakeBandwidth({
    accountId: ACCOUNT_ID,
    username: SECRETS.bandwidthUser,
    password: SECRETS.bandwidthPassword,
    applicationId: APPLICATION_ID,
  });
  const databaseUrl = await createTestDatabase();
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    SLACK_BOT_TOKEN: "xoxb-property",
    SLACK_SIGNING_SECRET: "property",
    BANDWIDTH_ACCOUNT_ID: ACCOUNT_ID,
    BANDWIDTH_APPLICATION_ID: APPLICATION_ID,
    BANDWIDTH_USERNAME: SECRETS.bandwidthUser,
    BANDWIDTH_PASSWORD: SECRETS.bandwidthPassword,
    BANDWIDTH_MESSAGING_URL: bandwidth.url,
    BANDWIDTH_CALLBACK_USERNAME: "cb",
    BANDWIDTH_CALLBACK_PASSWORD: "cb-password",
    BANDWIDTH_LINES: `${SALES_LINE}=Sales:group:CSALES`,
    BANDWIDTH_TIMEOUT_MS: "2000",
  });
  const logger = createLogger("silent");
  db = createDb(databaseUrl);
  locks = new Locks(databaseUrl);
  intake = new EventIntake(databaseUrl, INBOUND_EVENTS_CHANNEL, 1);
  await seedLines(db, config.BANDWIDTH_LINES);
  lineId = (await db.line.findUniqueOrThrow({ where: { number: SALES_LINE } })).id;
  const sender = new TextSender(db, locks, createBandwidthMessaging(config), logger);
  const evidence = new SendEvidence({
    db,
    bandwidth: createBandwidthMessaging(config),
    logger,
    confirmWaitMs: config.SEND_CONFIRM_WAIT_MS,
  });
  const noop = async () => undefined;
  services = {
    inbound: new InboundService({
      db,
      logger,
      requestThreadSync: noop,
      locks,
      postTaken: (batch) => batch.session.end(),
      requestOutbound: noop,
    }),
    outbound: new OutboundService({
      db,
      locks,
      sender,
      publisher,
      logger,
      requestThreadSync: noop,
      requestOutbound: noop,
      userName: async () => null,
      media: createBandwidthMessaging(config),
      evidence,
    }),
    groups: new GroupStartService({
      db,
      locks,
      sender,
      publisher,
      logger,
      requestThreadSync: noop,
      requestGroupStart: noop,
      evidence,
      // Slack is out of the picture: every channel is usable and every thread opens at once.
      channels: {
        check: async () => ({ kind: "member", name: "general", private: false }),
        join: async () => "joined",
        hasMember: async () => true,
      },
      openThread: async () => ({ channel: "CGENERAL", threadTs: "1700000000.000100" }),
    }),
    admin: new ConsentAdminService(db, noop),
  };
});

/** A contact's text as the app takes it in: stored by the webhook's intake, then processed. */
async function takeIn(callback: InboundCallback): Promise<void> {
  const event = { dedupeKey: dedupeKeyOf(callback), type: callback.type, payload: callback };
  await intake.store([event]);
  await services.inbound.processEvent(event);
}

afterAll(async () => {
  await intake.close();
  await locks.close();
  await db.$disconnect();
  await bandwidth.close();
});

let runNumber = 0;

test(`no text ever reaches a number opted out of the line (${RUNS} random interleavings)`, async () => {
  await fc.assert(
    fc.asyncProperty(batchesArb, async (batches) => {
      runNumber += 1;
      // Fresh numbers per run keep runs independent on one database.
      const numbers = Array.from(
        { length: GROUP_SIZE },
        (_, i) => `+1646${200 + (runNumber % 700)}${1000 + i * 7 + (runNumber % 7)}`,
      );
      bandwidth.reset();
      const timeline = new Map<string, { at: number; out: boolean }[]>(numbers.map((n) => [n, []]));
      let seq = 0;

      // The conversation every run starts from: a group of all numbers, created by a contact's text.
      const seed = inboundMessageCallback({
        line: SALES_LINE,
        from: numbers[0] ?? "",
        to: [SALES_LINE, ...numbers.slice(1)],
        text: "hello",
      });
      await takeIn(seed as InboundCallback);
      const conversation = await db.groupConversation.findFirstOrThrow({
        where: { lineId, keys: { some: { key: [...numbers].sort().join(",") } } },
      });
      const threadTs = `${runNumber}.000001`;
      await db.groupConversation.update({
        where: { id: conversation.id },
        data: { channelId: "CSALES", threadTs },
      });

      const run = async (op: Op): Promise<void> => {
        switch (op.kind) {
          case "keyword": {
            const number = numbers[op.who] ?? "";
            const out = op.word === "STOP" || op.word === "stop!" || op.word === "Unsubscribe";
            const startedAt = Date.now();
            const callback = inboundMessageCallback({
              line: SALES_LINE,
              from: number,
              to: [SALES_LINE],
              text: op.word,
            });
            await takeIn(callback as InboundCallback);
            timeline.get(number)?.push({ at: out ? Date.now() : startedAt, out });
            return;
          }
          case "admin": {
            const number = numbers[op.who] ?? "";
            const out = op.status === "OPTED_OUT";
            const startedAt = Date.now();
            await services.admin.change({
              lineId,
              number,
              status: op.status,
              actor: "UADMIN",
              reason: "property test",
            });
            timeline.get(number)?.push({ at: out ? Date.now() : startedAt, out });
            return;
          }
          case "reply":
            seq += 1;
            await services.outbound.receiveThreadReply({
              channelId: "CSALES",
              threadTs,
              ts: `${runNumber}.${String(100000 + seq)}`,
              userId: "UDANA",
              text: op.text,
              files: [],
            });
            return;
          case "group": {
            const result = await services.groups.request({
              // A fresh modal each time: the property is about consent, not replays.
              viewId: `VPROP${Math.random().toString(36).slice(2)}`,
              userId: "UDANA",
              channelId: "CGENERAL",
              lineId,
              contactIds: [],
              typedNumbers: op.members.map((i) => numbers[i]).join(","),
              name: null,
              text: "group hello",
            });
            if (result.ok && result.groupStartId)
              await services.groups.process(result.groupStartId, context).catch(() => undefined);
            return;
          }
          case "drain":
            await services.outbound.send(conversation.id, context).catch(() => undefined);
            return;
          case "fail":
            bandwidth.failNext(op.count, { status: 503 });
            return;
        }
      };

      for (const batch of batches) await Promise.all(batch.map(run));
      // Let every retry finish: what is still queued is sent now, with Bandwidth healthy again.
      bandwidth.reset();
      await services.outbound.send(conversation.id, context);
      for (const start of await db.groupStart.findMany({ where: { state: "PENDING" } })) {
        await services.groups.process(start.id, context);
      }

      const optOutText = defaultComplianceMessages("Sales").optOut;
      for (const request of bandwidth.messages) {
        const at = request.receivedAt.getTime();
        for (const number of request.body.to) {
          const events = (timeline.get(number) ?? []).filter((e) => e.at < at);
          const optedOut = events.length > 0 && events[events.length - 1]?.out === true;
          const confirmation = request.body.to.length === 1 && request.body.text === optOutText;
          if (optedOut && !confirmation) {
            throw new Error(
              `texted ${number} at ${request.receivedAt.toISOString()} while opted out: ${JSON.stringify(request.body)}`,
            );
          }
        }
      }
      // And the database agrees with the model at the end.
      for (const number of numbers) {
        const events = timeline.get(number) ?? [];
        const consent = await db.consent.findUnique({ where: { lineId_number: { lineId, number } } });
        const expected = events.length && events[events.length - 1]?.out ? "OPTED_OUT" : "OPTED_IN";
        expect(consent?.status ?? "OPTED_IN").toBe(expected);
      }
    }),
    { numRuns: RUNS },
  );
}, 600_000);
