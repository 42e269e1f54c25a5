/**
 * What an interrupted migration left in the file, told from the schema. A
 * migration recorded as started but not finished (a `prisma migrate deploy`
 * killed mid-way, or one that failed: Prisma runs a script statement by
 * statement, outside any transaction) is compared with the schema the
 * migrations before it give and the schema it gives, both rebuilt in memory
 * from the migrations folder:
 * - as before it: it did not apply (or only created empty objects of its own,
 *   which can be dropped): roll it back and apply it again;
 * - as after it: it applied whole and only its record is missing;
 * - anything else: partly applied, which cannot be undone automatically.
 */
import Database from "better-sqlite3";
import type { Migration } from "./migration-history.js";

/** A schema object: `table race` -> its CREATE statement, whitespace normalised. */
type Schema = Map<string, string>;

interface SchemaObject {
  type: string;
  name: string;
  table: string;
}

export type InterruptedState =
  | { kind: "not-applied" }
  | { kind: "applied" }
  /** Only objects of the migration's own were created, identical and empty: drop them, then apply. */
  | { kind: "created-only"; drop: SchemaObject[] }
  | { kind: "partial"; present: string[]; missing: string[]; changed: string[] }
  /** Its effect cannot be seen in the schema: it changes no schema object, or it writes rows. */
  | { kind: "unknown"; reason: UnknownReason };

/** Why the schema cannot tell what an interrupted migration did. */
export type UnknownReason = "changes-no-table" | "writes-rows";

/** Each UnknownReason in words, for migrate.ts's refusal and db:status. */
export const UNKNOWN_WHY: Record<UnknownReason, string> = {
  "changes-no-table": "it changes no table, so the schema cannot tell whether it ran",
  "writes-rows":
    "it writes rows as well as changing tables, so the schema cannot tell whether its rows were all written",
};

const normalise = (sql: string | null) => (sql ?? "").replace(/\s+/g, " ").trim();

/** Every user object of the file's schema (not SQLite's own, not the migrations table). */
export function readSchema(sql: Database.Database): Schema {
  const rows = sql
    .prepare(
      `SELECT type, name, sql FROM sqlite_master
       WHERE name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations' ORDER BY type, name`,
    )
    .all() as Array<{ type: string; name: string; sql: string | null }>;
  return new Map(rows.map((r) => [`${r.type} ${r.name}`, normalise(r.sql)]));
}

/** The schema the first `count` migrations give, built in memory. */
function schemaAfter(migrations: Migration[], count: number): Schema {
  const memory = new Database(":memory:");
  try {
    memory.pragma("foreign_keys = OFF");
    for (const migration of migrations.slice(0, count)) memory.exec(migration.script);
    return readSchema(memory);
  } finally {
    memory.close();
  }
}

const same = (a: Schema, b: Schema) => a.size === b.size && [...a].every(([key, sql]) => b.get(key) === sql);

function parseKey(key: string, sqlText: string): SchemaObject {
  const [type = "", ...rest] = key.split(" ");
  const name = rest.join(" ");
  // An index's, trigger's or view's table is named in its CREATE statement; a table is its own.
  const on = /\bON\s+"?([^"\s(]+)"?/i.exec(sqlText);
  return { type, name, table: type === "table" ? name : (on?.[1] ?? name) };
}

/**
 * The state of migration `index` of `migrations`, recorded as started but not
 * finished, in a file whose schema is `actual`; `rowsIn(table)` counts a table's rows.
 */
export function interruptedState(
  migrations: Migration[],
  index: number,
  actual: Schema,
  rowsIn: (table: string) => number,
): InterruptedState {
  const before = schemaAfter(migrations, index);
  const after = schemaAfter(migrations, index + 1);
  // The schema says nothing of data statements: a migration that writes rows (a backfill) could
  // match either schema with its data half done, so it is never judged from the schema.
  if (same(before, after)) return { kind: "unknown", reason: "changes-no-table" };
  if (writesRows(migrations[index]!.script)) return { kind: "unknown", reason: "writes-rows" };
  if (same(actual, before)) return { kind: "not-applied" };
  if (same(actual, after)) return { kind: "applied" };

  const present: string[] = [];
  const changed: string[] = [];
  const own: SchemaObject[] = [];
  for (const [key, sqlText] of actual) {
    if (before.get(key) === sqlText) continue;
    if (!before.has(key) && after.get(key) === sqlText) {
      present.push(key);
      own.push(parseKey(key, sqlText));
    } else {
      changed.push(key);
    }
  }
  const missing = [...after.keys()].filter((key) => !actual.has(key));
  const beforeIntact = [...before].every(([key, sqlText]) => actual.get(key) === sqlText);
  const ownTablesEmpty = own.every((o) => o.type !== "table" || rowsIn(o.name) === 0);
  if (changed.length === 0 && beforeIntact && ownTablesEmpty) {
    // Dropping a table drops its indexes and triggers: drop only what is not on a dropped table.
    const tables = new Set(own.filter((o) => o.type === "table").map((o) => o.name));
    return { kind: "created-only", drop: own.filter((o) => o.type === "table" || !tables.has(o.table)) };
  }
  return { kind: "partial", present, missing, changed };
}

/** Drops what a `created-only` interrupted migration left (inside the caller's transaction). */
export function dropObjects(sql: Database.Database, objects: SchemaObject[]): void {
  for (const object of objects) {
    sql.exec(`DROP ${object.type.toUpperCase()} IF EXISTS "${object.name.replaceAll('"', '""')}"`);
  }
}

/** Up to `max` schema objects in words ("table race, index idx_race_date and 3 more"). */
export function listObjects(keys: string[], max = 4): string {
  if (keys.length <= max) return keys.join(", ");
  return `${keys.slice(0, max).join(", ")} and ${keys.length - max} more`;
}

/**
 * Comments, string literals and quoted identifiers, matched left to right in one pass: whichever
 * starts first wins, so a `'--'` literal is a literal and a `--` comment holding a quote is a
 * comment (stripping comments first would cut a statement at a `'--'` literal).
 */
const NOT_CODE =
  /--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)|'(?:[^']|'')*'?|"(?:[^"]|"")*"?|`(?:[^`]|``)*`?|\[[^\]]*\]?/g;

/**
 * Whether a migration's SQL has a statement that changes rows: one starting with INSERT, UPDATE,
 * DELETE or REPLACE, or a WITH (common table expression) statement holding one of them. Only
 * code counts: comments, literals and quoted identifiers are blanked first, and a keyword inside
 * a statement is not one ("ON DELETE CASCADE"; replace() is a function). Errs towards true: a
 * migration wrongly taken for a writer is only refused for a person to check, while a writer
 * missed could be recorded as applied with its rows half written.
 */
export function writesRows(script: string): boolean {
  const code = script.replace(NOT_CODE, " ");
  return code.split(";").some((statement) => {
    const text = statement.trim();
    if (/^(INSERT|UPDATE|DELETE|REPLACE)\b/i.test(text)) return true;
    return /^WITH\b/i.test(text) && /\b(INSERT|UPDATE|DELETE)\b|\bREPLACE\b(?!\s*\()/i.test(text);
  });
}
