/**
 * Many rows of a single-row insert in one PostgreSQL statement (pg-session.ts `runEach`): the
 * write helpers say `INSERT INTO t (a, b) VALUES (?, ?) [ON CONFLICT (a) DO NOTHING]` once, for
 * both engines; SQLite runs it per row, PostgreSQL gets this one statement. Pure.
 *
 * Invariants:
 * - The rows are stored in the order given (ids follow it: a grid reads back in its order).
 * - What is stored is what the single-row insert run per row would store, ON CONFLICT included.
 * - A column every row gives the same value is sent once, as a scalar; the others as one array
 *   each, unnested server-side (a grid's race, instant and pool are one value, not 156).
 * - Under the writers' lock (`serialized`), when every row shares the conflict target's leading
 *   columns (an exacta grid: its race and instant), the target is checked with NOT EXISTS instead
 *   of ON CONFLICT: those columns once, and each row only when something is stored under them. No
 *   other writer can insert between the check and the insert, so it skips exactly the rows ON
 *   CONFLICT DO NOTHING would, without its speculative insertion of every row (a 5-track replay's
 *   server CPU: 12.1-12.7 s to 9.4-10.2). Elsewhere ON CONFLICT stays: a look-up per row costs
 *   more than it (a win snapshot: 0.32 ms against 0.24 of server time), and rows repeating a key
 *   among themselves need it (NOT EXISTS would see neither and fail on the second). Every write
 *   helper writes in a write transaction; an insert outside one keeps ON CONFLICT.
 */
import type { SqlParam } from "./types.js";

/** A single-row insert whose values are all placeholders: what can be sent for many rows at once. */
export interface InsertShape {
  table: string;
  columns: string[];
  /** What follows VALUES (…): nothing, or ON CONFLICT … DO NOTHING. */
  tail: string;
  /** The columns of `ON CONFLICT (a, b) DO NOTHING`; null without a tail or a column list. */
  conflictKeys: string[] | null;
}

const shapes = new Map<string, InsertShape | null>();

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * The shape of `INSERT INTO table (a, b) VALUES (?, ?) [ON CONFLICT … DO NOTHING]`, or null for
 * any other statement (another value than a placeholder, DO UPDATE, RETURNING, …). Cached by text.
 */
export function insertShape(source: string): InsertShape | null {
  let shape = shapes.get(source);
  if (shape === undefined) {
    const match =
      /^\s*INSERT\s+INTO\s+([a-z_][a-z0-9_]*)\s*\(([a-z0-9_,\s]+)\)\s*VALUES\s*\(((?:\s*\?\s*,)*\s*\?\s*)\)(\s*(?:ON\s+CONFLICT\b[^?;]*\bDO\s+NOTHING)?\s*)$/is.exec(
        source,
      );
    const columns = match ? match[2]!.split(",").map((column) => column.trim()) : [];
    shape =
      match && columns.length === match[3]!.split(",").length
        ? {
            table: match[1]!,
            columns,
            tail: match[4]!.trimEnd(),
            conflictKeys: conflictKeys(match[4]!, columns),
          }
        : null;
    shapes.set(source, shape);
  }
  return shape;
}

/** `ON CONFLICT (a, b) DO NOTHING` -> [a, b] when each is a column inserted; else null. */
function conflictKeys(tail: string, columns: readonly string[]): string[] | null {
  const target = /^\s*ON\s+CONFLICT\s*\(([^()]*)\)\s*DO\s+NOTHING\s*$/is.exec(tail);
  if (!target) return null;
  const keys = target[1]!.split(",").map((key) => key.trim());
  return keys.every((key) => IDENTIFIER.test(key) && columns.includes(key)) ? keys : null;
}

/** One statement and its parameters. */
export interface UnnestStatement {
  text: string;
  /**
   * A scalar per constant column, an array literal (`{1,NULL,3}`, `{"a","b"}`) per other column,
   * in the columns' order.
   */
  values: SqlParam[];
}

export interface UnnestOptions {
  /** The statement runs under the writers' lock (no other writer between check and insert). */
  serialized: boolean;
}

/**
 * The insert of `rows` (at least one) as one statement (`types`: each column's SQL type). The
 * text depends only on which columns are constant and on whether NOT EXISTS is used, so a
 * helper's calls share a few prepared statements whatever their row counts.
 */
