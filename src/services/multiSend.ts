import type { Db } from "../db/client";
import type { Locks } from "../db/locks";
import { tallyStates } from "../domain/multiSend";
import type { Logger } from "../logger";
import type { ThreadPublisher } from "./ports";

export interface MultiSendDeps {
  db: Db;
  locks: Locks;
  publisher: Pick<ThreadPublisher, "postNotice" | "updateNotice">;
  logger: Logger;
}

/**
 * Shows a multi-recipient send in its channel: one message, posted when the send begins and
 * updated as each recipient's text settles, ending with the summary. Its texts go out through
 * their own starts (GroupStartService); this only reads where they stand.
 */
export class MultiSendService {
  constructor(private readonly deps: MultiSendDeps) {}

  /** Job: brings the send's message up to date; idempotent, so a repeated job changes nothing. */
  async report(multiSendId: string): Promise<void> {
    // One at a time per send, so the message is posted once and updates land in order.
    await this.deps.locks.withLock(`multi-send:${multiSendId}`, () => this.show(multiSendId));
  }

  private async show(multiSendId: string): Promise<void> {
    const { db, publisher, logger } = this.deps;
    const send = await db.multiSend.findUnique({
      where: { id: multiSendId },
      include: { starts: { select: { state: true, conversationId: true } } },
    });
    if (!send || send.finishedAt) return;
    const [line, continued] = await Promise.all([
      db.line.findUnique({ where: { id: send.lineId }, select: { name: true, number: true } }),
      // A conversation made before the send was asked for is one its text continued.
      db.groupConversation.count({
        where: {
          id: {
            in: send.starts.flatMap((s) =>
              s.state === "SENT" && s.conversationId ? [s.conversationId] : [],
            ),
          },
          createdAt: { lt: send.createdAt },
        },
      }),
    ]);
    if (!line) return;
    const tally = tallyStates(
      send.starts.map((s) => s.state),
      send.skipped.length,
      continued,
    );
    const report = { kind: "multi-send-report", requestedBy: send.requestedBy, line, tally } as const;
    if (send.reportTs) {
      await publisher.updateNotice(send.channelId, send.reportTs, report);
    } else {
      const ts = await publisher.postNotice(send.channelId, report);
      await db.multiSend.update({ where: { id: send.id }, data: { reportTs: ts } });
    }
    if (tally.pending === 0) {
      await db.multiSend.update({ where: { id: send.id }, data: { finishedAt: new Date() } });
      logger.info({ multiSendId, ...tally }, "multi-recipient send finished");
    }
  }
}
