import { type Db, Prisma } from "../db/client";
import type { AdminService } from "./admins";
import type { ConsentAdminService } from "./consentAdmin";
import type { ContactPage, ContactService } from "./contacts";
import type { LineService, LineWithStats } from "./lines";
import type { SettingsService } from "./settings";
import type { UsageReport, UsageService } from "./usage";

export const PAGE_SIZES = {
  lines: 15,
  contacts: 20,
  optOuts: 25,
  admins: 30,
  memberLines: 20,
  recent: 15,
  conversations: 20,
  assigned: 10,
};

/** A conversation as the Home tab lists it. */
export interface ConversationRow {
  name: string | null;
  lineName: string;
  participants: number;
  channelId: string | null;
  threadTs: string | null;
  updatedAt: Date;
  closed: boolean;
  assignee: string | null;
}

export type HomeTabData =
  | { tab: "lines"; lines: LineWithStats[]; total: number; page: number; pages: number }
  | { tab: "contacts"; contacts: ContactPage }
  | {
      tab: "optouts";
      lines: { id: string; name: string; number: string; active: boolean }[];
      line: { id: string; name: string; number: string } | null;
      entries: Awaited<ReturnType<ConsentAdminService["optedOut"]>>;
      total: number;
    }
  | { tab: "usage"; report: UsageReport }
  | {
      tab: "conversations";
      lines: { id: string; name: string; number: string }[];
      lineId: string | null;
      state: "open" | "closed" | "all";
      /** The admin's own: assigned to them, open first. */
      assigned: ConversationRow[];
      rows: ConversationRow[];
      total: number;
      page: number;
      pages: number;
    }
  | {
      tab: "settings";
      appendSenderName: boolean;
      noteMarker: string;
      admins: { userId: string; addedBy: string; createdAt: Date }[];
      adminCount: number;
    };

export interface MemberHomeData {
  lines: { name: string; number: string; groupEnabled: boolean }[];
  linesTotal: number;
  /** Assigned to them, started by them or replied in by them: open first, then the latest. */
  conversations: (ConversationRow & { assignedToYou: boolean })[];
}

/** What the Home tab shows, read from the services; the Slack adapter turns it into blocks. */
export class HomeService {
  constructor(
    private readonly deps: {
      db: Db;
      admins: AdminService;
      lines: LineService;
      contacts: ContactService;
      consentAdmin: ConsentAdminService;
      settings: SettingsService;
      usage: UsageService;
    },
  ) {}

  /**
   * A teammate's Home: the lines they can start a group on, and the conversations assigned to them
   * or that they started or replied in, open ones first, then the most recently active.
   */
  async member(userId: string): Promise<MemberHomeData> {
    const [usable, rows] = await Promise.all([
      this.deps.lines.usable(),
      this.conversations(
        Prisma.sql`AND (c."assignee" = ${userId} OR c."startedBy" = ${userId} OR EXISTS (
          SELECT 1 FROM "Message" r
          WHERE r."conversationId" = c."id" AND r."kind" = 'OUTBOUND' AND r."slackUserId" = ${userId}))`,
        PAGE_SIZES.recent,
        0,
      ),
    ]);
    const lines = usable.filter((l) => l.groupEnabled);
    return {
      lines: lines
        .slice(0, PAGE_SIZES.memberLines)
        .map((l) => ({ name: l.name, number: l.number, groupEnabled: l.groupEnabled })),
      linesTotal: lines.length,
      conversations: rows.map((row) => ({ ...row, assignedToYou: row.assignee === userId })),
    };
  }

  /** Conversations with a thread matching `where` (SQL on `c`), open first, then the latest active. */
  private async conversations(where: Prisma.Sql, limit: number, offset: number): Promise<ConversationRow[]> {
    const { db } = this.deps;
    const recent = await db.$queryRaw<{ id: string; lastActivityAt: Date }[]>`
      SELECT c."id", COALESCE(MAX(m."createdAt"), c."createdAt") AS "lastActivityAt"
      FROM "GroupConversation" c
      LEFT JOIN "Message" m ON m."conversationId" = c."id"
      WHERE c."threadTs" IS NOT NULL ${where}
      GROUP BY c."id"
      ORDER BY (c."closedAt" IS NULL) DESC, "lastActivityAt" DESC, c."id"
      LIMIT ${limit} OFFSET ${offset}`;
    const rows = await db.groupConversation.findMany({
      where: { id: { in: recent.map((r) => r.id) } },
      include: { line: true, _count: { select: { participants: true } } },
    });
    const byId = new Map(rows.map((c) => [c.id, c]));
    return recent.flatMap(({ id, lastActivityAt }) => {
      const c = byId.get(id);
      return c
        ? [
            {
              name: c.name,
              lineName: c.line.name,
              participants: c._count.participants,
              channelId: c.channelId,
              threadTs: c.threadTs,
              updatedAt: lastActivityAt,
              closed: c.closedAt !== null,
              assignee: c.assignee,
            },
          ]
        : [];
    });
  }

