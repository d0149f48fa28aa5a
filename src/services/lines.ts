import type { LineSeed } from "../config";
import { type Db, isUniqueViolation } from "../db/client";
import { defaultComplianceMessages } from "../domain/compliance";
import { parseLineNumber } from "../domain/lineNumber";
import { formatPhone } from "../domain/phone";
import { MAX_TEXT_LENGTH } from "../domain/segments";
import type { Line } from "../generated/prisma/client";
import { complianceMessages } from "./consent";
import { type EditResult, errorsOrNull } from "./edits";

/**
 * BANDWIDTH_LINES seeds lines on start. A line already in the database keeps what admins changed
 * in the Home tab; only new numbers are added.
 */
export async function seedLines(db: Db, seeds: LineSeed[]): Promise<void> {
  await db.line.createMany({
    data: seeds.map((s) => ({
      number: s.number,
      name: s.name,
      groupEnabled: s.groupEnabled,
      defaultChannel: s.defaultChannel,
    })),
    skipDuplicates: true,
  });
  // createMany skips an existing row without failing when two instances start at once.
  await db.settings.createMany({ data: [{ id: 1 }], skipDuplicates: true });
}

export const MAX_LINE_NAME = 50;
const CHANNEL_ID = /^[CG][A-Z0-9]{2,}$/;

export interface LineInput {
  name: string;
  groupEnabled: boolean;
  defaultChannel: string | null;
}

export type LineField = "number" | "name" | "options" | "channel";
export type ComplianceField = "optOut" | "optIn" | "help";

export interface ComplianceInput {
  optOut: string;
  optIn: string;
  help: string;
}

export type LineWithStats = Line & { optedOut: number; conversations: number };

/** Thread roots re-rendered right away after a line changes; the others refresh when next touched. */
const REFRESH_NOW = 200;

/** Lines as admins manage them in the Home tab. */
export class LineService {
  constructor(
    private readonly db: Db,
    private readonly requestThreadSync: (conversationId: string) => Promise<void> = async () => {},
  ) {}

  /** Active lines first, then by name. */
  async list(): Promise<LineWithStats[]> {
    const [lines, optedOut, conversations] = await Promise.all([
      this.db.line.findMany({ orderBy: [{ active: "desc" }, { name: "asc" }, { number: "asc" }] }),
      this.db.consent.groupBy({ by: ["lineId"], where: { status: "OPTED_OUT" }, _count: { _all: true } }),
      this.db.groupConversation.groupBy({ by: ["lineId"], _count: { _all: true } }),
    ]);
    return lines.map((line) => ({
      ...line,
      optedOut: optedOut.find((o) => o.lineId === line.id)?._count._all ?? 0,
      conversations: conversations.find((c) => c.lineId === line.id)?._count._all ?? 0,
    }));
  }

  /** Lines teammates can text from. */
  usable() {
    return this.db.line.findMany({ where: { active: true }, orderBy: [{ name: "asc" }, { number: "asc" }] });
  }

  get(id: string) {
    return this.db.line.findUnique({ where: { id } });
  }

  async create(input: LineInput & { number: string }): Promise<EditResult<Line, LineField>> {
    const errors = this.validate(input);
    const phone = parseLineNumber(input.number, input.groupEnabled);
    if (!phone.ok) errors.number = `${phone.reason}.`;
    else {
      const existing = await this.db.line.findUnique({ where: { number: phone.e164 } });
      if (existing) errors.number = `${formatPhone(phone.e164)} is already the line “${existing.name}”.`;
    }
    const invalid = errorsOrNull(errors);
    if (invalid || !phone.ok) return { status: "invalid", errors: invalid ?? {} };
    try {
      const line = await this.db.line.create({
        data: {
          number: phone.e164,
          name: input.name.trim(),
          groupEnabled: input.groupEnabled,
          defaultChannel: input.defaultChannel,
        },
      });
      return { status: "saved", value: line };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return {
        status: "invalid",
        errors: { number: `${formatPhone(phone.e164)} was just added as a line.` },
      };
    }
  }

