import type { Db, Tx } from "../db/client";
import { noticeRow, type ThreadNotice } from "../domain/notices";
import { participantKey } from "../domain/participants";
import { contactLabel, formatPhone, normalizePhone, splitPhoneList } from "../domain/phone";
import {
  mayAct,
  type Permission,
  parseGroupName,
  planParticipants,
  type ThreadAction,
} from "../domain/threadActions";
import type { ConversationAction } from "../generated/prisma/client";
import { ensureContacts, findConversationByKey, optedOutNumbers } from "./conversations";
import type { Interaction, InteractionReceipts } from "./interactions";

export interface ThreadActionDeps {
  db: Db;
  interactions: InteractionReceipts;
  requestThreadSync(conversationId: string): Promise<void>;
  isAdmin(userId: string): Promise<boolean>;
  /** Whether a member is in a channel, asked under a deadline (see ChannelAccess). */
  hasMember(channel: string, userId: string): Promise<boolean | "slow" | "failed">;
}

/** A change asked for from the thread root's menu or one of its modals. */
export type ThreadChange =
  | { kind: "rename"; name: string }
  /** `keep`: the current participants (E.164) left ticked; `add`: numbers typed in any format. */
  | { kind: "participants"; keep: string[]; add: string }
  | { kind: "close" }
  | { kind: "reopen" }
  | { kind: "assign"; to: string | null }
  | { kind: "take" };

export type ThreadChangeResult =
  | { status: "done" }
  /** Not allowed for this user: said privately, nothing changed. */
  | { status: "refused"; reason: string }
  /** The form's input cannot be applied; it may be corrected and sent again. */
  | { status: "invalid"; error: string }
  /** It already was so (closed twice, say): nothing recorded. */
  | { status: "unchanged"; reason: string }
  /** This very interaction took effect before (a replayed request). */
  | { status: "replay" }
  | { status: "missing" };

/** What a modal opened from the menu shows. */
export interface ThreadForm {
  conversationId: string;
  name: string | null;
  assignee: string | null;
  participants: { number: string; name: string | null }[];
}

class Invalid extends Error {
  constructor(readonly error: string) {
    super(error);
  }
}

const WORDS: Record<ThreadChange["kind"], ConversationAction> = {
  rename: "RENAME",
  participants: "PARTICIPANTS",
  close: "CLOSE",
  reopen: "REOPEN",
  assign: "ASSIGN",
  take: "ASSIGN",
};

function who(contact: { number: string; name: string | null }): string {
  return contactLabel(contact.name, contact.number);
}

/**
 * Acting on a conversation from its thread: rename, participants, close, reopen, assign. Every
 * change is checked here on the server (the channel's members; see domain/threadActions), takes
 * effect once per Slack interaction, and is recorded (ConversationEvent) and said in the thread.
 */
export class ThreadActionService {
  constructor(private readonly deps: ThreadActionDeps) {}

  /** The conversation whose thread root is this message, if any. */
  async find(channelId: string, rootTs: string): Promise<string | null> {
    const found = await this.deps.db.groupConversation.findUnique({
      where: { channelId_threadTs: { channelId, threadTs: rootTs } },
      select: { id: true },
    });
    return found?.id ?? null;
  }

  /** Whether `userId` may take `action` now; with what a modal for it shows. */
  async check(
    conversationId: string,
    userId: string,
    action: ThreadAction,
    target?: string | null,
  ): Promise<{ ok: true; form: ThreadForm } | { ok: false; reason: string }> {
    const conversation = await this.deps.db.groupConversation.findUnique({
      where: { id: conversationId },
      include: { participants: { include: { contact: true }, orderBy: { position: "asc" } } },
    });
    if (!conversation) return { ok: false, reason: "This conversation no longer exists." };
    // The assign modal may open for any channel member: who it goes to is checked on submission.
    const permission = await this.permission(
      conversation,
      userId,
      action,
      action === "assign" && target === undefined ? conversation.assignee : target,
    );
    if (!permission.ok) return { ok: false, reason: permission.reason };
    return {
      ok: true,
      form: {
        conversationId,
        name: conversation.name,
        assignee: conversation.assignee,
        participants: conversation.participants.map((p) => ({
          number: p.contact.number,
          name: p.contact.name,
        })),
      },
    };
  }

