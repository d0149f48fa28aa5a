import { ChannelPacer, SEND_MARGIN_MS, SLACK_POST_INTERVAL_MS } from "../../../src/services/channelPacer";

function pacerAt(start = 1_000_000) {
  const clock = { now: start };
  return { clock, pacer: new ChannelPacer(() => clock.now) };
}

describe("ChannelPacer: posting into a channel as fast as Slack allows", () => {
  test("a channel Slack has not limited is posted to without waiting", () => {
    const { pacer } = pacerAt();
    pacer.posted("C1");
    pacer.posted("C1");
    expect(pacer.nextPostAt("C1")).toBeNull();
  });

  test("after a 429 nothing goes before Retry-After, and then posts are a second apart", () => {
    const { clock, pacer } = pacerAt();
    const until = pacer.limited("C1", 2_000);
    expect(until).toBe(clock.now + 2_000);
    clock.now += 1_999;
    expect(pacer.nextPostAt("C1")).toBe(until);
    clock.now += 1;
    expect(pacer.nextPostAt("C1")).toBeNull();
    pacer.posted("C1");
    expect(pacer.nextPostAt("C1")).toBe(clock.now + SLACK_POST_INTERVAL_MS + SEND_MARGIN_MS);
    clock.now += SLACK_POST_INTERVAL_MS + SEND_MARGIN_MS;
    expect(pacer.nextPostAt("C1")).toBeNull();
  });

  test("the interval runs from when a post was sent, not from when Slack answered", () => {
    const { clock, pacer } = pacerAt();
    pacer.limited("C1", 1_000);
    clock.now += 1_000;
    const sentAt = clock.now;
    // Slack took 300 ms to answer: the next post may go 300 ms sooner than a second after the answer.
    clock.now += 300;
    pacer.posted("C1", sentAt);
    expect(pacer.nextPostAt("C1")).toBe(sentAt + SLACK_POST_INTERVAL_MS + SEND_MARGIN_MS);
  });

  test("another channel is not held up by one that is limited", () => {
    const { pacer } = pacerAt();
    pacer.limited("C1", 5_000);
    expect(pacer.nextPostAt("C2")).toBeNull();
  });

  test("a channel quiet for ten seconds is no longer paced", () => {
    const { clock, pacer } = pacerAt();
    pacer.limited("C1", 1_000);
    clock.now += 1_000;
    pacer.posted("C1");
    clock.now += 10_001;
    pacer.posted("C1");
    expect(pacer.nextPostAt("C1")).toBeNull();
  });
});
