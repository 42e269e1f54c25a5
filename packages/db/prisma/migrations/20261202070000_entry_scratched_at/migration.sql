-- AlterTable
ALTER TABLE "entry" ADD COLUMN "scratched_at" DATETIME;
