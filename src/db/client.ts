import { PrismaPg } from "@prisma/adapter-pg";
import { Prisma, PrismaClient } from "../generated/prisma/client";

export type Db = PrismaClient;
export type { Line } from "../generated/prisma/client";
export type Tx = Prisma.TransactionClient;
export { Prisma };

export function createDb(
  databaseUrl: string,
  onConnectionLost: (error: Error) => void = () => undefined,
  connections = 10,
): Db {
  // A dropped connection (PostgreSQL restarted, say) must not crash the process: the pool
  // replaces it, and the queries that needed it fail and are retried by their callers.
  const adapter = new PrismaPg(
    { connectionString: databaseUrl, max: connections },
    { onPoolError: onConnectionLost, onConnectionError: onConnectionLost },
  );
  return new PrismaClient({ adapter });
}

/** True for a unique-constraint violation: the signal that a concurrent writer got there first. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

/** A unique violation, serialization failure or deadlock: the transaction can simply run again. */
export function isRetryableConflict(error: unknown): boolean {
  return (
    error instanceof Prisma.PrismaClientKnownRequestError &&
    (error.code === "P2002" || error.code === "P2034")
  );
}

/**
 * A value PostgreSQL refuses (out of range, too long, malformed: SQLSTATE class 22), from Prisma or
 * from plain `pg`: storing it again cannot succeed.
 */
export function isDataError(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    if (error.code === "P2000" || error.code === "P2020") return true;
    const cause = (error.meta?.driverAdapterError as { cause?: { originalCode?: unknown } } | undefined)
      ?.cause;
    return typeof cause?.originalCode === "string" && cause.originalCode.startsWith("22");
  }
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("22");
}
