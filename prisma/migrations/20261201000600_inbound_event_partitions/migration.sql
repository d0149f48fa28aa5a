-- Stored callbacks are spread over partitions so that every instance takes in a share of them.
-- Callbacks stored before this migration all fall in partition 0: their order is kept, and whichever
-- instance holds partition 0 takes them in.
ALTER TABLE "InboundEvent" ADD COLUMN "partition" SMALLINT NOT NULL DEFAULT 0;

CREATE INDEX "InboundEvent_state_partition_seq_idx" ON "InboundEvent"("state", "partition", "seq");
