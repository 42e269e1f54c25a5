-- CreateTable
CREATE TABLE "track" (
    "track_id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "code" TEXT,
    "url" TEXT,
    "timezone" TEXT NOT NULL DEFAULT 'America/New_York',
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "race" (
    "race_id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "track_id" INTEGER NOT NULL,
    "race_date" TEXT NOT NULL,
    "race_number" INTEGER NOT NULL,
    "post_time" DATETIME,
    "status" TEXT NOT NULL DEFAULT 'scheduled',
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "race_track_id_fkey" FOREIGN KEY ("track_id") REFERENCES "track" ("track_id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "horse" (
    "horse_id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "entry" (
    "entry_id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "race_id" INTEGER NOT NULL,
    "horse_id" INTEGER NOT NULL,
    "program_number" TEXT NOT NULL,
    "morning_line_odds" REAL,
    "jockey" TEXT,
    "trainer" TEXT,
    "scratched" BOOLEAN NOT NULL DEFAULT false,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "entry_race_id_fkey" FOREIGN KEY ("race_id") REFERENCES "race" ("race_id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "entry_horse_id_fkey" FOREIGN KEY ("horse_id") REFERENCES "horse" ("horse_id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "odds_snapshot" (
    "snapshot_id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "race_id" INTEGER NOT NULL,
    "entry_id" INTEGER NOT NULL,
    "fetched_at" DATETIME NOT NULL,
    "win_odds" REAL,
    "win_odds_decimal" REAL,
    "win_pool_amount" INTEGER,
    "total_win_pool" INTEGER,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "odds_snapshot_race_id_fkey" FOREIGN KEY ("race_id") REFERENCES "race" ("race_id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "odds_snapshot_entry_id_fkey" FOREIGN KEY ("entry_id") REFERENCES "entry" ("entry_id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "exacta_probable" (
    "exacta_id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "race_id" INTEGER NOT NULL,
    "fetched_at" DATETIME NOT NULL,
    "first_horse" TEXT NOT NULL,
    "second_horse" TEXT NOT NULL,
    "payout" REAL NOT NULL,
    "total_exacta_pool" INTEGER,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "exacta_probable_race_id_fkey" FOREIGN KEY ("race_id") REFERENCES "race" ("race_id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "alert" (
    "alert_id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "triggered_at" DATETIME NOT NULL,
    "race_id" INTEGER,
    "entry_id" INTEGER,
    "alert_type" TEXT NOT NULL,
    "threshold_value" REAL,
    "actual_value" REAL,
    "message" TEXT NOT NULL,
    "sent" BOOLEAN NOT NULL DEFAULT false,
    "sent_at" DATETIME,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dedupe_key" TEXT NOT NULL,
    "subject" TEXT,
    "details" TEXT,
    CONSTRAINT "alert_race_id_fkey" FOREIGN KEY ("race_id") REFERENCES "race" ("race_id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "alert_entry_id_fkey" FOREIGN KEY ("entry_id") REFERENCES "entry" ("entry_id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "alert_delivery" (
    "delivery_id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "alert_id" INTEGER NOT NULL,
    "channel" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "last_attempt_at" DATETIME,
    "next_attempt_at" DATETIME,
    "delivered_at" DATETIME,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "alert_delivery_alert_id_fkey" FOREIGN KEY ("alert_id") REFERENCES "alert" ("alert_id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "cursor" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "position" INTEGER NOT NULL DEFAULT 0,
    "updated_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE UNIQUE INDEX "track_name_key" ON "track"("name");

-- CreateIndex
CREATE INDEX "idx_race_date" ON "race"("race_date");

-- CreateIndex
CREATE INDEX "idx_race_track" ON "race"("track_id", "race_date");

-- CreateIndex
CREATE UNIQUE INDEX "race_track_id_race_date_race_number_key" ON "race"("track_id", "race_date", "race_number");

-- CreateIndex
CREATE UNIQUE INDEX "horse_name_key" ON "horse"("name");

-- CreateIndex
CREATE UNIQUE INDEX "entry_race_id_program_number_key" ON "entry"("race_id", "program_number");

-- CreateIndex
CREATE INDEX "idx_odds_race_time" ON "odds_snapshot"("race_id", "fetched_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "idx_odds_entry" ON "odds_snapshot"("entry_id", "fetched_at" DESC);

-- CreateIndex
CREATE INDEX "idx_exacta_race_time" ON "exacta_probable"("race_id", "fetched_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "exacta_probable_race_id_fetched_at_first_horse_second_horse_key" ON "exacta_probable"("race_id", "fetched_at", "first_horse", "second_horse");

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
