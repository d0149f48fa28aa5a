import { z } from "zod";
import type { Db, Tx } from "../db/client";
import { noticeRow, type ThreadNotice } from "../domain/notices";
import { describeCost } from "../domain/segments";
import type { Logger } from "../logger";
import { NEVER_SHUTS_DOWN, type Shutdown } from "../shutdown";
import type { BandwidthMessaging } from "./ports";

/**
 * Exactly once towards Bandwidth. A text whose request began (state SENDING, committed before the
 * request) but whose outcome the app does not know is *in doubt*: the process died, the request
 * timed out, or the connection dropped after the body was written. Sending it again could text
 * every recipient twice, so it is resolved from Bandwidth's own evidence instead:
 *   - a status callback carrying the text's tag (see InboundService), or
 *   - Bandwidth's List Messages: texts from the line to a recipient in the attempt's window that
 *     the app has not recorded against any other text.
 * Found: recorded as sent with Bandwidth's id. Not found within the bounded wait: the thread says
 * "not confirmed" and a teammate decides (Send again); the app never re-sends by itself.
 */

/** What a send's tag names: a conversation's message or a group start, and the attempt. */
export interface SendTag {
  kind: "m" | "gs";
  id: string;
  attempt: number | null;
}

export function sendTag(kind: "m" | "gs", id: string, attempt: number): string {
  return `${kind}:${id}:${attempt}`;
}

export function parseSendTag(tag: string | undefined): SendTag | null {
  const match = /^(m|gs):([0-9a-f-]{36})(?::(\d{1,9}))?$/i.exec(tag ?? "");
  if (!match?.[2]) return null;
  return { kind: match[1] === "gs" ? "gs" : "m", id: match[2], attempt: match[3] ? Number(match[3]) : null };
}

/** States in which a message's latest request may have been taken by Bandwidth without the app knowing. */
export const UNRESOLVED_SEND_STATES = ["SENDING", "IN_DOUBT", "UNCONFIRMED"] as const;

/**
 * Records a message's text as taken by Bandwidth, once: its deliveries and, for a teammate's text,
 * the thread's "Texted to…" notice. False when it was already recorded (by the request's answer, a
 * callback or List Messages, whichever came first) or is no longer waiting for an outcome.
 */
export async function recordMessageSent(
  tx: Tx,
  messageId: string,
  bandwidthMessageId: string,
  attempt: number | null = null,
): Promise<boolean> {
  const { count } = await tx.message.updateMany({
    where: {
      id: messageId,
      sendState: { in: [...UNRESOLVED_SEND_STATES] },
      ...(attempt === null ? {} : { sendAttempts: attempt }),
    },
    data: { sendState: "SENT", bandwidthMessageId, sendError: null },
  });
  if (count === 0) return false;
  const message = await tx.message.findUniqueOrThrow({ where: { id: messageId } });
  await tx.delivery.createMany({
    data: message.recipients.map((number) => ({ messageId, number })),
    skipDuplicates: true,
  });
  await tx.message.create({
    data: {
      conversationId: message.conversationId,
      ...noticeRow(
        message.kind === "COMPLIANCE" ? await autoReplyNotice(tx, message) : textedNotice(message),
      ),
      postState: "PENDING",
    },
  });
  return true;
}

function textedNotice(message: {
  recipients: string[];
  excluded: string[];
  text: string;
  media: string[];
  slackUserId: string | null;
}): ThreadNotice {
  const n = message.recipients.length;
  // A teammate's reply may have been signed with their name (a Home setting): the thread shows what
  // the contacts read, which the reply itself in Slack does not.
  const signature = message.slackUserId ? SIGNATURE.exec(message.text)?.[1] : undefined;
  return {
    kind: "texted",
    recipients: n,
    signature: signature ?? null,
    cost: describeCost(n, message.text, message.media.length),
    excluded: message.excluded.length,
  };
}

/** The line OutboundService appends to a signed reply. */
const SIGNATURE = /\n(— [^\n]{1,200})$/;

/** A STOP, START or HELP reply is shown in the thread too, so the thread matches what contacts received. */
async function autoReplyNotice(
  tx: Tx,
  message: { recipients: string[]; text: string },
): Promise<ThreadNotice> {
  const number = message.recipients[0] ?? "";
  const contact = await tx.contact.findUnique({ where: { number }, select: { name: true } });
  const quoted = message.text.length > 300 ? `${message.text.slice(0, 299)}…` : message.text;
  return { kind: "auto-reply", contact: { name: contact?.name ?? null, number }, text: quoted };
}