  /** Asks Slack (before any transaction) who the user is; `admin` is reused for the final check. */
  private async permission(
    conversation: { channelId: string | null; assignee: string | null },
    userId: string,
    action: ThreadAction,
    target?: string | null,
  ): Promise<Permission & { admin: boolean }> {
    if (!conversation.channelId)
      return { ok: false, reason: "This conversation has no thread yet.", admin: false };
    const [admin, member] = await Promise.all([
      this.deps.isAdmin(userId),
      this.deps.hasMember(conversation.channelId, userId),
    ]);
    if (member === "slow" || member === "failed")
      return {
        ok: false,
        reason: "Slack did not say in time whether you are in this channel, so nothing changed. Try again.",
        admin,
      };
    return { ...mayAct(action, { userId, admin, inChannel: member }, conversation, target), admin };
  }

  /**
   * Applies a change for `userId`, once per `interaction`: the claim commits with the change, so a
   * replayed request finds it and changes nothing, and a refused or invalid one leaves no claim.
   */
  async apply(
    conversationId: string,
    userId: string,
    interaction: Interaction,
    change: ThreadChange,
  ): Promise<ThreadChangeResult> {
    const { db } = this.deps;
    const before = await db.groupConversation.findUnique({ where: { id: conversationId } });
    if (!before) return { status: "missing" };
    const target = change.kind === "assign" ? change.to : undefined;
    const permission = await this.permission(before, userId, change.kind, target);
    if (!permission.ok) return { status: "refused", reason: permission.reason };
    let name: string | null = null;
    let typed: string[] = [];
    if (change.kind === "rename") {
      const parsed = parseGroupName(change.name);
      if (!parsed.ok) return { status: "invalid", error: parsed.error };
      name = parsed.name;
    }
    if (change.kind === "participants") {
      const bad: string[] = [];
      for (const raw of splitPhoneList(change.add)) {
        const result = normalizePhone(raw);
        if (result.ok) typed.push(result.e164);
        else bad.push(`${result.reason}.`);
      }
      if (bad.length) return { status: "invalid", error: bad.join(" ") };
      typed = [...new Set(typed)];
    }
    let result: ThreadChangeResult;
    try {
      result = await db.$transaction(async (tx) => {
        if (!(await this.deps.interactions.claim(interaction, tx))) return { status: "replay" } as const;
        // One change at a time per conversation: each reads the state the previous one left.
        await tx.$queryRaw`SELECT "id" FROM "GroupConversation" WHERE "id" = ${conversationId}::uuid FOR UPDATE`;
        const now = await loadForChange(tx, conversationId);
        if (!now) return { status: "missing" } as const;
        const said = await this.change(tx, now, userId, change, { name, typed, admin: permission.admin });
        if (typeof said === "string") return { status: "unchanged", reason: said } as const;
        await tx.conversationEvent.create({
          data: { conversationId, action: WORDS[change.kind], actor: userId, detail: said.detail },
        });
        await tx.message.create({
          data: { conversationId, ...noticeRow(said.notice), postState: "PENDING" },
        });
        await tx.groupConversation.update({ where: { id: conversationId }, data: { rootDirty: true } });
        return { status: "done" } as const;
      });
    } catch (error) {
      // Rolled back with its claim: the form may be corrected and sent again.
      if (error instanceof Invalid) return { status: "invalid", error: error.error };
      throw error;
    }
    if (result.status === "done") await this.deps.requestThreadSync(conversationId);
    return result;
  }

