import { inboundMessageCallback } from "../support/bandwidthSpec";
import { contactTexts, startGroup, teammateReplies } from "../support/flows";
import { type Harness, SALES_LINE, SECRETS, startHarness } from "../support/harness";

const TEXTS = {
  modal: "Secret party plans for Friday",
  inbound: "My door code is 4417",
  reply: "Great, bring the cake",
};

describe.each(["debug", "info"])("logs at %s level", (level) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ env: { LOG_LEVEL: level } });
  });
  afterAll(async () => {
    await h.stop();
  });

  test("a full run never logs a secret, and message bodies never at info", async () => {
    const numbers = ["+12125550181", "+12125550182"];
    const conversation = await startGroup(h, { numbers, message: TEXTS.modal });
    await contactTexts(h, { from: numbers[0] ?? "", others: [numbers[1] ?? ""], text: TEXTS.inbound });
    await h.slack.waitFor((calls) => calls.some((c) => c.args.text === TEXTS.inbound));
    await teammateReplies(h, {
      channel: conversation.channelId ?? "",
      threadTs: conversation.threadTs ?? "",
      text: TEXTS.reply,
    });
    await h.bandwidth.waitForMessages(2);
    await h.webhook(
      "inbound",
      [inboundMessageCallback({ line: SALES_LINE, from: numbers[0] ?? "", to: [SALES_LINE], text: "x" })],
      "Basic d3Jvbmc6d3Jvbmc=",
    );

    const logs = h.logs.join("");
    expect(logs.length).toBeGreaterThan(0);
    for (const [name, secret] of Object.entries(SECRETS)) {
      expect({ name, leaked: logs.includes(secret) }).toEqual({ name, leaked: false });
    }
    expect(logs).not.toContain(
      Buffer.from(`${SECRETS.callbackUser}:${SECRETS.callbackPassword}`).toString("base64"),
    );
    for (const line of h.logs.flatMap((chunk) => chunk.split("\n")).filter(Boolean)) {
      expect(() => JSON.parse(line)).not.toThrow();
    }
    if (level === "info") {
      for (const text of Object.values(TEXTS))
        expect({ text, logged: logs.includes(text) }).toEqual({ text, logged: false });
    }
  });
});
