import type { WebClient } from "@slack/web-api";
import type { UserLookup } from "../services/admins";

/** Teammates' names as shown on texts they send, looked up once per process (users.info). */
export function createUserNames(client: WebClient): (userId: string) => Promise<string | null> {
  const names = new Map<string, string | null>();
  return async (userId) => {
    if (!names.has(userId)) {
      const info = await client.users.info({ user: userId }).catch(() => null);
      names.set(userId, info?.user?.profile?.display_name || info?.user?.real_name || null);
    }
    return names.get(userId) ?? null;
  };
}

/** A teammate's workspace role (users.info); null when Slack does not know the user. */
export function createUserLookup(client: WebClient): UserLookup {
  return async (userId) => {
    try {
      const { user } = await client.users.info({ user: userId });
      return user
        ? {
            isAdmin: Boolean(user.is_admin),
            isOwner: Boolean(user.is_owner),
            isBot: Boolean(user.is_bot),
            deleted: Boolean(user.deleted),
          }
        : null;
    } catch (error) {
      if ((error as { data?: { error?: string } }).data?.error === "user_not_found") return null;
      throw error;
    }
  };
}
