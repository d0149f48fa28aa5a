import { DEFAULT_KEYWORDS } from "../../../src/domain/keywords";
import type { StoredEvent } from "../../../src/services/inbound";
import { chatTextsOf } from "../../../src/services/inboundBatch";
import { inboundMessageCallback } from "../../support/bandwidthSpec";

const LINE = "+19195550100";
const [A, B, C] = ["+12025550101", "+12025550102", "+12025550103"];

function received(from: string, group: string[], text: string, extra: { segmentCount?: number } = {}) {
  const callback = inboundMessageCallback({
    line: LINE,
    from,
    to: [LINE, ...group.filter((n) => n !== from)],
    text,
    ...extra,
  });
  return {
    dedupeKey: `bw:${callback.message.id}:message-received`,
    type: "message-received",
    payload: callback,
  };
}

const texts = (events: StoredEvent[]) => chatTextsOf(events, DEFAULT_KEYWORDS).map((t) => t.text);

describe("chatTextsOf: the leading run of plain texts of each lane", () => {
  test("a keyword cuts its own lane only", () => {
    const group = [A, B];
    const other = [A, C];
    expect(
      texts([
        received(A, group, "one"),
        received(B, group, "stop"),
        received(A, other, "elsewhere"),
        received(A, group, "after the stop"),
        received(C, other, "still elsewhere"),
      ]),
    ).toEqual(["one", "elsewhere", "still elsewhere"]);
  });

  test("a status goes one by one in its own lane; an unreadable payload, a NUL or a count PostgreSQL cannot hold cut theirs", () => {
    const group = [A, B];
    const status = { dedupeKey: "s", type: "message-delivered", payload: { message: { id: "x" } } };
    expect(texts([status, received(A, group, "fine")])).toEqual(["fine"]);
    expect(texts([received(A, group, "nul \u0000 inside"), received(A, group, "later")])).toEqual([]);
    expect(
      texts([received(A, group, "huge", { segmentCount: 3_000_000_000 }), received(A, group, "later")]),
    ).toEqual([]);
    const broken = {
      ...received(A, group, "x"),
      payload: { message: { id: "y", owner: LINE, from: A, to: [LINE, B] } },
    };
    expect(texts([broken, received(A, group, "later")])).toEqual([]);
  });

  test("keys the conversation as the one-by-one path does, and mends lone surrogates as the database would", () => {
    const [text] = chatTextsOf([received(B, [A, B, C], "half \ud800 pair")], DEFAULT_KEYWORDS);
    expect(text).toMatchObject({
      line: LINE,
      key: [A, B, C].sort().join(","),
      sender: B,
      text: "half \ufffd pair",
    });
  });
});
