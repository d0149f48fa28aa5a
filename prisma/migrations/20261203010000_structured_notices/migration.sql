-- AlterTable
ALTER TABLE "Message" ADD COLUMN "notice" JSONB;
