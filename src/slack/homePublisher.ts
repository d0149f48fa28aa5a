import type { WebClient } from "@slack/web-api";
import { usageChartUrl } from "../http/chartSignature";
import type { Logger } from "../logger";
import type { AdminService } from "../services/admins";
import type { HomeService } from "../services/home";
import { homeView } from "./views/home";
import { DEFAULT_HOME_STATE, type HomeState } from "./views/homeState";
import type { Notice } from "./views/kit";

const REMEMBERED_MAX = 5_000;

/**
 * Builds and publishes a user's Home tab: read-only for teammates, the admin console for admins.
 * Where an admin was (tab, page, search) travels in the view's private_metadata; the last place is
 * also remembered here so reopening the tab lands there.
 */
export class HomePublisher {
  private readonly remembered = new Map<string, HomeState>();

  constructor(
    private readonly deps: {
      client: WebClient;
      admins: AdminService;
      home: HomeService;
      command: string;
      publicUrl: string | undefined;
      chartSecret: string;
      logger: Logger;
    },
  ) {}

  lastState(userId: string): HomeState {
    return this.remembered.get(userId) ?? { ...DEFAULT_HOME_STATE };
  }

  async publish(userId: string, state?: HomeState, notice?: Notice): Promise<void> {
    const { admins, home, command, client, logger } = this.deps;
    try {
      const role = await admins.role(userId);
      let view: ReturnType<typeof homeView>;
      if (role.admin) {
        const where = state ?? this.lastState(userId);
        this.remember(userId, where);
        const data = await home.tab(where, userId);
        const chartUrl =
          data.tab === "usage" && this.deps.publicUrl
            ? usageChartUrl(this.deps.publicUrl, this.deps.chartSecret, data.report.month, [
                data.report.lines.map((l) => [l.lineId, l.thisMonth, l.lastMonth]),
              ])
            : null;
        view = homeView({
          kind: "admin",
          userId,
          command,
          via: role.via,
          state: where,
          data,
          chartUrl,
          ...(notice ? { notice } : {}),
        });
      } else {
        view = homeView({
          kind: "member",
          command,
          data: await home.member(userId),
          ...(notice ? { notice } : {}),
        });
      }
      await client.views.publish({ user_id: userId, view });
    } catch (error) {
      logger.error({ err: error, userId }, "publishing the Home tab failed");
    }
  }

  private remember(userId: string, state: HomeState): void {
    this.remembered.delete(userId);
    if (this.remembered.size >= REMEMBERED_MAX) {
      const oldest = this.remembered.keys().next().value;
      if (oldest !== undefined) this.remembered.delete(oldest);
    }
    this.remembered.set(userId, state);
  }
}
