import fc from "fast-check";
import { defaultComplianceMessages } from "../../../src/domain/compliance";
import { classifyKeyword } from "../../../src/domain/keywords";
import { countSegments } from "../../../src/domain/segments";

describe("defaultComplianceMessages", () => {
  it("names the line and explains how to opt in and out", () => {
    expect(defaultComplianceMessages("Acme Dental")).toEqual({
      optOut:
        "Acme Dental: You have been unsubscribed and will receive no further messages from this number. Reply START to resubscribe.",
      optIn: "Acme Dental: You are subscribed again. Reply STOP to unsubscribe, HELP for help.",
      help: "Acme Dental: Reply STOP to unsubscribe. Msg & data rates may apply.",
    });
  });

  it("tidies the line name and drops the prefix when there is none", () => {
    expect(defaultComplianceMessages("  Acme   Dental ").help).toBe(
      "Acme Dental: Reply STOP to unsubscribe. Msg & data rates may apply.",
    );
    expect(defaultComplianceMessages("").help).toBe("Reply STOP to unsubscribe. Msg & data rates may apply.");
  });

  it("fits each message in one GSM-7 segment for a 30-character name", () => {
    const messages = defaultComplianceMessages("W".repeat(30));
    for (const text of Object.values(messages)) {
      expect(countSegments(text)).toMatchObject({ encoding: "GSM-7", segments: 1 });
      expect(text.length).toBeLessThanOrEqual(160);
    }
  });

  it("fits in one segment for any GSM-7 name up to 30 characters", () => {
    const name = fc.stringMatching(/^[A-Za-z0-9 &'.,-]{0,30}$/);
    fc.assert(
      fc.property(name, (n) => {
        for (const text of Object.values(defaultComplianceMessages(n))) {
          expect(countSegments(text)).toMatchObject({ encoding: "GSM-7", segments: 1 });
        }
      }),
    );
  });

  it("is not itself mistaken for a keyword", () => {
    for (const text of Object.values(defaultComplianceMessages("Acme")))
      expect(classifyKeyword(text)).toBeNull();
  });
});
