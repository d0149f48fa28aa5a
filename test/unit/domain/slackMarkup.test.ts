import { mention, mrkdwn, SlackText, slackDate, slackLink } from "../../../src/domain/slackText";

describe("mrkdwn", () => {
  test("escapes every value, keeps the template's own markup and nested Slack text", () => {
    const name = "<!channel> & co";
    expect(mrkdwn`*${name}* by ${mention("U0DANA")}: ${mrkdwn`_${"<b>"}_`}`.markup).toBe(
      "*&lt;!channel&gt; &amp; co* by <@U0DANA>: _&lt;b&gt;_",
    );
  });

  test("a mention, a date or a link built from outside text cannot break out", () => {
    expect(mention("<!here>").markup).toBe("&lt;!here&gt;");
    expect(slackDate(new Date(0), "{date}|x>", "<!here>").markup).toBe("<!date^0^{date}x&gt;|&lt;!here&gt;>");
    expect(slackLink("https://evil|click", "go").markup).toBe("go");
    expect(slackLink("https://slack.com/archives/C1/p1", "<!here>").markup).toBe(
      "<https://slack.com/archives/C1/p1|&lt;!here&gt;>",
    );
  });

  test("clipping never cuts an entity or a token in half", () => {
    const text = mrkdwn`${"a".repeat(8)}&<@U1>`;
    expect(text.clip(11).markup).toBe("aaaaaaaa…");
    expect(SlackText.join([mrkdwn`${"a".repeat(8)}`, mention("U0DANA")], " ").clip(12).markup).toBe(
      "aaaaaaaa …",
    );
  });
});
