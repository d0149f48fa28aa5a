import { fairShare, laneOf, PARTITIONS, partitionOf, partitionOfLane } from "../../../src/domain/lanes";

const LINE = "+19195550100";

function received(id: string, from: string, to: string[]) {
  return {
    dedupeKey: `bw:${id}:message-received`,
    type: "message-received",
    payload: { type: "message-received", to: LINE, message: { id, owner: LINE, from, to: [LINE, ...to] } },
  };
}

function status(id: string, type: string, to: string) {
  return {
    dedupeKey: `bw:${id}:${type}:${to}`,
    type,
    payload: { type, to, message: { id, owner: LINE, from: LINE, to: [to] } },
  };
}

describe("laneOf: which stored callbacks are taken in one after another", () => {
  test("every member's message to one group shares a lane, whoever sends it", () => {
    const a = received("m1", "+16465550101", ["+16465550102", "+16465550103"]);
    const b = received("m2", "+16465550103", ["+16465550101", "+16465550102"]);
    expect(laneOf(a)).toBe(laneOf(b));
  });

  test("another set of numbers, or the same set on another line, is another lane", () => {
    const group = received("m1", "+16465550101", ["+16465550102"]);
    const smaller = received("m2", "+16465550101", []);
    const otherLine = {
      ...group,
      payload: {
        ...group.payload,
        to: "+19195550101",
        message: { ...group.payload.message, owner: "+19195550101" },
      },
    };
    expect(laneOf(smaller)).not.toBe(laneOf(group));
    expect(laneOf(otherLine)).not.toBe(laneOf(group));
  });

  test("the statuses of one sent message share a lane, apart from the messages", () => {
    const sent = status("s1", "message-sent", "+16465550101");
    const delivered = status("s1", "message-delivered", "+16465550102");
    expect(laneOf(sent)).toBe(laneOf(delivered));
    expect(laneOf(status("s2", "message-sent", "+16465550101"))).not.toBe(laneOf(sent));
  });

  test("a payload without the fields is a lane of its own", () => {
    const odd = { dedupeKey: "bw:x:message-received", type: "message-received", payload: { nothing: true } };
    expect(laneOf(odd)).toBe("event:bw:x:message-received");
  });
});

describe("partitions: which instance takes a lane in", () => {
  test("every event of a lane falls in the same partition, within range", () => {
    const a = received("p1", "+16465550101", ["+16465550102"]);
    const b = received("p2", "+16465550101", ["+16465550102"]);
    expect(partitionOf(a)).toBe(partitionOf(b));
    expect(partitionOf(a)).toBeGreaterThanOrEqual(0);
    expect(partitionOf(a)).toBeLessThan(PARTITIONS);
  });

  test("lanes spread over the partitions, so instances get comparable shares", () => {
    const counts = new Array<number>(PARTITIONS).fill(0);
    for (let i = 0; i < 3_200; i++) {
      const partition = partitionOfLane(`group:+19195550100:+1646555${String(i).padStart(4, "0")}`);
      counts[partition] = (counts[partition] ?? 0) + 1;
    }
    expect(Math.min(...counts)).toBeGreaterThan(50);
    expect(Math.max(...counts)).toBeLessThan(150);
  });

  test("a fair share rounds up, so the live instances together hold every partition", () => {
    expect(fairShare(1)).toBe(PARTITIONS);
    expect(fairShare(2) * 2).toBe(PARTITIONS);
    expect(fairShare(3) * 3).toBeGreaterThanOrEqual(PARTITIONS);
    expect(fairShare(0)).toBe(PARTITIONS);
  });
});
