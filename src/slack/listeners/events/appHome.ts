import type { App } from "@slack/bolt";
import type { Db } from "../../../db/client";
import type { ConsentAdminService } from "../../../services/consentAdmin";
import { homeView } from "../../views/home";

export interface HomeDeps {
  db: Db;
  consentAdmin: ConsentAdminService;
  command: string;
}

export function register(app: App, { db, command }: HomeDeps): void {
  app.event("app_home_opened", async ({ event, client, logger }) => {
    if (event.tab !== "home") return;
    const [lines, conversations] = await Promise.all([
      db.line.findMany({ orderBy: { name: "asc" }, take: 40 }),
      db.groupConversation.findMany({
        where: { threadTs: { not: null } },
        orderBy: { updatedAt: "desc" },
        take: 20,
        include: { line: true, _count: { select: { participants: true } } },
      }),
    ]);
    try {
      await client.views.publish({
        user_id: event.user,
        view: homeView({
          command,
          lines,
          conversations: conversations.map((c) => ({
            name: c.name,
            lineName: c.line.name,
            participants: c._count.participants,
            link:
              c.channelId && c.threadTs
                ? `https://slack.com/archives/${c.channelId}/p${c.threadTs.replace(".", "")}`
                : null,
          })),
        }),
      });
    } catch (error) {
      logger.error("views.publish failed", error);
    }
  });
}
