-- CreateTable
CREATE TABLE "track" (
    "track_id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "code" TEXT,
    "url" TEXT,
    "timezone" TEXT NOT NULL DEFAULT 'America/New_York',
    "created_at" BIGINT NOT NULL DEFAULT (floor(extract(epoch from clock_timestamp()) * 1000))::bigint,
    "updated_at" BIGINT NOT NULL DEFAULT (floor(extract(epoch from clock_timestamp()) * 1000))::bigint,

    CONSTRAINT "track_pkey" PRIMARY KEY ("track_id")
);

-- CreateTable
CREATE TABLE "race" (
    "race_id" SERIAL NOT NULL,
    "track_id" INTEGER NOT NULL,
    "race_date" TEXT NOT NULL,
    "race_number" INTEGER NOT NULL,
    "post_time" BIGINT,
    "status" TEXT NOT NULL DEFAULT 'scheduled',
    "card_as_of" BIGINT,
    "off_at" BIGINT,
    "created_at" BIGINT NOT NULL DEFAULT (floor(extract(epoch from clock_timestamp()) * 1000))::bigint,
    "updated_at" BIGINT NOT NULL DEFAULT (floor(extract(epoch from clock_timestamp()) * 1000))::bigint,

    CONSTRAINT "race_pkey" PRIMARY KEY ("race_id")
);

-- CreateTable
CREATE TABLE "horse" (
    "horse_id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" BIGINT NOT NULL DEFAULT (floor(extract(epoch from clock_timestamp()) * 1000))::bigint,

    CONSTRAINT "horse_pkey" PRIMARY KEY ("horse_id")
);

-- CreateTable
CREATE TABLE "entry" (
    "entry_id" SERIAL NOT NULL,
    "race_id" INTEGER NOT NULL,
    "horse_id" INTEGER NOT NULL,
    "program_number" TEXT NOT NULL,
    "morning_line_odds" DOUBLE PRECISION,
    "jockey" TEXT,
    "trainer" TEXT,
    "scratched" BOOLEAN NOT NULL DEFAULT false,
    "scratched_at" BIGINT,
    "created_at" BIGINT NOT NULL DEFAULT (floor(extract(epoch from clock_timestamp()) * 1000))::bigint,
    "updated_at" BIGINT NOT NULL DEFAULT (floor(extract(epoch from clock_timestamp()) * 1000))::bigint,

    CONSTRAINT "entry_pkey" PRIMARY KEY ("entry_id")
);

-- CreateTable
CREATE TABLE "odds_snapshot" (
    "snapshot_id" BIGSERIAL NOT NULL,
    "race_id" INTEGER NOT NULL,
    "entry_id" INTEGER NOT NULL,
    "fetched_at" BIGINT NOT NULL,
    "win_odds" DOUBLE PRECISION,
    "win_odds_decimal" DOUBLE PRECISION,
    "win_pool_amount" INTEGER,
    "total_win_pool" INTEGER,
    "created_at" BIGINT NOT NULL DEFAULT (floor(extract(epoch from clock_timestamp()) * 1000))::bigint,

    CONSTRAINT "odds_snapshot_pkey" PRIMARY KEY ("snapshot_id")
);

-- CreateTable
CREATE TABLE "exacta_probable" (
    "exacta_id" BIGSERIAL NOT NULL,
    "race_id" INTEGER NOT NULL,
    "fetched_at" BIGINT NOT NULL,
    "first_horse" TEXT NOT NULL,
    "second_horse" TEXT NOT NULL,
    "payout" DOUBLE PRECISION NOT NULL,
    "total_exacta_pool" INTEGER,
    "created_at" BIGINT NOT NULL DEFAULT (floor(extract(epoch from clock_timestamp()) * 1000))::bigint,

    CONSTRAINT "exacta_probable_pkey" PRIMARY KEY ("exacta_id")
);

-- CreateTable
CREATE TABLE "alert" (
    "alert_id" SERIAL NOT NULL,
    "triggered_at" BIGINT NOT NULL,
    "race_id" INTEGER,
    "entry_id" INTEGER,
    "alert_type" TEXT NOT NULL,
    "threshold_value" DOUBLE PRECISION,
    "actual_value" DOUBLE PRECISION,
    "message" TEXT NOT NULL,
    "sent" BOOLEAN NOT NULL DEFAULT false,
    "sent_at" BIGINT,
    "created_at" BIGINT NOT NULL DEFAULT (floor(extract(epoch from clock_timestamp()) * 1000))::bigint,
    "dedupe_key" TEXT NOT NULL,
    "subject" TEXT,
    "details" TEXT,

    CONSTRAINT "alert_pkey" PRIMARY KEY ("alert_id")
);

