import fc from "fast-check";
import {
  countSegments,
  describeCost,
  estimateSend,
  MAX_TEXT_LENGTH,
  messageCost,
  ucs2Characters,
  withPlainPunctuation,
} from "../../../src/domain/segments";

const GSM_BASIC_CHARS =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
  "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXT_CHARS = "\f^{}\\[~]|€";

const gsmChar = fc.constantFrom(...Array.from(GSM_BASIC_CHARS + GSM_EXT_CHARS));
const anyChar = fc.oneof(
  gsmChar,
  fc.constantFrom("é", "ç", "😀", "👍🏽", "日", "—", "’", "\u{1F1FA}\u{1F1F8}"),
  fc.string({ unit: "grapheme", maxLength: 1 }),
);

describe("countSegments", () => {
  it.each<[string, string, number, number]>([
    ["", "GSM-7", 0, 0],
    ["a", "GSM-7", 1, 1],
    ["Hello, world!", "GSM-7", 13, 1],
    ["x".repeat(160), "GSM-7", 160, 1],
    ["x".repeat(161), "GSM-7", 161, 2],
    ["x".repeat(306), "GSM-7", 306, 2],
    ["x".repeat(307), "GSM-7", 307, 3],
    ["x".repeat(459), "GSM-7", 459, 3],
    ["x".repeat(460), "GSM-7", 460, 4],
    ["€", "GSM-7", 2, 1],
    ["{}[]~\\|^€", "GSM-7", 18, 1],
    [`${"x".repeat(159)}€`, "GSM-7", 161, 2],
    [`${"x".repeat(158)}€`, "GSM-7", 160, 1],
    // An ESC+char pair is not split: 152 septets + "€" needs a new part.
    [`${"x".repeat(152)}€${"x".repeat(10)}`, "GSM-7", 164, 2],
    [`${"x".repeat(152)}€${"x".repeat(151)}`, "GSM-7", 305, 2],
    // 306 septets would fit 2 × 153, but the pair forces a third part.
    [`${"x".repeat(152)}€${"x".repeat(152)}`, "GSM-7", 306, 3],
    ["ÆØÅ æøå ÄÖÜ ß", "GSM-7", 13, 1],
    ["line1\nline2\r\n", "GSM-7", 13, 1],
    ["café ç", "UCS-2", 6, 1], // ç (lower-case) is not in GSM-7; only Ç is
    ["It’s", "UCS-2", 4, 1], // curly apostrophe
    [`${"é".repeat(160)}—`, "UCS-2", 161, 3],
    ["日".repeat(70), "UCS-2", 70, 1],
    ["日".repeat(71), "UCS-2", 71, 2],
    ["日".repeat(134), "UCS-2", 134, 2],
    ["日".repeat(135), "UCS-2", 135, 3],
    ["😀", "UCS-2", 2, 1],
    ["😀".repeat(35), "UCS-2", 70, 1],
    ["😀".repeat(36), "UCS-2", 72, 2],
    // 66 code units then an emoji: the surrogate pair moves to part 2 whole.
    [`${"a".repeat(65)}日😀${"a".repeat(66)}`, "UCS-2", 134, 3],
    ["👍🏽", "UCS-2", 4, 1],
  ])("counts %j", (text, encoding, units, segments) => {
    expect(countSegments(text)).toEqual({ encoding, units, segments });
  });

  it("handles a maximum-length message", () => {
    expect(countSegments("x".repeat(MAX_TEXT_LENGTH))).toEqual({
      encoding: "GSM-7",
      units: 2048,
      segments: 14,
    });
    expect(MAX_TEXT_LENGTH).toBe(2048);
  });

  it("never decreases when text is appended", () => {
    fc.assert(
      fc.property(fc.array(anyChar, { maxLength: 400 }), fc.array(anyChar, { maxLength: 50 }), (a, b) => {
        const prefix = a.join("");
        const whole = prefix + b.join("");
        expect(countSegments(whole).segments).toBeGreaterThanOrEqual(countSegments(prefix).segments);
        expect(countSegments(whole).units).toBeGreaterThanOrEqual(countSegments(prefix).units);
      }),
    );
  });

  it("is monotone in length for text of a single encoding", () => {
    fc.assert(
      fc.property(fc.constantFrom("x", "€", "日", "😀"), fc.nat(600), fc.nat(600), (ch, m, n) => {
        const [short, long] = m <= n ? [m, n] : [n, m];
        expect(countSegments(ch.repeat(long)).segments).toBeGreaterThanOrEqual(
          countSegments(ch.repeat(short)).segments,
        );
      }),
    );
  });

  it("has enough capacity for its units, and no more segments than needed", () => {
    fc.assert(
      fc.property(fc.array(anyChar, { maxLength: 700 }), (chars) => {
        const { encoding, units, segments } = countSegments(chars.join(""));
        const [single, multi] = encoding === "GSM-7" ? [160, 153] : [70, 67];
        const capacity = segments <= 1 ? single : multi;
        expect(segments * capacity).toBeGreaterThanOrEqual(units);
        expect(segments === 0).toBe(units === 0);
        // Keeping pairs whole can waste at most one unit per part.
        if (segments > 1) expect(segments).toBeLessThanOrEqual(Math.ceil(units / (multi - 1)));
      }),
    );
  });

  it("uses GSM-7 exactly when every character is in the GSM alphabet", () => {
    fc.assert(
      fc.property(fc.array(gsmChar, { maxLength: 300 }), (chars) => {
        const text = chars.join("");
        const ext = chars.filter((c) => GSM_EXT_CHARS.includes(c)).length;
        expect(countSegments(text)).toMatchObject({ encoding: "GSM-7", units: chars.length + ext });
      }),
    );
  });
});

