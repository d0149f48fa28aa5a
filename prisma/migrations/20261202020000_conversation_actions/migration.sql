-- CreateEnum
CREATE TYPE "ConversationAction" AS ENUM ('RENAME', 'PARTICIPANTS', 'CLOSE', 'REOPEN', 'ASSIGN');

-- AlterTable
ALTER TABLE "GroupConversation" ADD COLUMN "closedAt" TIMESTAMP(3),
ADD COLUMN "assignee" TEXT;

-- AlterTable
ALTER TABLE "Message" ADD COLUMN "notifyAssignee" TEXT;

-- CreateTable
CREATE TABLE "ConversationEvent" (
    "id" UUID NOT NULL,
    "conversationId" UUID NOT NULL,
    "action" "ConversationAction" NOT NULL,
    "actor" TEXT,
    "detail" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConversationEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "GroupConversation_assignee_idx" ON "GroupConversation"("assignee");

-- CreateIndex
CREATE INDEX "ConversationEvent_conversationId_createdAt_idx" ON "ConversationEvent"("conversationId", "createdAt");

-- AddForeignKey
ALTER TABLE "ConversationEvent" ADD CONSTRAINT "ConversationEvent_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "GroupConversation"("id") ON DELETE CASCADE ON UPDATE CASCADE;