-- CreateTable
CREATE TABLE "alert_delivery" (
    "delivery_id" SERIAL NOT NULL,
    "alert_id" INTEGER NOT NULL,
    "channel" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "last_attempt_at" BIGINT,
    "next_attempt_at" BIGINT,
    "delivered_at" BIGINT,
    "created_at" BIGINT NOT NULL DEFAULT (floor(extract(epoch from clock_timestamp()) * 1000))::bigint,
    "digest_id" INTEGER,

    CONSTRAINT "alert_delivery_pkey" PRIMARY KEY ("delivery_id")
);

-- CreateTable
CREATE TABLE "channel_hold" (
    "channel" TEXT NOT NULL,
    "held_until" BIGINT NOT NULL,

    CONSTRAINT "channel_hold_pkey" PRIMARY KEY ("channel")
);

-- CreateTable
CREATE TABLE "cursor" (
    "name" TEXT NOT NULL,
    "position" BIGINT NOT NULL DEFAULT 0,
    "updated_at" BIGINT NOT NULL DEFAULT (floor(extract(epoch from clock_timestamp()) * 1000))::bigint,

    CONSTRAINT "cursor_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE UNIQUE INDEX "track_name_key" ON "track"("name");

-- CreateIndex
CREATE INDEX "idx_race_date" ON "race"("race_date");

-- CreateIndex
CREATE INDEX "idx_race_track" ON "race"("track_id", "race_date");

-- CreateIndex
CREATE INDEX "idx_race_updated" ON "race"("updated_at");

-- CreateIndex
CREATE UNIQUE INDEX "race_track_id_race_date_race_number_key" ON "race"("track_id", "race_date", "race_number");

-- CreateIndex
CREATE UNIQUE INDEX "horse_name_key" ON "horse"("name");

-- CreateIndex
CREATE INDEX "idx_entry_updated" ON "entry"("updated_at");

-- CreateIndex
CREATE UNIQUE INDEX "entry_race_id_program_number_key" ON "entry"("race_id", "program_number");

-- CreateIndex
CREATE INDEX "idx_odds_race_time" ON "odds_snapshot"("race_id", "fetched_at" DESC);

-- CreateIndex
CREATE INDEX "brin_odds_fetched_at" ON "odds_snapshot" USING BRIN ("fetched_at");

-- CreateIndex
CREATE UNIQUE INDEX "idx_odds_entry" ON "odds_snapshot"("entry_id", "fetched_at" DESC);

-- CreateIndex
CREATE INDEX "brin_exacta_fetched_at" ON "exacta_probable" USING BRIN ("fetched_at");

-- CreateIndex
CREATE UNIQUE INDEX "idx_exacta_race_time" ON "exacta_probable"("race_id", "fetched_at" DESC, "first_horse", "second_horse");

-- CreateIndex
CREATE UNIQUE INDEX "alert_dedupe_key_key" ON "alert"("dedupe_key");

-- CreateIndex
CREATE INDEX "idx_alert_race" ON "alert"("race_id", "triggered_at" DESC);

-- CreateIndex
CREATE INDEX "idx_alert_sent" ON "alert"("sent", "triggered_at" DESC);

-- CreateIndex
CREATE INDEX "idx_alert_delivery_pending" ON "alert_delivery"("delivered_at", "next_attempt_at");

-- CreateIndex
CREATE UNIQUE INDEX "alert_delivery_alert_id_channel_key" ON "alert_delivery"("alert_id", "channel");

-- AddForeignKey
ALTER TABLE "race" ADD CONSTRAINT "race_track_id_fkey" FOREIGN KEY ("track_id") REFERENCES "track"("track_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "entry" ADD CONSTRAINT "entry_race_id_fkey" FOREIGN KEY ("race_id") REFERENCES "race"("race_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "entry" ADD CONSTRAINT "entry_horse_id_fkey" FOREIGN KEY ("horse_id") REFERENCES "horse"("horse_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "odds_snapshot" ADD CONSTRAINT "odds_snapshot_race_id_fkey" FOREIGN KEY ("race_id") REFERENCES "race"("race_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "odds_snapshot" ADD CONSTRAINT "odds_snapshot_entry_id_fkey" FOREIGN KEY ("entry_id") REFERENCES "entry"("entry_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "exacta_probable" ADD CONSTRAINT "exacta_probable_race_id_fkey" FOREIGN KEY ("race_id") REFERENCES "race"("race_id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert" ADD CONSTRAINT "alert_race_id_fkey" FOREIGN KEY ("race_id") REFERENCES "race"("race_id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert" ADD CONSTRAINT "alert_entry_id_fkey" FOREIGN KEY ("entry_id") REFERENCES "entry"("entry_id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_delivery" ADD CONSTRAINT "alert_delivery_alert_id_fkey" FOREIGN KEY ("alert_id") REFERENCES "alert"("alert_id") ON DELETE CASCADE ON UPDATE CASCADE;

