/** auth.test: who the token belongs to (Bolt asks on start). */
import type { MethodTable } from "./state";
import { BOT_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID } from "./types";

export const authMethods: MethodTable = {
  "auth.test": () => ({
    url: `https://${TEAM_DOMAIN}.slack.com/`,
    team: "Example Workspace",
    user: "replyall",
    team_id: TEAM_ID,
    user_id: BOT_USER_ID,
    bot_id: BOT_ID,
    is_enterprise_install: false,
  }),
};