  /** Makes the change in the transaction; a string says why nothing needed changing. */
  private async change(
    tx: Tx,
    conversation: NonNullable<Awaited<ReturnType<typeof loadForChange>>>,
    userId: string,
    change: ThreadChange,
    input: { name: string | null; typed: string[]; admin: boolean },
  ): Promise<{ detail: string; notice: ThreadNotice } | string> {
    const id = conversation.id;
    const actor = userId;
    switch (change.kind) {
      case "rename": {
        if (input.name === conversation.name) return "The group already has that name.";
        await tx.groupConversation.update({ where: { id }, data: { name: input.name } });
        return input.name
          ? { detail: input.name, notice: { kind: "renamed", actor, name: input.name } }
          : { detail: "", notice: { kind: "name-removed", actor } };
      }
      case "close": {
        if (conversation.closedAt) return "This conversation is already closed.";
        await tx.groupConversation.update({ where: { id }, data: { closedAt: new Date() } });
        return { detail: "", notice: { kind: "closed", actor } };
      }
      case "reopen": {
        if (!conversation.closedAt) return "This conversation is already open.";
        await tx.groupConversation.update({ where: { id }, data: { closedAt: null } });
        return { detail: "", notice: { kind: "reopened", actor } };
      }
      case "assign":
      case "take": {
        const to = change.kind === "take" ? userId : change.to;
        // Checked again on the state this transaction holds: the holder may have changed meanwhile.
        const allowed = mayAct(
          change.kind,
          { userId, admin: input.admin, inChannel: true },
          conversation,
          to,
        );
        if (!allowed.ok) throw new Invalid(allowed.reason);
        if (to === conversation.assignee)
          return to === userId
            ? "It is already assigned to you."
            : to
              ? "It is already assigned to them."
              : "This conversation is already unassigned.";
        await tx.groupConversation.update({ where: { id }, data: { assignee: to } });
        return { detail: to ?? "", notice: { kind: "assigned", actor, to } };
      }
      case "participants":
        return this.changeParticipants(tx, conversation, actor, change.keep, input.typed);
    }
  }

  private async changeParticipants(
    tx: Tx,
    conversation: NonNullable<Awaited<ReturnType<typeof loadForChange>>>,
    actor: string,
    keep: string[],
    typed: string[],
  ): Promise<{ detail: string; notice: ThreadNotice }> {
    const current = conversation.participants.map((p) => p.contact.number);
    const plan = planParticipants({
      current,
      keep,
      add: typed,
      groupEnabled: conversation.line.groupEnabled,
      optedOut: await optedOutNumbers(tx, conversation.lineId, typed),
    });
    if (!plan.ok) throw new Invalid(plan.error);
    const other = await findConversationByKey(tx, conversation.lineId, plan.next);
    if (other && other.id !== conversation.id)
      throw new Invalid(
        "A conversation with exactly these people already exists on this line. Continue in its thread instead.",
      );
    const contacts = await ensureContacts(tx, plan.added, null);
    const removedIds = conversation.participants
      .filter((p) => plan.removed.includes(p.contact.number))
      .map((p) => p.contactId);
    await tx.participant.deleteMany({
      where: { conversationId: conversation.id, contactId: { in: removedIds } },
    });
    const last = conversation.participants.reduce((max, p) => Math.max(max, p.position), -1);
    await tx.participant.createMany({
      data: plan.added.map((number, index) => ({
        conversationId: conversation.id,
        contactId: contacts.find((c) => c.number === number)?.id ?? "",
        position: last + 1 + index,
      })),
    });
    // The phones know the new set as a new group: its replies land here, as the old set's still do
    // (its key stays this conversation's).
    await tx.conversationKey.createMany({
      data: [
        { conversationId: conversation.id, lineId: conversation.lineId, key: participantKey(plan.next) },
      ],
      skipDuplicates: true,
    });
    const named = new Map(
      [...conversation.participants.map((p) => p.contact), ...contacts].map((c) => [c.number, who(c)]),
    );
    const names = (numbers: string[]) => numbers.map((n) => named.get(n) ?? formatPhone(n));
    return {
      detail: [
        ...(plan.added.length ? [`added ${plan.added.join(", ")}`] : []),
        ...(plan.removed.length ? [`removed ${plan.removed.join(", ")}`] : []),
      ].join("; "),
      notice: {
        kind: "participants-changed",
        actor,
        added: names(plan.added),
        removed: names(plan.removed),
        count: plan.next.length,
      },
    };
  }
}

/** The conversation as a change reads it, in the transaction that makes it. */
function loadForChange(tx: Tx, conversationId: string) {
  return tx.groupConversation.findUnique({
    where: { id: conversationId },
    include: { line: true, participants: { include: { contact: true }, orderBy: { position: "asc" } } },
  });
}
