import type { LockSession } from "../db/locks";
import { senderIcons } from "../domain/labels";
import type { Logger } from "../logger";
import type { ChannelPacer } from "./channelPacer";
import { SlackRateLimited, type ThreadPublisher } from "./ports";
import { inboundEntryView, markPostedAndRelease, type ThreadState } from "./threadBatch";

export interface EntryBatchDeps {
  publisher: ThreadPublisher;
  logger: Logger;
  pacer: ChannelPacer;
  defaultChannel: string | undefined;
  /** Entries this process stored as POSTING to post itself; not in doubt while it lives. */
  fresh: Set<string>;
}

/** Posts in flight at once across a batch's threads (one at a time within a thread). */
const POSTS_AT_ONCE = 16;

/**
 * Posts contacts' new texts of many conversations together, in threads whose locks `session`
 * holds and whose state the statement that took the texts in read (see `takeChatTexts`); their
 * posts are marked and their locks released with one statement, where a drain costs about six
 * statements per conversation. Only the plain case is taken: a thread that exists and is up to
 * date, whose waiting entries are all the batch's own texts without media, in a channel Slack is
 * not pacing. Anything else is returned for the ordinary drain, which knows every case.
 */
export async function postTakenEntries(
  deps: EntryBatchDeps,
  session: LockSession,
  threads: readonly ThreadState[],
): Promise<{ posted: number; others: string[]; notify: string[] }> {
  const others: string[] = [];
  const notify: string[] = [];
  const plain: { thread: ThreadState; channel: string; threadTs: string }[] = [];
  for (const thread of threads) {
    const channel = thread.channelId ?? thread.defaultChannel ?? deps.defaultChannel ?? null;
    if (channel && thread.threadTs && isPlain(deps, thread, channel)) {
      plain.push({ thread, channel, threadTs: thread.threadTs });
      if (thread.pending.some((e) => e.notifyAssignee)) notify.push(thread.id);
    } else others.push(thread.id);
  }
  const done: { id: string; channel: string; ts: string }[] = [];
  const queue = [...plain];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const { thread, channel, threadTs } = next;
      const icons = senderIcons(thread.participants);
      for (const entry of thread.pending) {
        try {
          // Once tried, an entry is in doubt like any other until marked posted.
          deps.fresh.delete(entry.id);
          const view = inboundEntryView(entry.senderName, entry.sender ?? "", icons, entry.text);
          const sentAt = Date.now();
          const ts = await deps.publisher.postEntry(channel, threadTs, view, entry.id);
          deps.pacer.posted(channel, sentAt);
          done.push({ id: entry.id, channel, ts });
        } catch (error) {
          if (error instanceof SlackRateLimited) {
            // Slack says the post was not made: still this process's to post, by the drain.
            deps.fresh.add(entry.id);
            deps.pacer.limited(channel, Math.max(1_000, error.retryAfterMs));
          } else {
            deps.logger.warn({ err: error, messageId: entry.id }, "thread entry post failed; drained again");
          }
          others.push(thread.id);
          break;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(POSTS_AT_ONCE, plain.length) }, worker));
  await markPostedAndRelease(session, done);
  return { posted: done.length, others, notify };
}

function isPlain(deps: EntryBatchDeps, thread: ThreadState, channel: string): boolean {
  return (
    !thread.rootDirty &&
    thread.pending.length > 0 &&
    deps.pacer.nextPostAt(channel) === null &&
    thread.pending.every((e) => e.fresh && e.kind === "INBOUND" && e.media.length === 0)
  );
}