  private async conversationsTab(
    userId: string,
    state: {
      page: number;
      conversationLineId?: string | null | undefined;
      conversationState?: string | undefined;
    },
  ): Promise<HomeTabData> {
    const { db } = this.deps;
    const lines = await db.line.findMany({
      orderBy: [{ active: "desc" }, { name: "asc" }],
      select: { id: true, name: true, number: true },
    });
    const lineId = lines.find((l) => l.id === state.conversationLineId)?.id ?? null;
    const filter =
      state.conversationState === "closed" || state.conversationState === "all"
        ? state.conversationState
        : "open";
    const where = Prisma.sql`${lineId ? Prisma.sql`AND c."lineId" = ${lineId}::uuid` : Prisma.empty} ${
      filter === "open"
        ? Prisma.sql`AND c."closedAt" IS NULL`
        : filter === "closed"
          ? Prisma.sql`AND c."closedAt" IS NOT NULL`
          : Prisma.empty
    }`;
    const [{ count }] = (await db.$queryRaw<{ count: bigint }[]>`
      SELECT COUNT(*) AS "count" FROM "GroupConversation" c WHERE c."threadTs" IS NOT NULL ${where}`) as [
      { count: bigint },
    ];
    const total = Number(count);
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZES.conversations));
    const page = Math.min(state.page, pages - 1);
    const [rows, assigned] = await Promise.all([
      this.conversations(where, PAGE_SIZES.conversations, page * PAGE_SIZES.conversations),
      this.conversations(Prisma.sql`AND c."assignee" = ${userId}`, PAGE_SIZES.assigned, 0),
    ]);
    return { tab: "conversations", lines, lineId, state: filter, assigned, rows, total, page, pages };
  }

  async tab(
    state: {
      tab: HomeTabData["tab"];
      page: number;
      query: string;
      lineId: string | null;
      conversationLineId?: string | null | undefined;
      conversationState?: string | undefined;
    },
    userId: string,
  ): Promise<HomeTabData> {
    const { deps } = this;
    switch (state.tab) {
      case "conversations":
        return this.conversationsTab(userId, state);
      case "lines": {
        const all = await deps.lines.list();
        const pages = Math.max(1, Math.ceil(all.length / PAGE_SIZES.lines));
        const page = Math.min(state.page, pages - 1);
        return {
          tab: "lines",
          lines: all.slice(page * PAGE_SIZES.lines, (page + 1) * PAGE_SIZES.lines),
          total: all.length,
          page,
          pages,
        } satisfies HomeTabData;
      }
      case "contacts":
        return {
          tab: "contacts",
          contacts: await deps.contacts.search(state.query, state.page, PAGE_SIZES.contacts),
        } satisfies HomeTabData;
      case "optouts": {
        const lines = await deps.db.line.findMany({
          orderBy: [{ active: "desc" }, { name: "asc" }],
          select: { id: true, name: true, number: true, active: true },
        });
        const line = lines.find((l) => l.id === state.lineId) ?? lines[0] ?? null;
        const [entries, total] = line
          ? await Promise.all([
              deps.consentAdmin.optedOut(line.id, PAGE_SIZES.optOuts),
              deps.db.consent.count({ where: { lineId: line.id, status: "OPTED_OUT" } }),
            ])
          : [[], 0];
        return { tab: "optouts", lines, line, entries, total } satisfies HomeTabData;
      }
      case "usage":
        return { tab: "usage", report: await deps.usage.report() } satisfies HomeTabData;
      case "settings": {
        const [settings, admins, adminCount] = await Promise.all([
          deps.settings.get(),
          deps.admins.list(PAGE_SIZES.admins),
          deps.admins.count(),
        ]);
        return {
          tab: "settings",
          appendSenderName: settings.appendSenderName,
          noteMarker: settings.noteMarker,
          admins,
          adminCount,
        } satisfies HomeTabData;
      }
    }
  }
}
