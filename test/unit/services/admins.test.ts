import type { Db } from "../../../src/db/client";
import { createLogger } from "../../../src/logger";
import { AdminService, ROLE_CACHE_TTL_MS, type WorkspaceUser } from "../../../src/services/admins";

const member: WorkspaceUser = { isAdmin: false, isOwner: false, isBot: false, deleted: false };

function setup(users: Record<string, WorkspaceUser | Error>, stored: string[] = []) {
  let now = 1_000_000;
  const lookups: string[] = [];
  const db = {
    appAdmin: {
      findUnique: async ({ where }: { where: { userId: string } }) =>
        stored.includes(where.userId) ? { userId: where.userId } : null,
    },
  } as unknown as Db;
  const service = new AdminService(
    db,
    async (id) => {
      lookups.push(id);
      const user = users[id];
      if (user instanceof Error) throw user;
      return user ?? null;
    },
    createLogger("silent"),
    { now: () => now },
  );
  return { service, lookups, advance: (ms: number) => (now += ms), users };
}

describe("AdminService", () => {
  test("workspace admins and owners are admins; members are not, unless added in the app", async () => {
    const { service } = setup(
      { UA: { ...member, isAdmin: true }, UO: { ...member, isOwner: true }, UM: member, UAPP: member },
      ["UAPP"],
    );
    expect(await service.role("UA")).toEqual({ admin: true, via: "workspace" });
    expect(await service.role("UO")).toEqual({ admin: true, via: "workspace" });
    expect(await service.role("UM")).toEqual({ admin: false });
    expect(await service.role("UAPP")).toEqual({ admin: true, via: "app" });
  });

  test("deactivated accounts and bots are never admins", async () => {
    const { service } = setup(
      { UD: { ...member, isAdmin: true, deleted: true }, UB: { ...member, isBot: true, isAdmin: true } },
      ["UD"],
    );
    expect(await service.isAdmin("UD")).toBe(false);
    expect(await service.isAdmin("UB")).toBe(false);
  });

  test("users.info answers are cached for the TTL, then asked again", async () => {
    const { service, lookups, advance, users } = setup({ UA: { ...member, isAdmin: true } });
    expect(await service.isAdmin("UA")).toBe(true);
    users.UA = member; // demoted in Slack
    advance(ROLE_CACHE_TTL_MS - 1);
    expect(await service.isAdmin("UA")).toBe(true);
    advance(2);
    expect(await service.isAdmin("UA")).toBe(false);
    expect(lookups).toEqual(["UA", "UA"]);
  });

  test("a failing users.info fails closed and is not cached", async () => {
    const { service, lookups, users } = setup({ UA: new Error("ratelimited") });
    expect(await service.isAdmin("UA")).toBe(false);
    users.UA = { ...member, isAdmin: true };
    expect(await service.isAdmin("UA")).toBe(true);
    expect(lookups).toEqual(["UA", "UA"]);
  });
});
