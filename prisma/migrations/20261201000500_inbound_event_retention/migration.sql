-- Retention deletes taken-in callbacks by age, a batch at a time (RETENTION_HOURS).
CREATE INDEX "InboundEvent_receivedAt_idx" ON "InboundEvent"("receivedAt");
