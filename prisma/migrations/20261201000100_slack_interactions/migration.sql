-- Slack interactions already acted on, so a replayed signed request takes effect once.

-- CreateTable
CREATE TABLE "SlackInteraction" (
    "dedupeKey" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SlackInteraction_pkey" PRIMARY KEY ("dedupeKey")
);

-- CreateIndex
CREATE INDEX "SlackInteraction_receivedAt_idx" ON "SlackInteraction"("receivedAt");
