/** Where each recipient's text of a multi-recipient send stands (their starts' states). */
export interface MultiSendTally {
  /** Recipients texted or being texted (opted-out contacts are not among them). */
  recipients: number;
  sent: number;
  /** Taken by Bandwidth as far as anyone knows, but not confirmed: their threads offer Send again. */
  unconfirmed: number;
  failed: number;
  /** Left out because they had opted out of the line. */
  skipped: number;
  /** Of those sent, how many continued a conversation that existed before the send. */
  continued: number;
}

/** Counts starts by state. PENDING and SENDING are still going out. */
export function tallyStates(
  states: readonly string[],
  skipped: number,
  continued: number,
): MultiSendTally & { pending: number } {
  const count = (...wanted: string[]) => states.filter((s) => wanted.includes(s)).length;
  return {
    recipients: states.length,
    sent: count("SENT"),
    unconfirmed: count("UNCONFIRMED"),
    failed: count("FAILED"),
    pending: count("PENDING", "SENDING"),
    skipped,
    continued,
  };
}