/** The notice a not-confirmed text leaves in its thread; its sourceKey carries the message for Send again. */
export function unconfirmedNoticeKey(messageId: string, attempt: number): string {
  return `unconfirmed:${messageId}:${attempt}`;
}

export function sendAgainTarget(sourceKey: string | null): string | null {
  const match = /^unconfirmed:([0-9a-f-]{36}):\d+$/i.exec(sourceKey ?? "");
  return match?.[1] ?? null;
}

export interface EvidenceDeps {
  db: Db;
  bandwidth: Pick<BandwidthMessaging, "listSent">;
  logger: Logger;
  /** The bounded wait, from the start of the attempt. */
  confirmWaitMs: number;
  shutdown?: Shutdown;
}

const callbackIdSchema = z.object({ message: z.object({ id: z.string().min(1) }) });

/** Clocks differ; Bandwidth stamps a text when it receives it, after our attempt began. */
const CLOCK_SKEW_MS = 5_000;

export class SendEvidence {
  constructor(private readonly deps: EvidenceDeps) {}

  get confirmWaitMs(): number {
    return this.deps.confirmWaitMs;
  }

  /**
   * Bandwidth's id for a text from `line` to `recipients` taken since `startedAt`, that no other
   * text of the app has claimed; null when List Messages shows none. Throws when it cannot be asked.
   */
  async find(line: string, recipients: string[], startedAt: Date): Promise<string | null> {
    const [first] = [...recipients].sort();
    if (!first) return null;
    const listed = await this.deps.bandwidth.listSent({
      from: line,
      to: first,
      since: new Date(startedAt.getTime() - CLOCK_SKEW_MS),
      until: new Date(Date.now() + CLOCK_SKEW_MS),
    });
    const candidates = listed.filter(
      (t) => t.destination === first && (t.recipientCount === null || t.recipientCount === recipients.length),
    );
    if (candidates.length === 0) return null;
    const known = await this.deps.db.message.findMany({
      where: { bandwidthMessageId: { in: candidates.map((c) => c.messageId) } },
      select: { bandwidthMessageId: true },
    });
    const claimed = new Set(known.map((k) => k.bandwidthMessageId));
    const unclaimed = candidates
      .filter((c) => !claimed.has(c.messageId))
      .sort((a, b) => (a.receivedAt?.getTime() ?? 0) - (b.receivedAt?.getTime() ?? 0));
    return unclaimed[0]?.messageId ?? null;
  }

  /** Bandwidth's id from a stored status callback that carries `tag`, taken in or not. */
  async findInCallbacks(tag: string): Promise<string | null> {
    const event = await this.deps.db.inboundEvent.findFirst({
      where: {
        provider: "bandwidth",
        type: { not: "message-received" },
        payload: { path: ["message", "tag"], equals: tag },
      },
      orderBy: { seq: "asc" },
      select: { payload: true },
    });
    const parsed = callbackIdSchema.safeParse(event?.payload);
    return parsed.success ? parsed.data.message.id : null;
  }

  /**
   * Waits, looking at Bandwidth's evidence, until `settled` says the text was resolved (a callback
   * may do that meanwhile), evidence is found, or the bounded wait is over. Never sends.
   */
  async await(options: {
    /** The tag the request carried: a status callback stored with it is evidence too. */
    tag: string;
    line: string;
    recipients: string[];
    startedAt: Date;
    settled(): Promise<boolean>;
    found(bandwidthMessageId: string): Promise<boolean>;
  }): Promise<"settled" | "found" | "not-found"> {
    const { logger, confirmWaitMs } = this.deps;
    const shutdown = this.deps.shutdown ?? NEVER_SHUTS_DOWN;
    const deadline = options.startedAt.getTime() + confirmWaitMs;
    const pause = Math.min(5_000, Math.max(250, Math.floor(confirmWaitMs / 6)));
    for (;;) {
      if (await options.settled()) return "settled";
      try {
        const id =
          (await this.findInCallbacks(options.tag)) ??
          (await this.find(options.line, options.recipients, options.startedAt));
        if (id && (await options.found(id))) return "found";
      } catch (error) {
        // Bandwidth's evidence is unavailable: keep looking until the wait is over; the thread then
        // says "not confirmed", and a later status callback can still confirm it.
        logger.warn({ err: error }, "List Messages failed while resolving a text in doubt");
      }
      const left = deadline - Date.now();
      if (left <= 0) return (await options.settled()) ? "settled" : "not-found";
      await shutdown.sleep(Math.min(pause, left));
    }
  }
}
