import { MAX_GROUP_CONTACTS } from "../../../src/domain/participants";
import {
  type Actor,
  mayAct,
  parseGroupName,
  planParticipants,
  THREAD_ACTIONS,
} from "../../../src/domain/threadActions";

const member = (userId = "UDANA", extra: Partial<Actor> = {}): Actor => ({
  userId,
  admin: false,
  inChannel: true,
  ...extra,
});

describe("mayAct", () => {
  it.each(THREAD_ACTIONS)("refuses %s to anyone outside the channel, admins included", (action) => {
    for (const admin of [false, true]) {
      const result = mayAct(action, member("UX", { admin, inChannel: false }), { assignee: null }, "UX");
      expect(result).toEqual({ ok: false, reason: expect.stringContaining("channel") });
    }
  });

  it.each(["rename", "participants", "close", "reopen"] as const)("lets any channel member %s", (action) => {
    expect(mayAct(action, member(), { assignee: "UEVAN" })).toEqual({ ok: true });
  });

  it("lets a member take or assign an unassigned conversation, and hand on or release their own", () => {
    expect(mayAct("take", member(), { assignee: null })).toEqual({ ok: true });
    expect(mayAct("assign", member(), { assignee: null }, "UEVAN")).toEqual({ ok: true });
    expect(mayAct("assign", member(), { assignee: "UDANA" }, "UEVAN")).toEqual({ ok: true });
    expect(mayAct("assign", member(), { assignee: "UDANA" }, null)).toEqual({ ok: true });
    // Saying again what is already so changes nothing and is not refused.
    expect(mayAct("assign", member(), { assignee: "UEVAN" }, "UEVAN")).toEqual({ ok: true });
  });

  it("keeps a conversation held by someone else from being taken or reassigned by a non-admin", () => {
    for (const [action, target] of [
      ["take", undefined],
      ["assign", "UDANA"],
      ["assign", "UFRED"],
      ["assign", null],
    ] as const) {
      expect(mayAct(action, member(), { assignee: "UEVAN" }, target)).toEqual({
        ok: false,
        reason: expect.stringContaining("admin"),
      });
      expect(mayAct(action, member("UADMIN", { admin: true }), { assignee: "UEVAN" }, target)).toEqual({
        ok: true,
      });
    }
  });
});

describe("parseGroupName", () => {
  it("trims, folds whitespace, and treats blank as no name", () => {
    expect(parseGroupName("  Saturday \n crew ")).toEqual({ ok: true, name: "Saturday crew" });
    expect(parseGroupName("   ")).toEqual({ ok: true, name: null });
  });
  it("refuses a name over 80 characters", () => {
    expect(parseGroupName("x".repeat(80))).toEqual({ ok: true, name: "x".repeat(80) });
    expect(parseGroupName("x".repeat(81))).toEqual({ ok: false, error: expect.stringContaining("80") });
  });
});

describe("planParticipants", () => {
  const three = ["+12125550101", "+12125550102", "+12125550103"];
  const base = { current: three, keep: three, add: [], groupEnabled: true, optedOut: new Set<string>() };

  it("adds a fourth contact and names who was added", () => {
    expect(planParticipants({ ...base, add: ["+12125550104", "+12125550101"] })).toEqual({
      ok: true,
      next: [...three, "+12125550104"],
      added: ["+12125550104"],
      removed: [],
    });
  });

  it("removes whoever is not kept", () => {
    expect(planParticipants({ ...base, keep: ["+12125550101", "+12125550103"] })).toEqual({
      ok: true,
      next: ["+12125550101", "+12125550103"],
      added: [],
      removed: ["+12125550102"],
    });
  });

  it("refuses adding someone who opted out of the line, naming them", () => {
    const result = planParticipants({
      ...base,
      add: ["+12125550104"],
      optedOut: new Set(["+12125550104"]),
    });
    expect(result).toEqual({ ok: false, error: expect.stringContaining("(212) 555-0104") });
  });

  it("refuses no change, an empty set, more than the limit, and a group on a line without group texts", () => {
    expect(planParticipants(base).ok).toBe(false);
    expect(planParticipants({ ...base, keep: [] }).ok).toBe(false);
    const many = Array.from(
      { length: MAX_GROUP_CONTACTS },
      (_, i) => `+1646555${String(100 + i).padStart(4, "0")}`,
    );
    expect(planParticipants({ ...base, add: many })).toEqual({
      ok: false,
      error: expect.stringContaining(`at most ${MAX_GROUP_CONTACTS}`),
    });
    expect(planParticipants({ ...base, add: ["+12125550104"], groupEnabled: false }).ok).toBe(false);
    // Down to one contact is a one-to-one text, which any line can send.
    expect(planParticipants({ ...base, keep: ["+12125550101"], groupEnabled: false }).ok).toBe(true);
  });
});
