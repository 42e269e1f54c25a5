-- AlterTable
ALTER TABLE "race" ADD COLUMN "card_as_of" DATETIME;
