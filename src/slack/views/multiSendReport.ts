import type { MultiSendTally } from "../../domain/multiSend";
import { formatPhone } from "../../domain/phone";
import { mention, mrkdwn, type SlackText } from "./text";

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * The channel message of a multi-recipient send: its progress while texts go out, then what was
 * sent, skipped as opted out, or failed. The line's name is outside text, escaped by `mrkdwn`.
 */
export function multiSendReport(input: {
  requestedBy: string;
  line: { name: string; number: string };
  tally: MultiSendTally & { pending: number };
}): SlackText {
  const { tally, line } = input;
  const from = mrkdwn`${line.name} · ${formatPhone(line.number)}`;
  const asked = tally.recipients + tally.skipped;
  const skipped = tally.skipped ? mrkdwn` · ${tally.skipped} skipped (opted out)` : mrkdwn``;
  const failed = tally.failed ? mrkdwn` · ${tally.failed} failed` : mrkdwn``;
  const unconfirmed = tally.unconfirmed
    ? mrkdwn` · ${tally.unconfirmed} not confirmed (see their threads)`
    : mrkdwn``;
  if (tally.pending > 0) {
    const done = tally.recipients - tally.pending;
    return mrkdwn`:outbox_tray: ${mention(input.requestedBy)} is texting ${plural(asked, "contact")} from ${from}, each in their own thread: ${done} of ${tally.recipients} done so far${skipped}${failed}${unconfirmed}.`;
  }
  const fresh = tally.sent - tally.continued;
  const threads =
    tally.sent > 0 ? mrkdwn` (${plural(fresh, "new thread")}, ${tally.continued} continued)` : mrkdwn``;
  const icon = tally.failed || tally.unconfirmed ? ":warning:" : ":white_check_mark:";
  return mrkdwn`${icon} ${mention(input.requestedBy)} texted ${tally.sent} of ${plural(asked, "contact")} from ${from}: ${tally.sent} sent${threads}${skipped}${failed}${unconfirmed}.`;
}