describe("messageCost", () => {
  it.each([
    [9, 1, 9],
    [9, 2, 18],
    [9, 0, 9], // media-only MMS
    [1, 0, 1],
    [0, 3, 0],
    [3, 14, 42],
  ])("%i recipients × %i segments = %i", (recipients, segments, cost) => {
    expect(messageCost(recipients, segments)).toBe(cost);
  });
});

describe("describeCost: billed as carriers bill it", () => {
  it.each([
    // A text to several numbers is one group MMS, one per recipient, whatever its length.
    [9, "Hi all", 0, "9 MMS (group text: 1 per contact, any length)"],
    [9, "x".repeat(200), 0, "9 MMS (group text: 1 per contact, any length)"],
    [3, "日".repeat(135), 0, "3 MMS (group text: 1 per contact, any length)"],
    [2, "", 1, "2 MMS (group text: 1 per contact, any length)"],
    // To one number: SMS per segment, or one MMS with media.
    [1, "Hi", 0, "1 SMS (1 contact × 1 segment)"],
    [1, "x".repeat(200), 0, "2 SMS (1 contact × 2 segments)"],
    [1, `Long — ${"x".repeat(70)}`, 0, "2 SMS (1 contact × 2 segments, UCS-2)"],
    [1, "Look", 2, "1 MMS (1 contact, with media)"],
  ])("%i recipients, %j, %i media", (recipients, text, media, description) => {
    expect(describeCost(recipients, text, media)).toBe(description);
  });

  it("a long message with an em dash to 9 contacts is 9 MMS, not 9 × its UCS-2 segments", () => {
    const text = `Hi all — the meeting moved to 7pm. ${"Please bring your documents. ".repeat(10)}`;
    expect(countSegments(text)).toMatchObject({ encoding: "UCS-2", segments: 5 });
    expect(estimateSend(9, text)).toMatchObject({ channel: "MMS", messages: 9 });
    expect(estimateSend(1, text)).toMatchObject({ channel: "SMS", messages: 5 });
    expect(estimateSend(1, withPlainPunctuation(text))).toMatchObject({ channel: "SMS", messages: 3 });
  });
});

describe("characters that force UCS-2", () => {
  it("names each once, and plain punctuation replaces the typographic kind", () => {
    const text = "It’s “done” — see you… 日本";
    expect(ucs2Characters(text)).toEqual(["’", "“", "”", "—", "…", "日", "本"]);
    expect(withPlainPunctuation(text)).toBe('It\'s "done" - see you... 日本');
    expect(ucs2Characters(withPlainPunctuation(text))).toEqual(["日", "本"]);
    expect(ucs2Characters("plain GSM-7 text: {€}")).toEqual([]);
  });
});
