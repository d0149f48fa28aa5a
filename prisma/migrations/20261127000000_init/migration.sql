-- CreateEnum
CREATE TYPE "ConsentStatus" AS ENUM ('OPTED_IN', 'OPTED_OUT');

-- CreateEnum
CREATE TYPE "ConsentSource" AS ENUM ('KEYWORD', 'ADMIN', 'IMPORT');

-- CreateEnum
CREATE TYPE "MessageKind" AS ENUM ('INBOUND', 'OUTBOUND', 'NOTICE', 'COMPLIANCE');

-- CreateEnum
CREATE TYPE "SendState" AS ENUM ('NONE', 'QUEUED', 'SENT', 'FAILED', 'BLOCKED');

-- CreateEnum
CREATE TYPE "PostState" AS ENUM ('NONE', 'PENDING', 'POSTED', 'FAILED');

-- CreateEnum
CREATE TYPE "DeliveryStatus" AS ENUM ('QUEUED', 'SENDING', 'SENT', 'DELIVERED', 'FAILED');

-- CreateEnum
CREATE TYPE "GroupStartState" AS ENUM ('PENDING', 'SENT', 'FAILED');

-- CreateTable
CREATE TABLE "Line" (
    "id" UUID NOT NULL,
    "number" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "groupEnabled" BOOLEAN NOT NULL DEFAULT false,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "defaultChannel" TEXT,
    "optOutMessage" TEXT,
    "optInMessage" TEXT,
    "helpMessage" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Line_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Contact" (
    "id" UUID NOT NULL,
    "number" TEXT NOT NULL,
    "name" TEXT,
    "createdBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Contact_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "GroupConversation" (
    "id" UUID NOT NULL,
    "lineId" UUID NOT NULL,
    "name" TEXT,
    "channelId" TEXT,
    "threadTs" TEXT,
    "startedBy" TEXT,
    "rootDirty" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "GroupConversation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConversationKey" (
    "id" UUID NOT NULL,
    "conversationId" UUID NOT NULL,
    "lineId" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConversationKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Participant" (
    "conversationId" UUID NOT NULL,
    "contactId" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "joinedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Participant_pkey" PRIMARY KEY ("conversationId","contactId")
);

-- CreateTable
CREATE TABLE "Consent" (
    "lineId" UUID NOT NULL,
    "number" TEXT NOT NULL,
    "status" "ConsentStatus" NOT NULL,
    "lastEventId" UUID NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Consent_pkey" PRIMARY KEY ("lineId","number")
);

-- CreateTable
CREATE TABLE "ConsentEvent" (
    "id" UUID NOT NULL,
    "lineId" UUID NOT NULL,
    "number" TEXT NOT NULL,
    "status" "ConsentStatus" NOT NULL,
    "source" "ConsentSource" NOT NULL,
    "actor" TEXT,
    "reason" TEXT,
    "messageId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConsentEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Message" (
    "id" UUID NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "conversationId" UUID NOT NULL,
    "kind" "MessageKind" NOT NULL,
    "text" TEXT NOT NULL DEFAULT '',
    "media" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "senderNumber" TEXT,
    "slackUserId" TEXT,
    "recipients" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "segments" INTEGER NOT NULL DEFAULT 0,
    "bandwidthMessageId" TEXT,
    "sourceKey" TEXT,
    "consentEventId" UUID,
    "sendState" "SendState" NOT NULL DEFAULT 'NONE',
    "sendError" TEXT,
    "sendAttempts" INTEGER NOT NULL DEFAULT 0,
    "postState" "PostState" NOT NULL DEFAULT 'NONE',
    "slackChannelId" TEXT,
    "slackTs" TEXT,
    "deliveryNotified" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Message_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Delivery" (
    "messageId" UUID NOT NULL,
    "number" TEXT NOT NULL,
    "status" "DeliveryStatus" NOT NULL DEFAULT 'QUEUED',
    "errorCode" INTEGER,
    "description" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Delivery_pkey" PRIMARY KEY ("messageId","number")
);

-- CreateTable
CREATE TABLE "GroupStart" (
    "id" UUID NOT NULL,
    "lineId" UUID NOT NULL,
    "contactIds" TEXT[],
    "name" TEXT,
    "text" TEXT NOT NULL,
    "requestedBy" TEXT NOT NULL,
    "channelId" TEXT NOT NULL,
    "state" "GroupStartState" NOT NULL DEFAULT 'PENDING',
    "error" TEXT,
    "conversationId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "GroupStart_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InboundEvent" (
    "dedupeKey" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InboundEvent_pkey" PRIMARY KEY ("dedupeKey")
);

-- CreateTable
CREATE TABLE "Settings" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "appendSenderName" BOOLEAN NOT NULL DEFAULT false,
    "optOutKeywords" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "optInKeywords" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "helpKeywords" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Settings_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Line_number_key" ON "Line"("number");

-- CreateIndex
CREATE UNIQUE INDEX "Contact_number_key" ON "Contact"("number");

-- CreateIndex
CREATE INDEX "GroupConversation_lineId_idx" ON "GroupConversation"("lineId");

-- CreateIndex
CREATE UNIQUE INDEX "GroupConversation_channelId_threadTs_key" ON "GroupConversation"("channelId", "threadTs");

-- CreateIndex
CREATE INDEX "ConversationKey_conversationId_idx" ON "ConversationKey"("conversationId");

-- CreateIndex
CREATE UNIQUE INDEX "ConversationKey_lineId_key_key" ON "ConversationKey"("lineId", "key");

-- CreateIndex
CREATE INDEX "Participant_contactId_idx" ON "Participant"("contactId");

-- CreateIndex
CREATE INDEX "ConsentEvent_lineId_number_createdAt_idx" ON "ConsentEvent"("lineId", "number", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Message_seq_key" ON "Message"("seq");

-- CreateIndex
CREATE UNIQUE INDEX "Message_bandwidthMessageId_key" ON "Message"("bandwidthMessageId");

-- CreateIndex
CREATE UNIQUE INDEX "Message_sourceKey_key" ON "Message"("sourceKey");

-- CreateIndex
CREATE INDEX "Message_conversationId_postState_seq_idx" ON "Message"("conversationId", "postState", "seq");

-- CreateIndex
CREATE INDEX "Message_conversationId_sendState_seq_idx" ON "Message"("conversationId", "sendState", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "Message_slackChannelId_slackTs_key" ON "Message"("slackChannelId", "slackTs");

-- AddForeignKey
ALTER TABLE "GroupConversation" ADD CONSTRAINT "GroupConversation_lineId_fkey" FOREIGN KEY ("lineId") REFERENCES "Line"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConversationKey" ADD CONSTRAINT "ConversationKey_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "GroupConversation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConversationKey" ADD CONSTRAINT "ConversationKey_lineId_fkey" FOREIGN KEY ("lineId") REFERENCES "Line"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Participant" ADD CONSTRAINT "Participant_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "GroupConversation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Participant" ADD CONSTRAINT "Participant_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Consent" ADD CONSTRAINT "Consent_lineId_fkey" FOREIGN KEY ("lineId") REFERENCES "Line"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConsentEvent" ADD CONSTRAINT "ConsentEvent_lineId_fkey" FOREIGN KEY ("lineId") REFERENCES "Line"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Message" ADD CONSTRAINT "Message_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "GroupConversation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Delivery" ADD CONSTRAINT "Delivery_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "Message"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GroupStart" ADD CONSTRAINT "GroupStart_lineId_fkey" FOREIGN KEY ("lineId") REFERENCES "Line"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
