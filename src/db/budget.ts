/** What one process does: everything, only take requests in (web), or only process (worker). */
export type Role = "all" | "web" | "worker";

export interface ConnectionBudget {
  /** Prisma's pool: services' queries. */
  queries: number;
  /** `Locks`' pool: session advisory locks held while a conversation's work runs. */
  locks: number;
  /** `EventIntake`'s pool: the webhook routes' one INSERT (0 on a worker). */
  intake: number;
  /** pg-boss's pool: enqueueing, and fetching jobs where jobs are worked. */
  queue: number;
  /** The one connection holding this instance's partitions and LISTENing for new callbacks (0 on web). */
  partitions: number;
}

/** The smallest DATABASE_CONNECTIONS every role can be split from. */
export const MIN_CONNECTIONS = 10;

/**
 * One instance's PostgreSQL connections, all of them, split from one number (DATABASE_CONNECTIONS)
 * so an operator can size `max_connections` as instances × budget. Pools open connections as they
 * need them and close idle ones, so the budget is a ceiling, not a standing cost. Locks get at least
 * half of what remains: a send holds a conversation's lock and then a line's shared one, so too few
 * would leave holders waiting on each other.
 */
export function connectionBudget(total: number, role: Role): ConnectionBudget {
  const partitions = role === "web" ? 0 : 1;
  const share = Math.max(2, Math.round(total * 0.15));
  // A web instance does little but store callbacks: its intake gets the most (group commit makes
  // each connection count, see EventIntake), with enough left for Slack's requests.
  const intake = role === "worker" ? 0 : role === "web" ? Math.max(share, Math.round(total * 0.4)) : share;
  const queue = role === "web" ? 2 : share;
  const rest = Math.max(4, total - partitions - intake - queue);
  const locks = Math.ceil(rest / 2);
  return { queries: rest - locks, locks, intake, queue, partitions };
}
