import fc from "fast-check";
import {
  classifyKeyword,
  DEFAULT_KEYWORDS,
  type KeywordKind,
  type KeywordLists,
  normalizeKeyword,
} from "../../../src/domain/keywords";

const KIND_OF: [KeywordKind, keyof KeywordLists][] = [
  ["opt-out", "optOut"],
  ["opt-in", "optIn"],
  ["help", "help"],
];
const allDefaults: [string, KeywordKind][] = KIND_OF.flatMap(([kind, key]) =>
  DEFAULT_KEYWORDS[key].map((k): [string, KeywordKind] => [k, kind]),
);
const allKeywordStrings = new Set(allDefaults.map(([k]) => k));

describe("DEFAULT_KEYWORDS", () => {
  it("lists the standard carrier keywords", () => {
    expect(DEFAULT_KEYWORDS).toEqual({
      optOut: ["STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"],
      optIn: ["START", "UNSTOP", "YES"],
      help: ["HELP", "INFO"],
    });
  });
});

describe("classifyKeyword", () => {
  it.each<[string, KeywordKind | null]>([
    ["STOP", "opt-out"],
    ["stop", "opt-out"],
    [" stop! ", "opt-out"],
    ["Stop.", "opt-out"],
    ["STOP ALL", "opt-out"],
    ["stop   all", "opt-out"],
    ["Stop\tAll\n", "opt-out"],
    ["stopall", "opt-out"],
    ["Unsubscribe", "opt-out"],
    ["cancel!!!", "opt-out"],
    ["end", "opt-out"],
    ["QUIT?", "opt-out"],
    ["revoke", "opt-out"],
    ["OptOut", "opt-out"],
    ["“STOP”", "opt-out"],
    ["¡¿stop?!", "opt-out"],
    ["🛑 STOP 🛑", "opt-out"],
    ["stop 👋🏽", "opt-out"],
    ["STOP ❤️", "opt-out"],
    ["ＳＴＯＰ", "opt-out"], // full-width
    ["\u200bstop\u200b", "opt-out"], // zero-width spaces
    ["\u00a0stop\u00a0", "opt-out"], // no-break spaces
    ["start", "opt-in"],
    ["Unstop", "opt-in"],
    ["yes", "opt-in"],
    ["Yes!", "opt-in"],
    ["help", "help"],
    ["HELP?", "help"],
    ["info", "help"],
    ["Please stop texting me", null],
    ["stop the music", null],
    ["stop stop", null],
    ["don't stop", null],
    ["stopping", null],
    ["s t o p", null],
    ["st-op", null],
    ["yes please", null],
    ["help me", null],
    ["opt out", null],
    ["", null],
    ["   ", null],
    ["!!!", null],
    ["🛑", null],
  ])("%j → %s", (text, kind) => {
    expect(classifyKeyword(text)).toBe(kind);
  });

  it("uses custom lists", () => {
    const lists: KeywordLists = { optOut: ["ARRÊT", "opt-out"], optIn: ["  go  on "], help: ["AIDE!"] };
    expect(classifyKeyword("arrêt", lists)).toBe("opt-out");
    expect(classifyKeyword("Opt-Out.", lists)).toBe("opt-out");
    expect(classifyKeyword("go on", lists)).toBe("opt-in");
    expect(classifyKeyword("aide", lists)).toBe("help");
    expect(classifyKeyword("stop", lists)).toBeNull();
  });

  it("keeps combining marks that belong to a keyword", () => {
    const lists: KeywordLists = { optOut: ["रोको"], optIn: [], help: [] };
    expect(classifyKeyword("रोको!", lists)).toBe("opt-out");
    expect(classifyKeyword("रोक", lists)).toBeNull();
  });

  it("prefers opt-out when a word is in several lists", () => {
    const lists: KeywordLists = { optOut: ["END"], optIn: ["END"], help: ["END"] };
    expect(classifyKeyword("end", lists)).toBe("opt-out");
    expect(classifyKeyword("end", { optOut: [], optIn: ["END"], help: ["END"] })).toBe("opt-in");
  });

  it("ignores empty keywords in a list", () => {
    expect(classifyKeyword("!", { optOut: ["", "  "], optIn: [], help: [] })).toBeNull();
  });

  const keyword = fc.constantFrom(...allDefaults);
  const edge = fc
    .array(
      fc.constantFrom(
        " ",
        "\t",
        "\n",
        ".",
        "!",
        "?",
        ",",
        "…",
        '"',
        "'",
        "“",
        "”",
        "(",
        ")",
        "-",
        "*",
        "😀",
        "🛑",
        "👍🏽",
        "❤️",
        "\u200b",
      ),
      {
        maxLength: 5,
      },
    )
    .map((parts) => parts.join(""));

  it("is invariant under case, surrounding punctuation and internal spacing for every default keyword", () => {
    fc.assert(
      fc.property(
        keyword,
        fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
        edge,
        edge,
        fc.integer({ min: 1, max: 4 }),
        ([k, kind], caseMask, before, after, spaces) => {
          const cased = Array.from(k)
            .map((ch, i) => (caseMask[i % caseMask.length] ? ch.toLowerCase() : ch.toUpperCase()))
            .join("")
            .replace(/ /g, " ".repeat(spaces));
          expect(classifyKeyword(`${before}${cased}${after}`)).toBe(kind);
        },
      ),
    );
  });

  it("returns null whenever a non-keyword word is added", () => {
    const word = fc.stringMatching(/^[A-Za-z]{1,8}(?:'[A-Za-z]{1,3})?$/);
    fc.assert(
      fc.property(keyword, word, fc.boolean(), edge, edge, ([k], w, wordFirst, before, after) => {
        const words = wordFirst ? `${w} ${k}` : `${k} ${w}`;
        fc.pre(!allKeywordStrings.has(normalizeKeyword(words)));
        expect(classifyKeyword(`${before}${words}${after}`)).toBeNull();
      }),
    );
  });
});

describe("normalizeKeyword", () => {
  it.each([
    ["stop", "STOP"],
    ["  Stop  ", "STOP"],
    ["stop   all", "STOP ALL"],
    ["stop\t\nall", "STOP ALL"],
    ["ＳＴＯＰ", "STOP"],
    ["arrêt", "ARRÊT"],
    ["opt-out", "OPT-OUT"],
    ["", ""],
  ])("%j → %j", (word, normalized) => {
    expect(normalizeKeyword(word)).toBe(normalized);
  });

  it("is idempotent", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(normalizeKeyword(normalizeKeyword(s))).toBe(normalizeKeyword(s));
      }),
    );
  });
});
