import type { App } from "@slack/bolt";
import type { HomePublisher } from "../../homePublisher";

/** The Home tab is rebuilt each time someone opens it. */
export function register(app: App, home: HomePublisher): void {
  app.event("app_home_opened", async ({ event }) => {
    if (event.tab !== "home") return;
    await home.publish(event.user);
  });
}
