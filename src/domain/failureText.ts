/**
 * Why a text was not sent, in words a teammate can act on. The error itself (status codes,
 * Bandwidth's description, a failed download) is for the log, not for Slack.
 */
export function textFailureReason(failure: { status: number | null; retryable: boolean } | null): string {
  if (!failure)
    return "something went wrong in the app before it reached Bandwidth (an admin can find the details in the app's log)";
  const { status } = failure;
  if (status === null) return "Bandwidth could not be reached";
  if (status === 429) return "Bandwidth is limiting how fast this line can send";
  if (status >= 500) return "Bandwidth had a problem on its side";
  if (status === 401 || status === 403)
    return "Bandwidth refused the app's credentials (an admin should check the Bandwidth set-up)";
  if (status === 413) return "Bandwidth refused it as too large";
  return "Bandwidth refused it as invalid";
}

/** The same reason as a sentence of its own, saying so when it was tried more than once. */
export function textFailureSentence(
  failure: { status: number | null; retryable: boolean } | null,
  retried = false,
): string {
  const reason = textFailureReason(failure);
  return `${reason.charAt(0).toUpperCase()}${reason.slice(1)}${retried ? " (tried several times)" : ""}.`;
}
