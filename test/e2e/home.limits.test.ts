// However many lines, contacts, opt-outs and admins there are, every Home view stays within Block
// Kit's limits (100 blocks, 3000-character sections...), and paging reaches every contact.

import { blockKitProblems } from "../support/blockKitLimits";
import { eventually, type Harness, startHarness } from "../support/harness";
import {
  ADMIN,
  HOME_USERS,
  homeAction,
  MEMBER,
  nextHome,
  openHome,
  type SlackView,
  viewText,
} from "../support/homeDriver";

let h: Harness;

const LONG = "Ñame with accents and a long tail that goes on and on for a while";

beforeAll(async () => {
  h = await startHarness({ users: HOME_USERS, env: { PUBLIC_URL: "https://texts.example.com" } });
  const db = h.app.db;
  // 20 lines in all (2 seeded), with long names and custom messages.
  await db.line.createMany({
    data: Array.from({ length: 18 }, (_, i) => ({
      number: `+1984555${String(100 + i).padStart(4, "0")}`,
      name: `${LONG.slice(0, 40)} ${i}`,
      groupEnabled: i % 2 === 0,
      active: i % 5 !== 0,
      defaultChannel: "C0123LONGCHANNEL",
      optOutMessage: "x".repeat(2000),
    })),
  });
  // 500 contacts with 80-character names.
  await db.contact.createMany({
    data: Array.from({ length: 500 }, (_, i) => ({
      number: `+1212555${String(i).padStart(4, "0")}`,
      name: `${String(i).padStart(3, "0")} ${LONG}`.slice(0, 80),
    })),
  });
  // 300 opt-outs on one line, with 500-character reasons.
  const line = await db.line.findFirstOrThrow({ where: { name: "Sales" } });
  for (let i = 0; i < 300; i++) {
    const event = await db.consentEvent.create({
      data: {
        lineId: line.id,
        number: `+1212555${String(i).padStart(4, "0")}`,
        status: "OPTED_OUT",
        source: "ADMIN",
        actor: ADMIN,
        reason: "r".repeat(500),
      },
    });
    await db.consent.create({
      data: { lineId: line.id, number: event.number, status: "OPTED_OUT", lastEventId: event.id },
    });
  }
  // 60 app admins and 40 of the teammate's own conversations.
  await db.appAdmin.createMany({
    data: Array.from({ length: 60 }, (_, i) => ({
      userId: `UADM${String(i).padStart(4, "0")}`,
      addedBy: ADMIN,
    })),
  });
  for (let i = 0; i < 40; i++) {
    await db.groupConversation.create({
      data: {
        lineId: line.id,
        name: `${LONG} ${i}`,
        channelId: "CGENERAL",
        threadTs: `1700000000.${String(i).padStart(6, "0")}`,
        startedBy: MEMBER,
      },
    });
  }
});
afterAll(async () => {
  await h.stop();
});

function expectWithinLimits(view: SlackView) {
  expect(blockKitProblems(view as unknown as Record<string, unknown>)).toEqual([]);
  expect(view.blocks.length).toBeLessThanOrEqual(100);
}

test("every admin tab and the teammate's Home stay within Block Kit's limits", async () => {
  const home = await openHome(h, ADMIN);
  expectWithinLimits(home);
  const sizes: Record<string, number> = {};
  for (const tab of ["lines", "contacts", "optouts", "usage", "settings"]) {
    const view = await nextHome(h, ADMIN, () =>
      homeAction(h, ADMIN, { action_id: `home_nav_${tab}`, value: tab }, { view: home }),
    );
    expectWithinLimits(view);
    sizes[tab] = view.blocks.length;
  }
  const member = await openHome(h, MEMBER);
  expectWithinLimits(member);
  // Only active group lines are offered to teammates (every fifth added line is inactive, every
  // other one cannot send group texts).
  expect(viewText(member)).toContain("that g 2*");
  expect(viewText(member)).not.toContain("that g 1*");
  expect(viewText(member)).not.toContain("that g 10*");
  sizes.member = member.blocks.length;
  // The fake Slack refuses views over its limits too: none was refused.
  expect(h.slack.callsTo("views.publish").filter((c) => c.error)).toEqual([]);
  expect(Math.max(...Object.values(sizes))).toBeLessThanOrEqual(60);
});

test("paging through 500 contacts shows each one exactly once", async () => {
  const home = await openHome(h, ADMIN);
  let view = await nextHome(h, ADMIN, () =>
    homeAction(h, ADMIN, { action_id: "home_nav_contacts", value: "contacts" }, { view: home }),
  );
  const seen: string[] = [];
  for (let page = 0; page < 100; page++) {
    expectWithinLimits(view);
    for (const b of view.blocks) {
      const m = b.text?.text.match(/^\*(\d{3}) /);
      if (m?.[1]) seen.push(m[1]);
    }
    const next = view.blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === "home_page_next");
    if (!next) break;
    const current = view;
    view = await nextHome(h, ADMIN, () =>
      homeAction(h, ADMIN, { action_id: "home_page_next", value: String(next.value) }, { view: current }),
    );
  }
  expect(seen).toHaveLength(500);
  expect(new Set(seen).size).toBe(500);
  expect(viewText(view)).toContain("Showing 481–500 of 500 contacts");
});

test("paging through 20 lines", async () => {
  const home = await openHome(h, ADMIN);
  const first = await nextHome(h, ADMIN, () =>
    homeAction(h, ADMIN, { action_id: "home_nav_lines", value: "lines" }, { view: home }),
  );
  expect(viewText(first)).toContain("Showing 1–15 of 20 lines");
  const second = await nextHome(h, ADMIN, () =>
    homeAction(h, ADMIN, { action_id: "home_page_next", value: "1" }, { view: first }),
  );
  expect(viewText(second)).toContain("Showing 16–20 of 20 lines");
  expectWithinLimits(second);
  await eventually(() => h.slack.callsTo("views.publish").every((c) => !c.error));
});
