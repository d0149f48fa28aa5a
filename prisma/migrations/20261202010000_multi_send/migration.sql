-- AlterTable
ALTER TABLE "GroupStart" ADD COLUMN "multiSendId" UUID;

-- CreateTable
CREATE TABLE "MultiSend" (
    "id" UUID NOT NULL,
    "lineId" UUID NOT NULL,
    "requestedBy" TEXT NOT NULL,
    "channelId" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "skipped" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "reportTs" TEXT,
    "finishedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MultiSend_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "MultiSend_finishedAt_idx" ON "MultiSend"("finishedAt");

-- CreateIndex
CREATE INDEX "GroupStart_multiSendId_idx" ON "GroupStart"("multiSendId");

-- AddForeignKey
ALTER TABLE "GroupStart" ADD CONSTRAINT "GroupStart_multiSendId_fkey" FOREIGN KEY ("multiSendId") REFERENCES "MultiSend"("id") ON DELETE SET NULL ON UPDATE CASCADE;
