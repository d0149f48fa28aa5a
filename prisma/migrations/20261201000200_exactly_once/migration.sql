-- Exactly once across crashes: sends and posts whose outcome is unknown are recorded as such and
-- resolved from the providers' evidence instead of being repeated.

-- AlterEnum
ALTER TYPE "SendState" ADD VALUE 'SENDING' BEFORE 'SENT';
ALTER TYPE "SendState" ADD VALUE 'IN_DOUBT' BEFORE 'SENT';
ALTER TYPE "SendState" ADD VALUE 'UNCONFIRMED';

-- AlterEnum
ALTER TYPE "PostState" ADD VALUE 'POSTING' BEFORE 'POSTED';

-- AlterTable
ALTER TABLE "Message"
    ADD COLUMN "sendStartedAt" TIMESTAMP(3),
    ADD COLUMN "excluded" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "GroupConversation" ADD COLUMN "rootPostingAt" TIMESTAMP(3);

-- AlterEnum
ALTER TYPE "GroupStartState" ADD VALUE 'SENDING' BEFORE 'SENT';
ALTER TYPE "GroupStartState" ADD VALUE 'UNCONFIRMED';

-- AlterTable
ALTER TABLE "GroupStart"
    ADD COLUMN "sendStartedAt" TIMESTAMP(3),
    ADD COLUMN "recipients" TEXT[] DEFAULT ARRAY[]::TEXT[];
