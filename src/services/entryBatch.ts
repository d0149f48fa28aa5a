import type { Db } from "../db/client";
import type { Locks } from "../db/locks";
import { senderIcons } from "../domain/labels";
import type { Logger } from "../logger";
import type { ChannelPacer } from "./channelPacer";
import { SlackRateLimited, type ThreadPublisher } from "./ports";
import { inboundEntryView, markPosted, readThreads, type ThreadState } from "./threadBatch";

export interface EntryBatchDeps {
  db: Db;
  locks: Locks;
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
 * Posts contacts' new texts of many conversations together: their thread locks taken and released
 * with one statement each, their threads and entries read with one, and their posts marked with
 * one, where a drain costs about six statements per conversation. Only the plain case is taken: a
 * thread that exists and is up to date, whose waiting entries are all this process's fresh texts
 * without media, in a channel Slack is not pacing. Anything else is returned for the ordinary
 * drain, which knows every case.
 */
export async function postEntriesTogether(
  deps: EntryBatchDeps,
  conversationIds: readonly string[],
): Promise<{ posted: number; others: string[]; notify: string[] }> {
  const others: string[] = [];
  const notify: string[] = [];
  let posted = 0;
  const keys = conversationIds.map((id) => `thread:${id}`);
  await deps.locks.withFreeLocks(keys, async (held) => {
    const locked = new Set(held.map((k) => k.slice("thread:".length)));
    for (const id of conversationIds) if (!locked.has(id)) others.push(id);
    const threads = await readThreads(deps.db, [...locked]);
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
            const ts = await deps.publisher.postEntry(channel, threadTs, view, entry.id);
            deps.pacer.posted(channel);
            done.push({ id: entry.id, channel, ts });
          } catch (error) {
            if (error instanceof SlackRateLimited) {
              // Slack says the post was not made: still this process's to post, by the drain.
              deps.fresh.add(entry.id);
              deps.pacer.limited(channel, Math.max(1_000, error.retryAfterMs));
            } else {
              deps.logger.warn(
                { err: error, messageId: entry.id },
                "thread entry post failed; drained again",
              );
            }
            others.push(thread.id);
            break;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(POSTS_AT_ONCE, plain.length) }, worker));
    // Should this fail, the entries stay POSTING: whoever drains them next finds the posts and adopts them.
    await markPosted(deps.db, done);
    posted = done.length;
  });
  return { posted, others, notify };
}

function isPlain(deps: EntryBatchDeps, thread: ThreadState, channel: string): boolean {
  return (
    !thread.rootDirty &&
    thread.pending.length > 0 &&
    deps.pacer.nextPostAt(channel) === null &&
    thread.pending.every(
      (e) =>
        e.kind === "INBOUND" && e.postState === "POSTING" && e.media.length === 0 && deps.fresh.has(e.id),
    )
  );
}
