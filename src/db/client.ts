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
