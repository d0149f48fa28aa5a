// Usage figures against the messages stored, shown in the Home tab, and the chart image route.
import { PNG } from "pngjs";
import { aggregateUsage, monthKey, monthLabel, monthRange, previousMonth } from "../../src/domain/usage";
import type { MessageKind, SendState } from "../../src/generated/prisma/enums";
import { UsageService } from "../../src/services/usage";
import { FRONT_DESK_LINE, type Harness, SALES_LINE, startHarness } from "../support/harness";
import {
  ADMIN,
  HOME_USERS,
  homeAction,
  nextHome,
  openHome,
  type SlackView,
  viewText,
} from "../support/homeDriver";

let h: Harness;
const PUBLIC_URL = "https://texts.example.com";
const month = monthKey(new Date());
const previous = previousMonth(month);
const at = (key: string, hours: number) => new Date(monthRange(key).start.getTime() + hours * 3_600_000);

beforeAll(async () => {
  h = await startHarness({ users: HOME_USERS, env: { PUBLIC_URL } });
  const db = h.app.db;
  const sales = await db.line.findUniqueOrThrow({ where: { number: SALES_LINE } });
  const front = await db.line.findUniqueOrThrow({ where: { number: FRONT_DESK_LINE } });
  const salesGroup = await db.groupConversation.create({ data: { lineId: sales.id } });
  const frontChat = await db.groupConversation.create({ data: { lineId: front.id } });
  const three = ["+12125550101", "+12125550102", "+12125550103"];
  type Row = {
    c: string;
    kind: MessageKind;
    sendState: SendState;
    recipients: readonly string[];
    segments: number;
    createdAt: Date;
  };
  const rows: Row[] = [
    // Sales, this month: a group text to 3 (3 MMS, whatever its 2 segments), a media-only group
    // text to 2 (2 MMS), a compliance reply to 1 (1 SMS).
    {
      c: salesGroup.id,
      kind: "OUTBOUND",
      sendState: "SENT",
      recipients: three,
      segments: 2,
      createdAt: at(month, 1),
    },
    {
      c: salesGroup.id,
      kind: "OUTBOUND",
      sendState: "SENT",
      recipients: three.slice(0, 2),
      segments: 0,
      createdAt: at(month, 2),
    },
    {
      c: salesGroup.id,
      kind: "COMPLIANCE",
      sendState: "SENT",
      recipients: three.slice(0, 1),
      segments: 1,
      createdAt: at(month, 3),
    },
    // Not billed: failed, queued, blocked, notices.
    {
      c: salesGroup.id,
      kind: "OUTBOUND",
      sendState: "FAILED",
      recipients: three,
      segments: 1,
      createdAt: at(month, 4),
    },
    {
      c: salesGroup.id,
      kind: "OUTBOUND",
      sendState: "QUEUED",
      recipients: three,
      segments: 1,
      createdAt: at(month, 4),
    },
    {
      c: salesGroup.id,
      kind: "COMPLIANCE",
      sendState: "BLOCKED",
      recipients: three.slice(0, 1),
      segments: 1,
      createdAt: at(month, 4),
    },
    {
      c: salesGroup.id,
      kind: "NOTICE",
      sendState: "NONE",
      recipients: [],
      segments: 0,
      createdAt: at(month, 4),
    },
    // Received this month: 3 on Sales.
    ...[5, 6, 7].map(
      (hour): Row => ({
        c: salesGroup.id,
        kind: "INBOUND",
        sendState: "NONE",
        recipients: [],
        segments: 1,
        createdAt: at(month, hour),
      }),
    ),
    // Sales, last month: 3 × 1 sent, 1 received.
    {
      c: salesGroup.id,
      kind: "OUTBOUND",
      sendState: "SENT",
      recipients: three,
      segments: 1,
      createdAt: at(previous, 10),
    },
    {
      c: salesGroup.id,
      kind: "INBOUND",
      sendState: "NONE",
      recipients: [],
      segments: 3,
      createdAt: at(previous, 11),
    },
    // Front desk, last month: 1 × 4 segments; two months ago (ignored): 1 × 1.
    {
      c: frontChat.id,
      kind: "OUTBOUND",
      sendState: "SENT",
      recipients: three.slice(0, 1),
      segments: 4,
      createdAt: at(previous, 12),
    },
    {
      c: frontChat.id,
      kind: "OUTBOUND",
      sendState: "SENT",
      recipients: three.slice(0, 1),
      segments: 1,
      createdAt: at(previousMonth(previous), 12),
    },
  ];
  for (const r of rows) {
    await db.message.create({
      data: {
        conversationId: r.c,
        kind: r.kind,
        sendState: r.sendState,
        recipients: [...r.recipients],
        segments: r.segments,
        createdAt: r.createdAt,
      },
    });
  }
});
afterAll(async () => {
  await h.stop();
});

