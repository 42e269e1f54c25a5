-- Delivery fixes of issue 11: a digest keeps its rows together across retries (digest_id:
-- the same alerts, so the same idempotency key), and a 429 holds the whole channel, rows stored
-- during the hold included (channel_hold), for every deliverer on the file.
-- AlterTable
ALTER TABLE "alert_delivery" ADD COLUMN "digest_id" INTEGER;

-- CreateTable
CREATE TABLE "channel_hold" (
    "channel" TEXT NOT NULL PRIMARY KEY,
    "held_until" DATETIME NOT NULL
);
