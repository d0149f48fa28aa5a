-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "slackFiles" JSONB;
