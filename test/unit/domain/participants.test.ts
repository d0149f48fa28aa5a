import fc from "fast-check";
import { inboundParticipants, MAX_GROUP_CONTACTS, participantKey } from "../../../src/domain/participants";

const LINE = "+19195550100";
const e164 = fc.integer({ min: 0, max: 99 }).map((n) => `+1212555${String(100 + n).padStart(4, "0")}`);

describe("participantKey", () => {
  it.each<[string[], string]>([
    [[], ""],
    [["+12125550143"], "+12125550143"],
    [["+12125550143", "+12125550101"], "+12125550101,+12125550143"],
    [["+12125550143", "+12125550101", "+12125550143"], "+12125550101,+12125550143"],
    [["+447400123456", "+12125550143", "+33612345678"], "+12125550143,+33612345678,+447400123456"],
  ])("keys %j as %j", (numbers, key) => {
    expect(participantKey(numbers)).toBe(key);
  });

  it("does not mutate its input", () => {
    const numbers = ["+12125550143", "+12125550101"];
    participantKey(numbers);
    expect(numbers).toEqual(["+12125550143", "+12125550101"]);
  });

  it("is independent of order and duplicates", () => {
    fc.assert(
      fc.property(fc.array(e164, { maxLength: 12 }), fc.nat(), (numbers, seed) => {
        const shuffled =
          fc.sample(fc.shuffledSubarray(numbers, { minLength: numbers.length }), { seed, numRuns: 1 })[0] ??
          [];
        const withDupes = [...shuffled, ...numbers.slice(0, seed % (numbers.length + 1))];
        expect(participantKey(withDupes)).toBe(participantKey(numbers));
      }),
    );
  });

  it("distinguishes different sets", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(e164, { maxLength: 10 }),
        fc.uniqueArray(e164, { maxLength: 10 }),
        (a, b) => {
          const sameSet = a.length === b.length && a.every((n) => b.includes(n));
          expect(participantKey(a) === participantKey(b)).toBe(sameSet);
        },
      ),
    );
  });
});

describe("inboundParticipants", () => {
  it.each<[string, string[], string[]]>([
    ["+12125550143", [LINE], ["+12125550143"]],
    ["+12125550143", [LINE, "+12125550101"], ["+12125550101", "+12125550143"]],
    ["+12125550143", ["+12125550101", LINE, "+12125550143"], ["+12125550101", "+12125550143"]],
    ["+12125550143", ["+12125550199", LINE, "+12125550199"], ["+12125550143", "+12125550199"]],
    ["+12125550143", [], ["+12125550143"]],
    [LINE, [LINE, "+12125550101"], ["+12125550101"]],
  ])("from %s to %j gives %j", (from, to, expected) => {
    expect(inboundParticipants(LINE, from, to)).toEqual(expected);
  });

  it("matches participantKey of the same group sent outbound", () => {
    const group = ["+12125550143", "+12125550101", "+12125550199"];
    const inbound = inboundParticipants(LINE, "+12125550101", [LINE, "+12125550199", "+12125550143"]);
    expect(participantKey(inbound)).toBe(participantKey(group));
  });

  it("never includes the line and always includes the sender", () => {
    fc.assert(
      fc.property(e164, fc.array(fc.oneof(e164, fc.constant(LINE)), { maxLength: 12 }), (from, to) => {
        const result = inboundParticipants(LINE, from, to);
        expect(result).not.toContain(LINE);
        expect(result).toContain(from);
        expect(new Set(result).size).toBe(result.length);
        expect(participantKey(result)).toBe(result.join(","));
      }),
    );
  });
});

it("MAX_GROUP_CONTACTS is 9", () => {
  expect(MAX_GROUP_CONTACTS).toBe(9);
});