  /** Saves name, group flag and channel if the line is still at `version` (its updatedAt). */
  async update(id: string, version: Date, input: LineInput): Promise<EditResult<Line, LineField>> {
    const line = await this.get(id);
    if (!line) return { status: "missing" };
    const errors = this.validate(input);
    if (input.groupEnabled) {
      const phone = parseLineNumber(line.number, true);
      if (!phone.ok) errors.options = `${phone.reason}.`;
    }
    const invalid = errorsOrNull(errors);
    if (invalid) return { status: "invalid", errors: invalid };
    const result = await this.updateAt<LineField>(id, version, {
      name: input.name.trim(),
      groupEnabled: input.groupEnabled,
      defaultChannel: input.defaultChannel,
    });
    if (result.status === "saved" && result.value.name !== line.name) await this.refreshThreads(id);
    return result;
  }

  /**
   * Deactivates or reactivates a line. Its threads' roots are re-rendered to say so. Returns null
   * when the line does not exist.
   */
  async setActive(id: string, active: boolean) {
    const updated = await this.db.line.updateMany({ where: { id, active: !active }, data: { active } });
    if (updated.count === 1) await this.refreshThreads(id);
    return this.get(id);
  }

  /** Thread roots show the line's name and whether it is active: mark them for re-rendering. */
  private async refreshThreads(lineId: string): Promise<void> {
    await this.db.groupConversation.updateMany({
      where: { lineId, threadTs: { not: null } },
      data: { rootDirty: true },
    });
    const recent = await this.db.groupConversation.findMany({
      where: { lineId, threadTs: { not: null } },
      orderBy: { updatedAt: "desc" },
      take: REFRESH_NOW,
      select: { id: true },
    });
    for (const c of recent) await this.requestThreadSync(c.id);
  }

  /** The compliance messages a line sends, with whether each is the built-in default. */
  compliance(line: Line) {
    const effective = complianceMessages(line);
    return {
      messages: effective,
      defaults: defaultComplianceMessages(line.name),
      custom: {
        optOut: line.optOutMessage !== null,
        optIn: line.optInMessage !== null,
        help: line.helpMessage !== null,
      },
    };
  }

  /**
   * Saves a line's compliance messages if it is still at `version`. A message equal to the default
   * is stored as "default" (null), so it keeps following the line's name.
   */
  async saveCompliance(
    id: string,
    version: Date,
    input: ComplianceInput,
  ): Promise<EditResult<Line, ComplianceField>> {
    const line = await this.get(id);
    if (!line) return { status: "missing" };
    const errors: Partial<Record<ComplianceField, string>> = {};
    for (const field of ["optOut", "optIn", "help"] as const) {
      const text = input[field].trim();
      if (!text) errors[field] = "Write the message, or use “Reset to defaults”.";
      else if (text.length > MAX_TEXT_LENGTH) errors[field] = `At most ${MAX_TEXT_LENGTH} characters.`;
    }
    const invalid = errorsOrNull(errors);
    if (invalid) return { status: "invalid", errors: invalid };
    const defaults = defaultComplianceMessages(line.name);
    const stored = (field: ComplianceField) => {
      const text = input[field].trim();
      return text === defaults[field] ? null : text;
    };
    return this.updateAt(id, version, {
      optOutMessage: stored("optOut"),
      optInMessage: stored("optIn"),
      helpMessage: stored("help"),
    });
  }

  /** Back to the built-in messages. Returns null when the line does not exist. */
  async resetCompliance(id: string) {
    const updated = await this.db.line.updateMany({
      where: { id },
      data: { optOutMessage: null, optInMessage: null, helpMessage: null },
    });
    return updated.count === 1 ? this.get(id) : null;
  }

  private validate(input: LineInput) {
    const errors: Partial<Record<LineField, string>> = {};
    const name = input.name.trim();
    if (!name) errors.name = "Give the line a name (shown in the modal and the threads).";
    else if (name.length > MAX_LINE_NAME) errors.name = `At most ${MAX_LINE_NAME} characters.`;
    if (input.defaultChannel && !CHANNEL_ID.test(input.defaultChannel)) {
      errors.channel = "Choose a public or private channel.";
    }
    return errors;
  }

  /** The optimistic write: only if nobody changed the line since `version`. */
  private async updateAt<F extends string>(
    id: string,
    version: Date,
    data: Partial<
      Pick<
        Line,
        "name" | "groupEnabled" | "defaultChannel" | "optOutMessage" | "optInMessage" | "helpMessage"
      >
    >,
  ): Promise<EditResult<Line, F>> {
    const updated = await this.db.line.updateMany({ where: { id, updatedAt: version }, data });
    const current = await this.get(id);
    if (!current) return { status: "missing" };
    return updated.count === 1 ? { status: "saved", value: current } : { status: "stale", current };
  }
}
