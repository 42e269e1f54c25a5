-- AlterTable
ALTER TABLE "race" ADD COLUMN "off_at" DATETIME;