export function unnestInsert(
  shape: InsertShape,
  types: ReadonlyMap<string, string>,
  rows: ReadonlyArray<readonly SqlParam[]>,
  options: UnnestOptions,
): UnnestStatement {
  const first = rows[0];
  if (!first) throw new Error(`an insert into ${shape.table} needs at least one row`);
  const values: UnnestStatement["values"] = [];
  const arrays: string[] = [];
  const unnested: string[] = [];
  const constant = shape.columns.map((_, c) => rows.every((row) => (row[c] ?? null) === (first[c] ?? null)));
  const selected = shape.columns.map((column, c) => {
    const type = types.get(column);
    if (!type) throw new Error(`${shape.table} has no column ${column}`);
    if (constant[c]) {
      values.push(first[c] ?? null);
      return `$${values.length}::${type}`;
    }
    values.push(arrayLiteral(rows, c));
    arrays.push(`$${values.length}::${type}[]`);
    unnested.push(column);
    return `u.${column}`;
  });
  // The row's place in `rows`: ORDER BY it keeps the order whatever plan the server picks.
  const from = arrays.length
    ? ` FROM unnest(${arrays.join(", ")}) WITH ORDINALITY AS u(${unnested.join(", ")}, row_order)`
    : "";
  const order = arrays.length ? " ORDER BY u.row_order" : "";
  const keys = options.serialized ? shape.conflictKeys : null;
  const keyIndexes = keys?.map((key) => shape.columns.indexOf(key)) ?? [];
  // How many of the key's leading columns every row shares (a grid's race and instant: 2).
  const shared = keyIndexes.findIndex((c) => !constant[c]);
  let tail = shape.tail ? ` ${shape.tail.trim()}` : "";
  let where = "";
  if (keys && shared > 0 && keysDistinct(rows, keyIndexes, constant)) {
    const matches = keys.map((key, k) => `existing.${key} = ${selected[keyIndexes[k]!]}`);
    // OFFSET 0 keeps each check a subplan, an index look-up whatever the statistics say: as a
    // join, a plan cached while the table was nearly empty scanned a whole index on every insert
    // as the table grew (a 5-track day's win inserts: 0.65 ms each to 4.2).
    const notStored = (some: string[]) =>
      `NOT EXISTS (SELECT 1 FROM ${shape.table} existing WHERE ${some.join(" AND ")} OFFSET 0)`;
    // The shared columns are checked once (the target is written in its index's column order, so
    // that is one look-up on the index's prefix); only when something is stored under them is
    // each row looked up.
    where = ` WHERE ${notStored(matches.slice(0, shared))} OR ${notStored(matches)}`;
    tail = "";
  }
  const text =
    `INSERT INTO ${shape.table} (${shape.columns.join(", ")}) ` +
    `SELECT ${selected.join(", ")}${from}${where}${order}${tail}`;
  return { text, values };
}

/**
 * No two rows share a key (a null in it never conflicts, as in a unique index). Two keys that
 * differ may read alike here (1 and "1"): that only sends ON CONFLICT, which is always right.
 */
function keysDistinct(
  rows: ReadonlyArray<readonly SqlParam[]>,
  indexes: readonly number[],
  constant: readonly boolean[],
): boolean {
  if (rows.length === 1 || indexes.some((i) => constant[i] && rows[0]![i] == null)) return true;
  const varying = indexes.filter((i) => !constant[i]);
  if (varying.length === 0) return false;
  const seen = new Set<string>();
  for (const row of rows) {
    let key = "";
    for (const i of varying) {
      const value = row[i];
      if (value == null) {
        key = "";
        break;
      }
      key += `${value}\u0000`;
    }
    if (key === "") continue;
    if (seen.has(key)) return false;
    seen.add(key);
  }
  return true;
}

/**
 * Column `c` of `rows` as a PostgreSQL array literal: every string quoted, with `"` and a
 * backslash escaped, as pg writes an array; in one pass (pg's generic writer was a tenth of a
 * replay's JavaScript time).
 */
function arrayLiteral(rows: ReadonlyArray<readonly SqlParam[]>, c: number): string {
  let literal = "{";
  for (let i = 0; i < rows.length; i++) {
    const value = rows[i]![c];
    if (i > 0) literal += ",";
    if (value == null) literal += "NULL";
    else if (typeof value !== "string") literal += String(value);
    else if (value.includes('"') || value.includes("\\")) literal += `"${value.replace(/["\\]/g, "\\$&")}"`;
    else literal += `"${value}"`;
  }
  return `${literal}}`;
}
