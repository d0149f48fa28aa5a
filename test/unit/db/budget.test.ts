import { connectionBudget, MIN_CONNECTIONS, type Role } from "../../../src/db/budget";

const ROLES: Role[] = ["all", "web", "worker"];

describe("connectionBudget: one instance's PostgreSQL connections, split between its pools", () => {
  test.each(ROLES)("%s: the pools together never exceed the budget, and each pool can work", (role) => {
    for (let total = MIN_CONNECTIONS; total <= 200; total++) {
      const budget = connectionBudget(total, role);
      const sum = budget.queries + budget.locks + budget.intake + budget.queue + budget.partitions;
      expect({ total, sum: sum <= total }).toEqual({ total, sum: true });
      expect(budget.queries).toBeGreaterThanOrEqual(2);
      // A send holds a conversation's lock and a line's shared one: 4 outbound workers need 8.
      if (role !== "web" && total >= 28) expect(budget.locks).toBeGreaterThanOrEqual(10);
      expect(budget.locks).toBeGreaterThanOrEqual(2);
    }
  });

  test("a web instance takes requests in and holds no partition; a worker stores nothing", () => {
    expect(connectionBudget(28, "web")).toMatchObject({ partitions: 0, queue: 2 });
    // Storing callbacks is most of its work.
    expect(connectionBudget(28, "web").intake).toBe(11);
    expect(connectionBudget(28, "worker")).toMatchObject({ partitions: 1, intake: 0 });
    expect(connectionBudget(28, "all")).toEqual({
      queries: 9,
      locks: 10,
      intake: 4,
      queue: 4,
      partitions: 1,
    });
  });
});
