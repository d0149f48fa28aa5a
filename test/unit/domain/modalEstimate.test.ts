import { countRecipients, modalEstimate } from "../../../src/domain/modalEstimate";

describe("the group modal's live estimate", () => {
  test("counts distinct picked contacts and distinct typed numbers that parse", () => {
    expect(countRecipients(["a", "b", "a"], "")).toBe(2);
    expect(countRecipients([], "(212) 555-0143, 212.555.0143\n+1 646 555 0101, 12, hello")).toBe(2);
    expect(countRecipients(["a"], "2125550143")).toBe(2);
    expect(countRecipients([], "")).toBe(0);
  });

  test("a group text is one MMS per contact, whatever its length", () => {
    const estimate = modalEstimate(9, "x".repeat(1_000));
    expect(estimate.cost).toBe("9 MMS (group text: 1 per contact, any length)");
    expect(estimate.ucs2).toEqual([]);
    expect(estimate.plain).toBeNull();
  });

  test("a text to one contact is SMS by segment, UCS-2 when a character forces it", () => {
    expect(modalEstimate(1, "Hello").cost).toBe("1 SMS (1 contact × 1 segment)");
    expect(modalEstimate(1, `${"a".repeat(100)}—`).cost).toBe("2 SMS (1 contact × 2 segments, UCS-2)");
  });

  test("no cost until there is a contact and a text", () => {
    expect(modalEstimate(0, "Hello").cost).toBeNull();
    expect(modalEstimate(3, "   ").cost).toBeNull();
  });

  test("names the characters that force UCS-2, and offers plain punctuation only when it changes the text", () => {
    const estimate = modalEstimate(2, "It’s 7 — bring 😀 “snacks”");
    expect(estimate.ucs2).toEqual(["’", "—", "😀", "“", "”"]);
    expect(estimate.plain).toBe('It\'s 7 - bring 😀 "snacks"');
    expect(modalEstimate(2, "Only 😀").plain).toBeNull();
  });
});
