// A stored thread notice carries its plain-text line (Message.text) beside the structured notice the
// Slack edge renders: the two must say the same words, and a stored row must read back as it was.
import { noticePlainText, storedNotice, type ThreadNotice } from "../../../src/domain/notices";
import { renderNotice } from "../../../src/slack/views/notices";

/** Slack's markup taken off the app's own text: the leading emoji, mentions, links, dates, entities. */
function withoutMarkup(markup: string): string {
  return markup
    .replace(/^:[a-z_]+: /, "")
    .replace(/<@([A-Z0-9]+)>/g, "@$1")
    .replace(/<!date\^\d+\^[^|]*\|([^>]*)>/g, "$1")
    .replace(/<[^|<>]+\|([^<>]+)>/g, "$1")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

const ana = { name: "Ana R&D", number: "+12125550143" };
const post = { channel: "CSALES", ts: "1700000000.000100" };

/** One of each kind (the type fails when a kind is missing), some in both of their shapes. */
const SAMPLES: { [K in ThreadNotice["kind"]]: Extract<ThreadNotice, { kind: K }>[] } = {
  "not-delivered": [
    { kind: "not-delivered", contact: ana, description: "Carrier <x>", errorCode: 4720, entry: post },
    {
      kind: "not-delivered",
      contact: { name: null, number: ana.number },
      description: "x",
      errorCode: null,
      entry: null,
    },
  ],
  "report-set-aside": [{ kind: "report-set-aside", eventType: "message-sent" }],
  "text-set-aside": [
    { kind: "text-set-aside", from: ana.number, reason: "failed" },
    { kind: "text-set-aside", from: null, reason: "invalid" },
  ],
  "reopened-by-text": [{ kind: "reopened-by-text", contact: ana }],
  "reopened-by-start": [{ kind: "reopened-by-start", user: "U0DANA" }],
  "start-failed": [{ kind: "start-failed", alone: false, why: "Bandwidth said no.", requestedBy: "U0DANA" }],
  "start-blocked": [
    { kind: "start-blocked", alone: true },
    { kind: "start-blocked", alone: false },
  ],
  "start-unconfirmed": [{ kind: "start-unconfirmed", waitSeconds: 30 }],
  "reply-unconfirmed": [
    { kind: "reply-unconfirmed", waitSeconds: 30, what: { kind: "compliance", recipients: [ana.number] } },
    { kind: "reply-unconfirmed", waitSeconds: 30, what: { kind: "reply", entry: post } },
    { kind: "reply-unconfirmed", waitSeconds: 30, what: { kind: "reply", entry: null } },
  ],
  "send-again-chosen": [{ kind: "send-again-chosen", user: "U0DANA" }],
  "line-inactive": [{ kind: "line-inactive", line: "Sales & Support" }],
  "reply-failed": [{ kind: "reply-failed", reason: "the number cannot receive texts" }],
  texted: [
    { kind: "texted", recipients: 1, signature: null, cost: "1 SMS", excluded: 0 },
    { kind: "texted", recipients: 3, signature: "— Dana", cost: "3 MMS", excluded: 1 },
  ],
  "auto-reply": [{ kind: "auto-reply", contact: ana, text: "You are opted out." }],
  "consent-changed": [
    {
      kind: "consent-changed",
      contact: ana,
      status: "OPTED_OUT",
      byKeyword: true,
      actor: null,
      reason: "stop",
      at: "2026-12-01T10:00:00.000Z",
      remaining: 0,
    },
    {
      kind: "consent-changed",
      contact: ana,
      status: "OPTED_IN",
      byKeyword: false,
      actor: "U0ADMIN",
      reason: "asked by phone",
      at: "2026-12-01T10:00:00.000Z",
      remaining: 2,
    },
  ],
  renamed: [{ kind: "renamed", actor: "U0DANA", name: "Team <A>" }],
  "name-removed": [{ kind: "name-removed", actor: "U0DANA" }],
  closed: [{ kind: "closed", actor: "U0DANA" }],
  reopened: [{ kind: "reopened", actor: "U0DANA" }],
  assigned: [
    { kind: "assigned", actor: "U0DANA", to: null },
    { kind: "assigned", actor: "U0DANA", to: "U0DANA" },
    { kind: "assigned", actor: "U0DANA", to: "U0EVAN" },
  ],
  "participants-changed": [
    { kind: "participants-changed", actor: "U0DANA", added: ["A", "B", "C"], removed: ["D"], count: 4 },
    { kind: "participants-changed", actor: "U0DANA", added: [], removed: ["D"], count: 1 },
  ],
};

const samples = Object.values(SAMPLES).flat();

test.each(samples.map((notice) => [notice.kind, notice] as const))(
  "%s: the plain-text line says what the thread shows",
  (_kind, notice) => {
    expect(noticePlainText(notice)).toBe(withoutMarkup(renderNotice(notice).markup));
  },
);

test("a stored notice reads back: structured, markup of older rows as is, an unreadable one as plain text", () => {
  const notice = samples[0] as ThreadNotice;
  expect(storedNotice({ notice: JSON.parse(JSON.stringify(notice)), text: "x" })).toEqual(notice);
  expect(storedNotice({ notice: null, text: ":warning: <@U1> *old*" })).toEqual({
    kind: "stored-markup",
    markup: ":warning: <@U1> *old*",
  });
  expect(renderNotice(storedNotice({ notice: null, text: ":warning: <@U1> *old*" })).markup).toBe(
    ":warning: <@U1> *old*",
  );
  const unreadable = storedNotice({ notice: { kind: "from-the-future" }, text: "Ana <@U1> left" });
  expect(unreadable).toEqual({ kind: "unreadable", text: "Ana <@U1> left" });
  expect(renderNotice(unreadable).markup).toBe("Ana &lt;@U1&gt; left");
});
