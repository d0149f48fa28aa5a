import type { Db } from "../db/client";
import type { PersonalNotice } from "../domain/notices";
import type { Logger } from "../logger";

/** What Slack says about a user (users.info), in the words this service needs. */
export interface WorkspaceUser {
  isAdmin: boolean;
  isOwner: boolean;
  isBot: boolean;
  deleted: boolean;
}

export type UserLookup = (userId: string) => Promise<WorkspaceUser | null>;

export type AdminRole = { admin: true; via: "workspace" | "app" } | { admin: false };

/** Why an admin change was refused, told to the member who asked (it may name the user). */
type AdminRefusal = Extract<PersonalNotice, { kind: "admin-refused" | "already-workspace-admin" }>;

export type AdminChange = { ok: true; changed: boolean } | { ok: false; error: AdminRefusal };

/** How long a users.info answer is trusted; a promotion or demotion in Slack shows within this. */
export const ROLE_CACHE_TTL_MS = 60_000;
const ROLE_CACHE_MAX = 5_000;
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

/**
 * Who may change lines, contacts, compliance messages and settings: the workspace's owners and
 * admins (asked of Slack, cached briefly) and the users an admin added in the Home tab (stored, read
 * on every check, so removing someone takes effect at once). Any failure to ask Slack counts as
 * "not an admin": the check fails closed.
 */
export class AdminService {
  private readonly cache = new Map<string, { user: WorkspaceUser | null; expires: number }>();

  constructor(
    private readonly db: Db,
    private readonly lookup: UserLookup,
    private readonly logger: Logger,
    private readonly options: { ttlMs?: number; now?: () => number } = {},
  ) {}

  async role(userId: string): Promise<AdminRole> {
    const workspace = await this.workspaceUser(userId);
    if (workspace && !workspace.deleted && !workspace.isBot && (workspace.isAdmin || workspace.isOwner)) {
      return { admin: true, via: "workspace" };
    }
    if (workspace?.deleted) return { admin: false };
    const stored = await this.db.appAdmin.findUnique({ where: { userId } });
    return stored ? { admin: true, via: "app" } : { admin: false };
  }

  async isAdmin(userId: string): Promise<boolean> {
    return (await this.role(userId)).admin;
  }

  /** Admins added in the Home tab, oldest first. */
  list(take = 50) {
    return this.db.appAdmin.findMany({ orderBy: { createdAt: "asc" }, take });
  }

  count() {
    return this.db.appAdmin.count();
  }

  async add(actor: string, userId: string): Promise<AdminChange> {
    if (!(await this.isAdmin(actor)))
      return { ok: false, error: { kind: "admin-refused", why: "only-admins-add" } };
    if (!SLACK_USER_ID.test(userId))
      return { ok: false, error: { kind: "admin-refused", why: "not-a-user" } };
    const user = await this.workspaceUser(userId);
    if (!user) return { ok: false, error: { kind: "admin-refused", why: "unknown-user" } };
    if (user.isBot) return { ok: false, error: { kind: "admin-refused", why: "bot" } };
    if (user.deleted) return { ok: false, error: { kind: "admin-refused", why: "deactivated" } };
    if (user.isAdmin || user.isOwner) {
      return {
        ok: false,
        error: { kind: "already-workspace-admin", user: userId },
      };
    }
    const created = await this.db.appAdmin.createMany({
      data: [{ userId, addedBy: actor }],
      skipDuplicates: true,
    });
    return { ok: true, changed: created.count === 1 };
  }

  async remove(actor: string, userId: string): Promise<AdminChange> {
    if (!(await this.isAdmin(actor)))
      return { ok: false, error: { kind: "admin-refused", why: "only-admins-remove" } };
    if (!SLACK_USER_ID.test(userId))
      return { ok: false, error: { kind: "admin-refused", why: "not-a-user" } };
    const removed = await this.db.appAdmin.deleteMany({ where: { userId } });
    return { ok: true, changed: removed.count === 1 };
  }

  private async workspaceUser(userId: string): Promise<WorkspaceUser | null> {
    const now = (this.options.now ?? Date.now)();
    const cached = this.cache.get(userId);
    if (cached && cached.expires > now) return cached.user;
    let user: WorkspaceUser | null;
    try {
      user = await this.lookup(userId);
    } catch (error) {
      // Not cached: the next check asks again.
      this.logger.warn({ err: error, userId }, "users.info failed; treating the user as no workspace admin");
      return null;
    }
    if (this.cache.size >= ROLE_CACHE_MAX) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.delete(userId);
    this.cache.set(userId, { user, expires: now + (this.options.ttlMs ?? ROLE_CACHE_TTL_MS) });
    return user;
  }
}