test("the usage figures match the messages stored", async () => {
  const report = await new UsageService(h.app.db).report(month);
  const byNumber = Object.fromEntries(
    report.lines.map((l) => [l.number, { thisMonth: l.thisMonth, lastMonth: l.lastMonth }]),
  );
  expect(byNumber[SALES_LINE]).toEqual({
    thisMonth: { sent: 6, mms: 5, sms: 1, received: 3 },
    lastMonth: { sent: 3, mms: 3, sms: 0, received: 1 },
  });
  expect(byNumber[FRONT_DESK_LINE]).toEqual({
    thisMonth: { sent: 0, mms: 0, sms: 0, received: 0 },
    lastMonth: { sent: 4, mms: 0, sms: 4, received: 0 },
  });
  expect(report.totals).toEqual({
    thisMonth: { sent: 6, mms: 5, sms: 1, received: 3 },
    lastMonth: { sent: 7, mms: 3, sms: 4, received: 1 },
  });

  // The pure aggregation over every stored message gives the same figures.
  const stored = await h.app.db.message.findMany({ include: { conversation: true } });
  const direct = aggregateUsage(
    stored.map((m) => ({
      lineId: m.conversation.lineId,
      kind: m.kind,
      sendState: m.sendState,
      recipients: m.recipients.length,
      segments: m.segments,
      mediaCount: m.media.length,
      createdAt: m.createdAt,
    })),
    month,
    report.lines.map((l) => l.lineId),
  );
  expect(direct).toEqual(
    report.lines.map(({ lineId, thisMonth, lastMonth }) => ({ lineId, thisMonth, lastMonth })),
  );
});

async function usageTab(): Promise<SlackView> {
  const home = await openHome(h, ADMIN);
  return nextHome(h, ADMIN, () =>
    homeAction(h, ADMIN, { action_id: "home_nav_usage", value: "usage" }, { view: home }),
  );
}

test("the Usage tab shows the figures in text beside a signed chart image", async () => {
  const view = await usageTab();
  const shown = viewText(view);
  expect(shown).toContain(
    `${monthLabel(month)} so far: 6 sent (5 MMS, 1 SMS), 3 received. ${monthLabel(previous)}: 7 sent (3 MMS, 4 SMS), 1 received.`,
  );
  expect(shown).toContain(
    "this month 6 sent (5 MMS, 1 SMS), last month 3 sent (3 MMS, 0 SMS) · received 3 this month, 1 last month",
  );
  const image = view.blocks.find((b) => b.type === "image");
  expect(image?.image_url).toMatch(
    new RegExp(
      `^${PUBLIC_URL}/charts/usage\\.png\\?month=${month}&v=[0-9a-f]{12}&exp=\\d+&sig=[0-9a-f]{64}$`,
    ),
  );
});

test("the chart route serves a PNG for a signed URL and refuses anything else", async () => {
  const view = await usageTab();
  const url = new URL(String(view.blocks.find((b) => b.type === "image")?.image_url));
  const local = `${h.app.url}${url.pathname}${url.search}`;

  const ok = await fetch(local);
  expect(ok.status).toBe(200);
  expect(ok.headers.get("content-type")).toBe("image/png");
  const bytes = Buffer.from(await ok.arrayBuffer());
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const png = PNG.sync.read(bytes);
  expect(png.width).toBeGreaterThanOrEqual(320);
  expect(png.height).toBeGreaterThan(100);

  const head = await fetch(local, { method: "HEAD" });
  expect(head.status).toBe(200);

  const tampered = new URL(local);
  tampered.searchParams.set("sig", `${tampered.searchParams.get("sig")?.slice(0, 63)}0`);
  if (tampered.search === new URL(local).search) tampered.searchParams.set("sig", "0".repeat(64));
  expect((await fetch(tampered)).status).toBe(403);
  const otherMonth = new URL(local);
  otherMonth.searchParams.set("month", previous);
  expect((await fetch(otherMonth)).status).toBe(403);
  const unsigned = new URL(local);
  unsigned.searchParams.delete("sig");
  expect((await fetch(unsigned)).status).toBe(403);
  expect((await fetch(local, { method: "POST" })).status).toBe(405);
});
