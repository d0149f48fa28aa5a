import type { Tx } from "../db/client";

/**
 * Bandwidth's segment count for a text it took, from its answer to the send or a status callback,
 * replaces the app's estimate made before sending: it is what Bandwidth bills, and what the usage
 * tab counts. A contact's text already carries Bandwidth's count from the moment it is stored.
 */
export async function recordReportedSegments(
  tx: Tx,
  messageId: string,
  segmentCount: number | null,
): Promise<void> {
  if (segmentCount === null) return;
  await tx.message.updateMany({
    where: { id: messageId, kind: { not: "INBOUND" }, segments: { not: segmentCount } },
    data: { segments: segmentCount },
  });
}
