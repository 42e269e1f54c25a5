-- The snapshot tables' references (odds_snapshot.race_id -> race, odds_snapshot.entry_id ->
-- entry, exacta_probable.race_id -> race), checked once per statement instead of once per row.
-- A foreign key runs one trigger and one look-up per row: for a 156-row exacta grid that was
-- about 40% of its insert (issue 12: 22% of a replay's time). The guarantees stay the foreign
-- keys' (ON DELETE RESTRICT ON UPDATE CASCADE), with their SQLSTATE (23503), constraint names
-- and messages:
-- - an INSERT or UPDATE naming a race or entry that does not exist fails, rows and all;
-- - every race or entry the statement names is locked FOR KEY SHARE until commit, so no one
--   deletes it meanwhile;
-- - deleting a race or entry that snapshots name fails; changing its id moves them along.
-- schema.prisma keeps the relations (Prisma's diff never sees this); SQLite keeps its
-- foreign keys.

ALTER TABLE "odds_snapshot" DROP CONSTRAINT "odds_snapshot_race_id_fkey";
ALTER TABLE "odds_snapshot" DROP CONSTRAINT "odds_snapshot_entry_id_fkey";
ALTER TABLE "exacta_probable" DROP CONSTRAINT "exacta_probable_race_id_fkey";

-- Refuses a snapshot statement as the foreign key on `table_name`.`column_name` would.
CREATE FUNCTION "snapshot_reference_refused"("table_name" TEXT, "column_name" TEXT, "referenced" TEXT, "missing" INTEGER)
RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'insert or update on table "%" violates foreign key constraint "%_%_fkey"',
    table_name, table_name, column_name
    USING ERRCODE = 'foreign_key_violation', TABLE = table_name,
      CONSTRAINT = table_name || '_' || column_name || '_fkey',
      DETAIL = format('Key (%s)=(%s) is not present in table "%s".', column_name, missing, referenced);
END $$;

-- After a statement on a snapshot table (its new rows in new_rows): every race_id names a race
-- and, on odds_snapshot, every entry_id an entry; each is locked FOR KEY SHARE until commit.
-- A snapshot statement names one race: one look-up. (new_rows is seen only here, not in a
-- function this one calls.)
CREATE FUNCTION "snapshot_references_exist"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  lo INTEGER;
  hi INTEGER;
  missing INTEGER;
  wanted INTEGER;
  locked INTEGER;
BEGIN
  SELECT min("race_id"), max("race_id") INTO lo, hi FROM new_rows;
  IF lo IS NULL THEN
    RETURN NULL;
  ELSIF lo = hi THEN
    PERFORM 1 FROM "race" WHERE "race_id" = lo FOR KEY SHARE;
    IF NOT FOUND THEN
      missing := lo;
    END IF;
  ELSE
    PERFORM 1 FROM "race" WHERE "race_id" IN (SELECT "race_id" FROM new_rows) FOR KEY SHARE;
    SELECT n."race_id" INTO missing
    FROM (SELECT DISTINCT "race_id" FROM new_rows) n
    WHERE NOT EXISTS (SELECT 1 FROM "race" r WHERE r."race_id" = n."race_id")
    LIMIT 1;
  END IF;
  IF missing IS NOT NULL THEN
    PERFORM "snapshot_reference_refused"(TG_TABLE_NAME, 'race_id', 'race', missing);
  END IF;
  IF TG_TABLE_NAME = 'odds_snapshot' THEN
    SELECT count(DISTINCT "entry_id") INTO wanted FROM new_rows;
    SELECT count(*) INTO locked FROM (
      SELECT 1 FROM "entry" WHERE "entry_id" IN (SELECT "entry_id" FROM new_rows) FOR KEY SHARE
    ) l;
    IF locked < wanted THEN
      SELECT n."entry_id" INTO missing
      FROM (SELECT DISTINCT "entry_id" FROM new_rows) n
      WHERE NOT EXISTS (SELECT 1 FROM "entry" e WHERE e."entry_id" = n."entry_id")
      LIMIT 1;
      PERFORM "snapshot_reference_refused"(TG_TABLE_NAME, 'entry_id', 'entry', missing);
    END IF;
  END IF;
  RETURN NULL;
END $$;

-- A transition table serves one event per trigger: one for INSERT, one for UPDATE.
CREATE TRIGGER "odds_snapshot_references_insert" AFTER INSERT ON "odds_snapshot"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "snapshot_references_exist"();
CREATE TRIGGER "odds_snapshot_references_update" AFTER UPDATE ON "odds_snapshot"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "snapshot_references_exist"();
CREATE TRIGGER "exacta_probable_references_insert" AFTER INSERT ON "exacta_probable"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "snapshot_references_exist"();
CREATE TRIGGER "exacta_probable_references_update" AFTER UPDATE ON "exacta_probable"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "snapshot_references_exist"();

-- After a race row is deleted or its id changed: RESTRICT and CASCADE, as the foreign keys were.
CREATE FUNCTION "race_snapshot_references"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  referring TEXT;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    UPDATE "odds_snapshot" SET "race_id" = NEW."race_id" WHERE "race_id" = OLD."race_id";
    UPDATE "exacta_probable" SET "race_id" = NEW."race_id" WHERE "race_id" = OLD."race_id";
    RETURN NULL;
  END IF;
  IF EXISTS (SELECT 1 FROM "odds_snapshot" WHERE "race_id" = OLD."race_id") THEN
    referring := 'odds_snapshot';
  ELSIF EXISTS (SELECT 1 FROM "exacta_probable" WHERE "race_id" = OLD."race_id") THEN
    referring := 'exacta_probable';
  END IF;
  IF referring IS NOT NULL THEN
    RAISE EXCEPTION 'update or delete on table "race" violates foreign key constraint "%_race_id_fkey" on table "%"',
      referring, referring
      USING ERRCODE = 'foreign_key_violation', TABLE = referring, CONSTRAINT = referring || '_race_id_fkey',
        DETAIL = format('Key (race_id)=(%s) is still referenced from table "%s".', OLD."race_id", referring);
  END IF;
  RETURN NULL;
END $$;

-- After an entry row is deleted or its id changed: the same for odds_snapshot.entry_id.
CREATE FUNCTION "entry_snapshot_references"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    UPDATE "odds_snapshot" SET "entry_id" = NEW."entry_id" WHERE "entry_id" = OLD."entry_id";
    RETURN NULL;
  END IF;
  IF EXISTS (SELECT 1 FROM "odds_snapshot" WHERE "entry_id" = OLD."entry_id") THEN
    RAISE EXCEPTION 'update or delete on table "entry" violates foreign key constraint "odds_snapshot_entry_id_fkey" on table "odds_snapshot"'
      USING ERRCODE = 'foreign_key_violation', TABLE = 'odds_snapshot', CONSTRAINT = 'odds_snapshot_entry_id_fkey',
        DETAIL = format('Key (entry_id)=(%s) is still referenced from table "odds_snapshot".', OLD."entry_id");
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "race_snapshot_references_delete" AFTER DELETE ON "race"
  FOR EACH ROW EXECUTE FUNCTION "race_snapshot_references"();
CREATE TRIGGER "race_snapshot_references_update" AFTER UPDATE OF "race_id" ON "race"
  FOR EACH ROW WHEN (OLD."race_id" IS DISTINCT FROM NEW."race_id") EXECUTE FUNCTION "race_snapshot_references"();
CREATE TRIGGER "entry_snapshot_references_delete" AFTER DELETE ON "entry"
  FOR EACH ROW EXECUTE FUNCTION "entry_snapshot_references"();
CREATE TRIGGER "entry_snapshot_references_update" AFTER UPDATE OF "entry_id" ON "entry"
  FOR EACH ROW WHEN (OLD."entry_id" IS DISTINCT FROM NEW."entry_id") EXECUTE FUNCTION "entry_snapshot_references"();
