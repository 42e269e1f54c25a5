-- Storage (issue 13): half the bytes a row.
--
-- 1. Every instant becomes integer milliseconds since the Unix epoch, as the
--    client now writes them (src/time.ts; the driver adapter's unixepoch-ms):
--    6 bytes a value instead of 29 characters of ISO text, in each row and
--    in each index on it. julianday() reads the text the old client wrote
--    ("2026-08-03T16:00:00.000+00:00") and SQLite's CURRENT_TIMESTAMP
--    default ("2026-08-03 16:00:00"); it keeps milliseconds exactly (SQLite
--    holds a julian day as integer milliseconds). A text it cannot read is
--    left as it was: nothing stored is lost, and the client still reads text.
-- 2. The seed's idx_exacta_race_time becomes the exacta UNIQUE key itself
--    (race_id, fetched_at DESC, first_horse, second_horse), as idx_odds_entry
--    already is for win rows; the separate UNIQUE indexed every exacta row twice.
--
-- The indexes on instants are dropped first and made again after the
-- conversion (one sorted build instead of an index update per row). Applied
-- in one transaction with its _prisma_migrations row (src/migrate.ts): a
-- killed upgrade leaves the old format whole. The freed pages stay in the
-- file until `totewatch db vacuum` returns them to the disk.

DROP INDEX "idx_odds_race_time";
DROP INDEX "idx_odds_entry";
DROP INDEX "idx_exacta_race_time";
DROP INDEX "exacta_probable_race_id_fetched_at_first_horse_second_horse_key";
DROP INDEX "idx_alert_race";
DROP INDEX "idx_alert_sent";
DROP INDEX "idx_alert_delivery_pending";

UPDATE "track" SET
  "created_at" = CASE WHEN typeof("created_at") = 'text' THEN coalesce(CAST(round((julianday("created_at") - 2440587.5) * 86400000) AS INTEGER), "created_at") ELSE "created_at" END,
  "updated_at" = CASE WHEN typeof("updated_at") = 'text' THEN coalesce(CAST(round((julianday("updated_at") - 2440587.5) * 86400000) AS INTEGER), "updated_at") ELSE "updated_at" END
WHERE typeof("created_at") = 'text' OR typeof("updated_at") = 'text';

UPDATE "race" SET
  "post_time" = CASE WHEN typeof("post_time") = 'text' THEN coalesce(CAST(round((julianday("post_time") - 2440587.5) * 86400000) AS INTEGER), "post_time") ELSE "post_time" END,
  "card_as_of" = CASE WHEN typeof("card_as_of") = 'text' THEN coalesce(CAST(round((julianday("card_as_of") - 2440587.5) * 86400000) AS INTEGER), "card_as_of") ELSE "card_as_of" END,
  "off_at" = CASE WHEN typeof("off_at") = 'text' THEN coalesce(CAST(round((julianday("off_at") - 2440587.5) * 86400000) AS INTEGER), "off_at") ELSE "off_at" END,
  "created_at" = CASE WHEN typeof("created_at") = 'text' THEN coalesce(CAST(round((julianday("created_at") - 2440587.5) * 86400000) AS INTEGER), "created_at") ELSE "created_at" END,
  "updated_at" = CASE WHEN typeof("updated_at") = 'text' THEN coalesce(CAST(round((julianday("updated_at") - 2440587.5) * 86400000) AS INTEGER), "updated_at") ELSE "updated_at" END
WHERE typeof("post_time") = 'text' OR typeof("card_as_of") = 'text' OR typeof("off_at") = 'text' OR typeof("created_at") = 'text' OR typeof("updated_at") = 'text';

UPDATE "horse" SET
  "created_at" = CASE WHEN typeof("created_at") = 'text' THEN coalesce(CAST(round((julianday("created_at") - 2440587.5) * 86400000) AS INTEGER), "created_at") ELSE "created_at" END
WHERE typeof("created_at") = 'text';

UPDATE "entry" SET
  "scratched_at" = CASE WHEN typeof("scratched_at") = 'text' THEN coalesce(CAST(round((julianday("scratched_at") - 2440587.5) * 86400000) AS INTEGER), "scratched_at") ELSE "scratched_at" END,
  "created_at" = CASE WHEN typeof("created_at") = 'text' THEN coalesce(CAST(round((julianday("created_at") - 2440587.5) * 86400000) AS INTEGER), "created_at") ELSE "created_at" END,
  "updated_at" = CASE WHEN typeof("updated_at") = 'text' THEN coalesce(CAST(round((julianday("updated_at") - 2440587.5) * 86400000) AS INTEGER), "updated_at") ELSE "updated_at" END
WHERE typeof("scratched_at") = 'text' OR typeof("created_at") = 'text' OR typeof("updated_at") = 'text';

UPDATE "odds_snapshot" SET
  "fetched_at" = CASE WHEN typeof("fetched_at") = 'text' THEN coalesce(CAST(round((julianday("fetched_at") - 2440587.5) * 86400000) AS INTEGER), "fetched_at") ELSE "fetched_at" END,
  "created_at" = CASE WHEN typeof("created_at") = 'text' THEN coalesce(CAST(round((julianday("created_at") - 2440587.5) * 86400000) AS INTEGER), "created_at") ELSE "created_at" END
WHERE typeof("fetched_at") = 'text' OR typeof("created_at") = 'text';

UPDATE "exacta_probable" SET
  "fetched_at" = CASE WHEN typeof("fetched_at") = 'text' THEN coalesce(CAST(round((julianday("fetched_at") - 2440587.5) * 86400000) AS INTEGER), "fetched_at") ELSE "fetched_at" END,
  "created_at" = CASE WHEN typeof("created_at") = 'text' THEN coalesce(CAST(round((julianday("created_at") - 2440587.5) * 86400000) AS INTEGER), "created_at") ELSE "created_at" END
WHERE typeof("fetched_at") = 'text' OR typeof("created_at") = 'text';

UPDATE "alert" SET
  "triggered_at" = CASE WHEN typeof("triggered_at") = 'text' THEN coalesce(CAST(round((julianday("triggered_at") - 2440587.5) * 86400000) AS INTEGER), "triggered_at") ELSE "triggered_at" END,
  "sent_at" = CASE WHEN typeof("sent_at") = 'text' THEN coalesce(CAST(round((julianday("sent_at") - 2440587.5) * 86400000) AS INTEGER), "sent_at") ELSE "sent_at" END,
  "created_at" = CASE WHEN typeof("created_at") = 'text' THEN coalesce(CAST(round((julianday("created_at") - 2440587.5) * 86400000) AS INTEGER), "created_at") ELSE "created_at" END
WHERE typeof("triggered_at") = 'text' OR typeof("sent_at") = 'text' OR typeof("created_at") = 'text';

UPDATE "alert_delivery" SET
  "last_attempt_at" = CASE WHEN typeof("last_attempt_at") = 'text' THEN coalesce(CAST(round((julianday("last_attempt_at") - 2440587.5) * 86400000) AS INTEGER), "last_attempt_at") ELSE "last_attempt_at" END,
  "next_attempt_at" = CASE WHEN typeof("next_attempt_at") = 'text' THEN coalesce(CAST(round((julianday("next_attempt_at") - 2440587.5) * 86400000) AS INTEGER), "next_attempt_at") ELSE "next_attempt_at" END,
  "delivered_at" = CASE WHEN typeof("delivered_at") = 'text' THEN coalesce(CAST(round((julianday("delivered_at") - 2440587.5) * 86400000) AS INTEGER), "delivered_at") ELSE "delivered_at" END,
  "created_at" = CASE WHEN typeof("created_at") = 'text' THEN coalesce(CAST(round((julianday("created_at") - 2440587.5) * 86400000) AS INTEGER), "created_at") ELSE "created_at" END
WHERE typeof("last_attempt_at") = 'text' OR typeof("next_attempt_at") = 'text' OR typeof("delivered_at") = 'text' OR typeof("created_at") = 'text';

UPDATE "cursor" SET
  "updated_at" = CASE WHEN typeof("updated_at") = 'text' THEN coalesce(CAST(round((julianday("updated_at") - 2440587.5) * 86400000) AS INTEGER), "updated_at") ELSE "updated_at" END
WHERE typeof("updated_at") = 'text';

CREATE INDEX "idx_odds_race_time" ON "odds_snapshot"("race_id", "fetched_at" DESC);
CREATE UNIQUE INDEX "idx_odds_entry" ON "odds_snapshot"("entry_id", "fetched_at" DESC);
CREATE UNIQUE INDEX "idx_exacta_race_time" ON "exacta_probable"("race_id", "fetched_at" DESC, "first_horse", "second_horse");
CREATE INDEX "idx_alert_race" ON "alert"("race_id", "triggered_at" DESC);
CREATE INDEX "idx_alert_sent" ON "alert"("sent", "triggered_at" DESC);
CREATE INDEX "idx_alert_delivery_pending" ON "alert_delivery"("delivered_at", "next_attempt_at");
