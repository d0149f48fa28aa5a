import type { Db, Tx } from "../db/client";

/** What a Slack interaction is deduplicated by. */
export type InteractionKind = "view_submission" | "block_actions" | "slash_command" | "shortcut";

export interface Interaction {
  kind: InteractionKind;
  /** The view id of a submission; the trigger id of an action or a slash command. */
  id: string;
  /** Who sent it: part of the key, so one member's forged request cannot use up another's view id. */
  userId: string;
}

/**
 * Bolt refuses a signature older than 5 minutes, so a replay can only come within that window
 * (plus any lag of this machine's clock behind Slack's). An hour leaves a wide margin and keeps
 * the table to one hour of interactions.
 */
export const INTERACTION_RETENTION_MS = 60 * 60 * 1000;

/** How often one instance prunes: pruning rides on claims, so an idle app does no work for it. */
const PRUNE_EVERY_MS = 60 * 1000;

function dedupeKey(interaction: Interaction): string {
  return `${interaction.kind}:${interaction.userId}:${interaction.id}`;
}

/**
 * The Slack interactions already acted on, kept in PostgreSQL under a unique key so that every
 * instance, before and after a restart, agrees on which request came first.
 */
export class InteractionReceipts {
  private lastPrune = 0;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Records the interaction; false when it was recorded before (a replay). Inside a transaction
   * the claim commits or rolls back with the effect it guards, and a concurrent claim of the same
   * key waits for that transaction and then loses.
   */
  async claim(interaction: Interaction, tx: Tx | Db = this.db): Promise<boolean> {
    await this.pruneNowAndThen();
    const { count } = await tx.slackInteraction.createMany({
      data: [{ dedupeKey: dedupeKey(interaction), kind: interaction.kind, userId: interaction.userId }],
      skipDuplicates: true,
    });
    return count === 1;
  }

  /** True when the interaction has already taken effect. */
  async seen(interaction: Interaction): Promise<boolean> {
    const row = await this.db.slackInteraction.findUnique({ where: { dedupeKey: dedupeKey(interaction) } });
    return row !== null;
  }

  /** Forgets a claim whose interaction took no effect (refused inline), so it can be sent again. */
  async release(interaction: Interaction): Promise<void> {
    await this.db.slackInteraction.deleteMany({ where: { dedupeKey: dedupeKey(interaction) } });
  }

  /** Deletes receipts older than the retention; returns how many. */
  async prune(): Promise<number> {
    const { count } = await this.db.slackInteraction.deleteMany({
      where: { receivedAt: { lt: new Date(this.now() - INTERACTION_RETENTION_MS) } },
    });
    return count;
  }

  private async pruneNowAndThen(): Promise<void> {
    if (this.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = this.now();
    // Pruning is housekeeping: a failure must not refuse the interaction that triggered it.
    await this.prune().catch(() => undefined);
  }
}
