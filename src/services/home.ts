import type { Db } from "../db/client";
import type { AdminService } from "./admins";
import type { ConsentAdminService } from "./consentAdmin";
import type { ContactPage, ContactService } from "./contacts";
import type { LineService, LineWithStats } from "./lines";
import type { SettingsService } from "./settings";
import type { UsageReport, UsageService } from "./usage";

export const PAGE_SIZES = { lines: 15, contacts: 20, optOuts: 25, admins: 30, memberLines: 20, recent: 15 };

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
      tab: "settings";
      appendSenderName: boolean;
      noteMarker: string;
      admins: { userId: string; addedBy: string; createdAt: Date }[];
      adminCount: number;
    };

export interface MemberHomeData {
  lines: { name: string; number: string; groupEnabled: boolean }[];
  linesTotal: number;
  conversations: {
    name: string | null;
    lineName: string;
    participants: number;
    channelId: string | null;
    threadTs: string | null;
    updatedAt: Date;
  }[];
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
   * A teammate's read-only Home: the lines they can start a group on, and the groups they started
   * or replied in, the most recently active first.
   */
  async member(userId: string): Promise<MemberHomeData> {
    const { db } = this.deps;
    const [usable, recent] = await Promise.all([
      this.deps.lines.usable(),
      db.$queryRaw<{ id: string; lastActivityAt: Date }[]>`
        SELECT c."id", COALESCE(MAX(m."createdAt"), c."createdAt") AS "lastActivityAt"
        FROM "GroupConversation" c
        LEFT JOIN "Message" m ON m."conversationId" = c."id"
        WHERE c."threadTs" IS NOT NULL
          AND (c."startedBy" = ${userId} OR EXISTS (
            SELECT 1 FROM "Message" r
            WHERE r."conversationId" = c."id" AND r."kind" = 'OUTBOUND' AND r."slackUserId" = ${userId}))
        GROUP BY c."id"
        ORDER BY "lastActivityAt" DESC
        LIMIT ${PAGE_SIZES.recent}`,
    ]);
    const lines = usable.filter((l) => l.groupEnabled);
    const rows = await db.groupConversation.findMany({
      where: { id: { in: recent.map((r) => r.id) } },
      include: { line: true, _count: { select: { participants: true } } },
    });
    const byId = new Map(rows.map((c) => [c.id, c]));
    return {
      lines: lines
        .slice(0, PAGE_SIZES.memberLines)
        .map((l) => ({ name: l.name, number: l.number, groupEnabled: l.groupEnabled })),
      linesTotal: lines.length,
      conversations: recent.flatMap(({ id, lastActivityAt }) => {
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
              },
            ]
          : [];
      }),
    };
  }

  async tab(state: {
    tab: HomeTabData["tab"];
    page: number;
    query: string;
    lineId: string | null;
  }): Promise<HomeTabData> {
    const { deps } = this;
    switch (state.tab) {
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
