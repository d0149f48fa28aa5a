-- AlterTable
ALTER TABLE "Settings" ADD COLUMN "noteMarker" TEXT NOT NULL DEFAULT '//';

-- AlterTable
ALTER TABLE "Message" ADD COLUMN "unsendNoticeAt" TIMESTAMP(3);
