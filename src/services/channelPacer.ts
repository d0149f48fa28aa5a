/** Slack's limit for posting into one channel: about one message per second. */
export const SLACK_POST_INTERVAL_MS = 1_000;
/** Added to the interval: a request may reach Slack a little sooner than the one before it did. */
export const SEND_MARGIN_MS = 25;
/** How long a channel stays paced after Slack last limited it, or after its last paced post. */
const PACED_FOR_MS = 10_000;

/**
 * Per-channel timing of posts, learnt from Slack's 429s. A channel Slack has not limited lately is
 * posted to as fast as entries come. Once it has been limited, its posts are spaced by Slack's
 * interval, so the next post goes out when it can succeed instead of costing a refused call and a
 * retry; other channels are not affected.
 */
export class ChannelPacer {
  private readonly freeAt = new Map<string, number>();
  private readonly pacedUntil = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** When the channel may next be posted to, or null for now. */
  nextPostAt(channel: string): number | null {
    const at = this.freeAt.get(channel);
    if (at === undefined) return null;
    if (at > this.now()) return at;
    this.freeAt.delete(channel);
    return null;
  }

  /** Slack refused a post with 429: nothing before `retryAfterMs`, and paced from now on. */
  limited(channel: string, retryAfterMs: number): number {
    const at = this.now() + retryAfterMs;
    this.freeAt.set(channel, at);
    this.pacedUntil.set(channel, this.now() + PACED_FOR_MS);
    return at;
  }

  /**
   * A post sent at `sentAt` went through. Slack counts a post from when it received it, so the
   * interval runs from the sending, with a small margin for the next request arriving sooner.
   */
  posted(channel: string, sentAt: number = this.now()): void {
    const until = this.pacedUntil.get(channel);
    if (until === undefined) return;
    if (until <= this.now()) {
      this.pacedUntil.delete(channel);
      return;
    }
    this.freeAt.set(channel, sentAt + SLACK_POST_INTERVAL_MS + SEND_MARGIN_MS);
    this.pacedUntil.set(channel, this.now() + PACED_FOR_MS);
  }
}
