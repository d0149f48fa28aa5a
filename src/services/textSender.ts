import type { Db } from "../db/client";
import type { Locks } from "../db/locks";
import type { Logger } from "../logger";
import { NEVER_SHUTS_DOWN, type Shutdown } from "../shutdown";
import { BandwidthError, type BandwidthMessaging } from "./ports";

export function consentLockKey(lineId: string): string {
  return `consent:${lineId}`;
}

export interface TextRequest {
  line: { id: string; number: string };
  recipients: string[];
  text: string;
  media?: string[];
  /** Lets status callbacks find the message again. */
  tag: string;
  /**
   * The one text a number may still get after opting out: the confirmation of that very opt-out.
   * Only honoured while that opt-out is the number's latest consent change.
   */
  confirmsConsentEventId?: string;
  /**
   * Records, in its own commit, that a request is about to leave and to whom: once this has run,
   * a crash or an unanswered request leaves the text in doubt instead of queued to be sent again.
   */
  beginAttempt?(recipients: string[], excluded: string[]): Promise<void>;
}

export type TextOutcome =
  | {
      status: "sent";
      bandwidthMessageId: string;
      /** Bandwidth's own count, from its answer; null when it gave none. */
      segmentCount: number | null;
      recipients: string[];
      excluded: string[];
    }
  | { status: "blocked"; excluded: string[] };

/**
 * The only way a text leaves the app. Consent is read here, immediately before the request, so no
 * caller (the modal, a thread reply, a retried job, a future feature) can text a number that has
 * opted out of the line.
 */
export class TextSender {
  constructor(
    private readonly db: Db,
    private readonly locks: Locks,
    private readonly bandwidth: BandwidthMessaging,
    private readonly logger: Logger,
    private readonly shutdown: Shutdown = NEVER_SHUTS_DOWN,
  ) {}

  /**
   * Sends, honouring a short `429 Retry-After` from Bandwidth by waiting and trying again (outside
   * the consent lock, so opt-outs are not held up). Longer waits are left to the job's retries.
   */
  async sendRespectingRateLimit(request: TextRequest, maxWaitMs = 30_000): Promise<TextOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.send(request);
      } catch (error) {
        const wait = error instanceof BandwidthError && error.status === 429 ? error.retryAfterMs : null;
        if (wait === null || wait > maxWaitMs || attempt >= 3) throw error;
        this.logger.info({ tag: request.tag, waitMs: wait }, "Bandwidth rate limit: waiting as asked");
        await this.shutdown.sleep(wait);
      }
    }
  }

  async send(request: TextRequest): Promise<TextOutcome> {
    // Consent changes take this lock exclusively until they commit, so "opted out at the moment of
    // sending" is exact: an opt-out either commits before this read or waits for this send to end.
    return this.locks.withSharedLock(consentLockKey(request.line.id), () => this.sendLocked(request));
  }

  private async sendLocked(request: TextRequest): Promise<TextOutcome> {
    const unique = [...new Set(request.recipients)].filter((n) => n !== request.line.number);
    const consents = await this.db.consent.findMany({
      where: { lineId: request.line.id, number: { in: unique } },
    });
    const optedOut = new Map(
      consents.filter((c) => c.status === "OPTED_OUT").map((c) => [c.number, c.lastEventId]),
    );
    const allowed = unique.filter((number) => {
      const lastEvent = optedOut.get(number);
      if (lastEvent === undefined) return true;
      return (
        request.confirmsConsentEventId !== undefined &&
        unique.length === 1 &&
        lastEvent === request.confirmsConsentEventId
      );
    });
    const excluded = unique.filter((n) => !allowed.includes(n));
    if (allowed.length === 0) {
      this.logger.info(
        { tag: request.tag, excluded: excluded.length },
        "text not sent: no recipient may receive it",
      );
      return { status: "blocked", excluded };
    }
    await request.beginAttempt?.(allowed, excluded);
    const { id, segmentCount } = await this.bandwidth.send({
      from: request.line.number,
      to: allowed,
      text: request.text,
      media: request.media,
      tag: request.tag,
    });
    this.logger.info(
      { tag: request.tag, bandwidthMessageId: id, recipients: allowed.length },
      "text handed to Bandwidth",
    );
    return { status: "sent", bandwidthMessageId: id, segmentCount, recipients: allowed, excluded };
  }
}
