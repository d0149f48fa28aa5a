import { z } from "zod";
import { inboundParticipants, participantKey } from "./participants";

/** A stored callback as far as ordering is concerned. */
export interface LaneEvent {
  dedupeKey: string;
  type: string;
  payload: unknown;
}

/**
 * How many partitions the stored callbacks are spread over. Each partition is taken in by one
 * instance at a time, so this bounds how many instances can share the work; it is far above any
 * deployment's instance count and small enough that rebalancing stays a handful of lock calls.
 * Changing it moves lanes between partitions: only do so with every instance stopped.
 */
export const PARTITIONS = 32;

/** What decides an event's lane; read from the payload the webhook route validated and stored. */
export const laneFields = z.object({
  to: z.string().optional(),
  message: z.object({
    id: z.string(),
    owner: z.string().optional(),
    from: z.string().optional(),
    to: z.array(z.string()).optional(),
  }),
});

/**
 * Events that must be taken in one after another share a lane: a contact's messages to one group
 * (line and set of numbers, as the conversation is found), or the statuses of one sent message.
 * Lanes are independent of each other.
 */
export function laneOf(event: LaneEvent): string {
  const parsed = laneFields.safeParse(event.payload);
  if (!parsed.success) return `event:${event.dedupeKey}`;
  const { message, to } = parsed.data;
  if (event.type !== "message-received") return `status:${message.id}`;
  const line = message.owner || to || "";
  return `group:${line}:${participantKey(inboundParticipants(line, message.from ?? "", message.to ?? []))}`;
}

/**
 * The partition a lane belongs to (FNV-1a, stable across processes and releases): every event of a
 * lane lands in the same partition, so one instance takes them in, in order.
 */
export function partitionOfLane(lane: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < lane.length; i++) {
    hash ^= lane.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % PARTITIONS;
}

export function partitionOf(event: LaneEvent): number {
  return partitionOfLane(laneOf(event));
}

/** How many partitions each of `instances` live instances should hold: an even share, rounded up. */
export function fairShare(instances: number): number {
  return Math.ceil(PARTITIONS / Math.max(1, instances));
}
