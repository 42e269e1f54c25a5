-- The dashboard (issue 10) asks on every commit it hears which races' cards changed: the
-- newest updated_at of race and entry, and the rows past a mark. Without an index that is
-- two scans of tables retention keeps whole (10 ms at 83,000 entries, measured); with these
-- it is a seek. Writers touch updated_at only on card, status and scratch changes.
CREATE INDEX "idx_race_updated" ON "race"("updated_at");
CREATE INDEX "idx_entry_updated" ON "entry"("updated_at");
