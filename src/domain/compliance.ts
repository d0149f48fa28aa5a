export interface ComplianceMessages {
  optOut: string;
  optIn: string;
  help: string;
}

/**
 * Carrier rules (CTIA) want every compliance reply to name the sender and
 * say how to opt back in or out. The texts are kept to one GSM-7 segment
 * for line names up to 30 characters so a reply is never split.
 */
export function defaultComplianceMessages(lineName: string): ComplianceMessages {
  const name = lineName.trim().replace(/\s+/g, " ");
  const prefix = name ? `${name}: ` : "";
  return {
    optOut: `${prefix}You have been unsubscribed and will receive no further messages from this number. Reply START to resubscribe.`,
    optIn: `${prefix}You are subscribed again. Reply STOP to unsubscribe, HELP for help.`,
    help: `${prefix}Reply STOP to unsubscribe. Msg & data rates may apply.`,
  };
}
