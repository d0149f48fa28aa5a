import { ErrorCode, type WebClient } from "@slack/web-api";
import { z } from "zod";
import type { Logger } from "../logger";
import type { ChannelAccess, ChannelCheck } from "../services/ports";

const channelInfo = z.object({
  channel: z.object({
    name: z.string().optional(),
    is_im: z.boolean().optional(),
    is_mpim: z.boolean().optional(),
    is_private: z.boolean().optional(),
    is_archived: z.boolean().optional(),
    is_member: z.boolean().optional(),
  }),
});

const membersPage = z.object({
  members: z.array(z.string()),
  response_metadata: z.object({ next_cursor: z.string().optional() }).optional(),
});

function platformError(error: unknown): string | null {
  if ((error as { code?: unknown } | null)?.code !== ErrorCode.PlatformError) return null;
  const data = (error as { data?: { error?: unknown } }).data;
  return typeof data?.error === "string" ? data.error : "unknown_error";
}

const SLOW = Symbol("slow");

/** The call's answer, or SLOW once the deadline passes (the client's own timeout ends the request). */
async function within<T>(deadlineMs: number, call: Promise<T>): Promise<T | typeof SLOW> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof SLOW>((resolve) => {
    timer = setTimeout(() => resolve(SLOW), deadlineMs);
  });
  call.catch(() => undefined);
  try {
    return await Promise.race([call, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * ChannelAccess on the Web API. `client` must neither retry nor wait out a 429 (and should time out
 * by itself near `deadlineMs`): the member is waiting on the modal, and a later answer is no answer.
 */
export function createChannelAccess(client: WebClient, logger: Logger, deadlineMs: number): ChannelAccess {
  return {
    async check(channel): Promise<ChannelCheck> {
      try {
        const answer = await within(deadlineMs, client.conversations.info({ channel }));
        if (answer === SLOW) return { kind: "slow" };
        const parsed = channelInfo.safeParse(answer);
        if (!parsed.success) return { kind: "failed" };
        const c = parsed.data.channel;
        const name = c.name ?? channel;
        if (c.is_im || c.is_mpim) return { kind: "not-a-channel" };
        if (c.is_archived) return { kind: "archived", name };
        if (c.is_member) return { kind: "member", name, private: c.is_private === true };
        return c.is_private ? { kind: "private-without-app", name } : { kind: "joinable", name };
      } catch (error) {
        // A private channel the app is not in is invisible to it: Slack answers channel_not_found.
        if (platformError(error) === "channel_not_found") return { kind: "private-without-app", name: null };
        logger.warn({ err: error }, "conversations.info failed while checking a picked channel");
        return { kind: "failed" };
      }
    },

    async hasMember(channel, userId) {
      const until = Date.now() + deadlineMs;
      let cursor: string | undefined;
      try {
        // Pages of 1,000 until found, the end, or the deadline: private channels are rarely that big.
        for (;;) {
          const left = until - Date.now();
          if (left <= 0) return "slow";
          const page = await within(
            left,
            client.conversations.members({ channel, limit: 1000, ...(cursor ? { cursor } : {}) }),
          );
          if (page === SLOW) return "slow";
          const parsed = membersPage.safeParse(page);
          if (!parsed.success) return "failed";
          if (parsed.data.members.includes(userId)) return true;
          cursor = parsed.data.response_metadata?.next_cursor || undefined;
          if (!cursor) return false;
        }
      } catch (error) {
        logger.warn({ err: error, slackError: platformError(error) }, "conversations.members failed");
        return "failed";
      }
    },

    async join(channel) {
      try {
        const answer = await within(deadlineMs, client.conversations.join({ channel }));
        return answer === SLOW ? "slow" : "joined";
      } catch (error) {
        logger.warn({ err: error, slackError: platformError(error) }, "conversations.join refused");
        return "refused";
      }
    },
  };
}
