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

-- After a statement on a snapshot table (its new rows in new_rows): every race_id names a race.
CREATE FUNCTION "snapshot_race_exists"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  missing INTEGER;
BEGIN
  PERFORM 1 FROM "race" WHERE "race_id" IN (SELECT DISTINCT "race_id" FROM new_rows) FOR KEY SHARE;
  SELECT n."race_id" INTO missing
  FROM (SELECT DISTINCT "race_id" FROM new_rows WHERE "race_id" IS NOT NULL) n
  WHERE NOT EXISTS (SELECT 1 FROM "race" r WHERE r."race_id" = n."race_id")
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert or update on table "%" violates foreign key constraint "%_race_id_fkey"',
      TG_TABLE_NAME, TG_TABLE_NAME
      USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME,
        CONSTRAINT = TG_TABLE_NAME || '_race_id_fkey',
        DETAIL = format('Key (race_id)=(%s) is not present in table "race".', missing);
  END IF;
  RETURN NULL;
END $$;

-- After a statement on odds_snapshot: every entry_id names an entry.
CREATE FUNCTION "snapshot_entry_exists"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  missing INTEGER;
BEGIN
  PERFORM 1 FROM "entry" WHERE "entry_id" IN (SELECT DISTINCT "entry_id" FROM new_rows) FOR KEY SHARE;
  SELECT n."entry_id" INTO missing
  FROM (SELECT DISTINCT "entry_id" FROM new_rows WHERE "entry_id" IS NOT NULL) n
  WHERE NOT EXISTS (SELECT 1 FROM "entry" e WHERE e."entry_id" = n."entry_id")
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert or update on table "%" violates foreign key constraint "%_entry_id_fkey"',
      TG_TABLE_NAME, TG_TABLE_NAME
      USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME,
        CONSTRAINT = TG_TABLE_NAME || '_entry_id_fkey',
        DETAIL = format('Key (entry_id)=(%s) is not present in table "entry".', missing);
  END IF;
  RETURN NULL;
END $$;

-- A transition table serves one event per trigger: one for INSERT, one for UPDATE.
CREATE TRIGGER "odds_snapshot_race_id_fkey_insert" AFTER INSERT ON "odds_snapshot"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "snapshot_race_exists"();
CREATE TRIGGER "odds_snapshot_race_id_fkey_update" AFTER UPDATE ON "odds_snapshot"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "snapshot_race_exists"();
CREATE TRIGGER "odds_snapshot_entry_id_fkey_insert" AFTER INSERT ON "odds_snapshot"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "snapshot_entry_exists"();
CREATE TRIGGER "odds_snapshot_entry_id_fkey_update" AFTER UPDATE ON "odds_snapshot"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "snapshot_entry_exists"();
CREATE TRIGGER "exacta_probable_race_id_fkey_insert" AFTER INSERT ON "exacta_probable"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "snapshot_race_exists"();
CREATE TRIGGER "exacta_probable_race_id_fkey_update" AFTER UPDATE ON "exacta_probable"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "snapshot_race_exists"();

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
