import fc from "fast-check";
import { SENDER_ICON_PALETTE, senderIcon, senderIcons, senderLabel } from "../../../src/domain/labels";

const e164 = fc.integer({ min: 2_000_000_000, max: 9_999_999_999 }).map((n) => `+1${n}`);

describe("senderLabel", () => {
  it.each<[string | null | undefined, string, string]>([
    ["Dana Ruiz", "+12125550143", "Dana Ruiz"],
    ["  Dana Ruiz ", "+12125550143", "Dana Ruiz"],
    [null, "+12125550143", "(212) 555-0143"],
    [undefined, "+12125550143", "(212) 555-0143"],
    ["", "+12125550143", "(212) 555-0143"],
    ["   ", "+12125550143", "(212) 555-0143"],
    [null, "+33612345678", "+33 6 12 34 56 78"],
    [null, "garbage", "garbage"],
  ])("%j, %s → %j", (name, number, label) => {
    expect(senderLabel(name, number)).toBe(label);
  });
});

describe("senderIcon", () => {
  it("has a palette of at least 9 distinct Slack shortcodes", () => {
    expect(SENDER_ICON_PALETTE.length).toBeGreaterThanOrEqual(9);
    expect(new Set(SENDER_ICON_PALETTE).size).toBe(SENDER_ICON_PALETTE.length);
    for (const icon of SENDER_ICON_PALETTE) expect(icon).toMatch(/^:[a-z0-9_]+:$/);
  });

  it("is deterministic and from the palette", () => {
    fc.assert(
      fc.property(e164, (n) => {
        expect(senderIcon(n)).toBe(senderIcon(n));
        expect(SENDER_ICON_PALETTE).toContain(senderIcon(n));
      }),
    );
  });

  it("is stable across releases for a known number", () => {
    // Changing the hash or palette would reshuffle every contact's icon.
    expect(senderIcon("+12125550143")).toBe(":large_blue_square:");
  });

  it("spreads numbers over the whole palette", () => {
    const used = new Set<string>();
    for (let i = 0; i < 200; i++) used.add(senderIcon(`+1212555${String(i).padStart(4, "0")}`));
    expect(used.size).toBe(SENDER_ICON_PALETTE.length);
  });
});

describe("senderIcons", () => {
  it("is empty for no numbers", () => {
    expect(senderIcons([]).size).toBe(0);
  });

  it("uses each number's own icon when nothing collides", () => {
    const a = "+12125550143";
    const b = [...Array(100).keys()]
      .map((i) => `+1919555${String(i).padStart(4, "0")}`)
      .find((n) => senderIcon(n) !== senderIcon(a));
    if (!b) throw new Error("no non-colliding number found");
    expect(senderIcons([a, b])).toEqual(
      new Map([
        [a, senderIcon(a)],
        [b, senderIcon(b)],
      ]),
    );
  });

  it("is distinct within a group up to the palette size", () => {
    fc.assert(
      fc.property(fc.uniqueArray(e164, { maxLength: SENDER_ICON_PALETTE.length }), (numbers) => {
        const icons = senderIcons(numbers);
        expect(icons.size).toBe(numbers.length);
        expect(new Set(icons.values()).size).toBe(numbers.length);
      }),
    );
  });

  it("depends only on the set of numbers", () => {
    fc.assert(
      fc.property(fc.uniqueArray(e164, { maxLength: 12 }), (numbers) => {
        const reversed = [...numbers].reverse();
        expect([...senderIcons([...reversed, ...numbers]).entries()].sort()).toEqual(
          [...senderIcons(numbers).entries()].sort(),
        );
      }),
    );
  });

  it("still assigns every member an icon when the group exceeds the palette", () => {
    const numbers = [...Array(SENDER_ICON_PALETTE.length + 5).keys()].map(
      (i) => `+1212555${String(i).padStart(4, "0")}`,
    );
    const icons = senderIcons(numbers);
    expect(icons.size).toBe(numbers.length);
    expect(new Set(icons.values()).size).toBe(SENDER_ICON_PALETTE.length);
  });
});
