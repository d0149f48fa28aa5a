-- Callbacks are now acknowledged once stored, and turned into conversation entries afterwards.

-- CreateEnum
CREATE TYPE "InboundEventState" AS ENUM ('RECEIVED', 'PROCESSED', 'SKIPPED');

-- AlterTable: events stored before this migration were processed when they were stored.
ALTER TABLE "InboundEvent"
    ADD COLUMN "seq" BIGSERIAL NOT NULL,
    ADD COLUMN "state" "InboundEventState" NOT NULL DEFAULT 'PROCESSED',
    ADD COLUMN "attempts" INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN "notBefore" TIMESTAMP(3),
    ADD COLUMN "outcome" TEXT;
ALTER TABLE "InboundEvent" ALTER COLUMN "state" SET DEFAULT 'RECEIVED';

-- CreateIndex
CREATE UNIQUE INDEX "InboundEvent_seq_key" ON "InboundEvent"("seq");

-- CreateIndex
CREATE INDEX "InboundEvent_state_seq_idx" ON "InboundEvent"("state", "seq");
