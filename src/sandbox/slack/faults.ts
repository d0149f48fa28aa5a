/** Failures the stand-in can be told to answer with: injected faults, rate limits, a missing token. */
import type { ServerResponse } from "node:http";
import { notify, type SlackState } from "./state";
import { type RecordedCall, type RejectedCall, type SlackFailure, UPLOAD_CALL } from "./types";
import { sendJson, sendText } from "./wire";

/** The next queued fault for this method ('*' matches any API method, never the upload URL). */
export function takeFault(s: SlackState, method: string): SlackFailure | undefined {
  const rule = s.faults.find(
    (f) => f.remaining > 0 && (f.method === method || (f.method === "*" && method !== UPLOAD_CALL)),
  );
  if (!rule) return undefined;
  rule.remaining -= 1;
  return rule.failure;
}

/** Answers with the failure and records the attempt as turned away. */
export function reject(
  s: SlackState,
  res: ServerResponse,
  call: RecordedCall,
  failure: SlackFailure,
  reason: RejectedCall["reason"],
): void {
  if ("dropAfterHandling" in failure) {
    // Only API methods handle it (see handleApi); elsewhere the connection just drops.
    s.rejected.push({ ...call, status: 0, error: "connection_dropped", reason });
    res.socket?.destroy();
  } else if ("error" in failure) {
    s.rejected.push({ ...call, status: 200, error: failure.error, reason });
    sendJson(res, 200, { ok: false, error: failure.error });
  } else if (failure.status === 429) {
    s.rejected.push({ ...call, status: 429, error: "ratelimited", reason });
    sendJson(
      res,
      429,
      { ok: false, error: "ratelimited" },
      { "retry-after": String(failure.retryAfterSeconds) },
    );
  } else {
    s.rejected.push({ ...call, status: failure.status, error: `http_${failure.status}`, reason });
    sendText(res, failure.status, failure.status === 503 ? "Service Unavailable" : "Internal Server Error");
  }
  notify(s);
}

/** Sliding one-second window per channel; answers how long to wait, or undefined if the post may go. */
export function rateLimitWait(s: SlackState, channel: string, now: number): number | undefined {
  if (s.postsPerSecond === null) return undefined;
  const recent = (s.postTimes.get(channel) ?? []).filter((t) => now - t < 1000);
  s.postTimes.set(channel, recent);
  if (recent.length < s.postsPerSecond) {
    recent.push(now);
    return undefined;
  }
  const oldest = recent[0] ?? now;
  return Math.max(1, Math.ceil((oldest + 1000 - now) / 1000));
}
