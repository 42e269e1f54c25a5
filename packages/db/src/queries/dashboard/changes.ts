/**
 * Live changes for the dashboard: a few numbers (change marks) that move whenever something it
 * shows is written, and, given the marks a client last saw, which races changed since. The
 * dashboard sends them as an event stream's ids, so a reconnecting browser (Last-Event-ID)
 * misses nothing: formatChangeMarks / parseChangeMarks are that text form.
 *
 * Invariants:
 * - Reads only, each call one read transaction: the marks returned and the races reported are
 *   of one state of the file, so nothing committed between them is lost or reported twice.
 * - The marks only grow as rows are written (ids are AUTOINCREMENT, never reused; attempts
 *   only grow; updated_at is the writer's clock at each card, status or scratch change).
 *   Only deleting rows moves them back: retention deleting old alerts moves the delivery mark
 *   (alerts: true); the newest rows gone (a reset, another file) make the marks `stale`.
 * - The card mark is the newest change stamp (change-stamp.ts): every card, status or scratch
 *   change is stamped past all stamps before it, inside its write transaction, so the changes
 *   after a mark are exactly the rows with updated_at > mark, whatever the clock did.
 * - Cheap when little changed: odds, exacta and alert marks are rowid maxima (one B-tree
 *   descent each) and their new rows are rowid range scans from the mark, at most
 *   FAR_BEHIND.rows long; the delivery mark scans alert_delivery (small: alerts are few). The
 *   card mark scans race and entry, which retention keeps whole and which have no index on
 *   updated_at: it grows with every card stored (measured 4.6 ms at 83,400 entries, 0.1 ms on
 *   one 100-race day); an index on updated_at would make it one seek.
 */
import type { Db } from "../../client.js";
import { InvalidInputError } from "../../errors.js";
import { readTransaction, type Dialect, type Sql } from "../../sql.js";
import { newestChangeExprFor } from "../change-stamp.js";

/** Where the file stood; compare with changesSince. */
export interface ChangeMarks {
  /** Newest win odds row (snapshot_id). */
  odds: number;
  /** Newest exacta row (exacta_id). */
  exacta: number;
  /** Newest alert (alert_id). */
  alert: number;
  /**
   * Moves whenever a delivery row is created, attempted or delivered: sum(attempts) +
   * count(delivered_at) + count(*) of alert_delivery (not a claim: that is no attempt yet).
   */
  delivery: number;
  /** Newest card, status or scratch change: max(updated_at) of race and entry (change-stamp.ts). */
  card: number;
}

export interface ChangesSince {
  /** Where the file stands now: pass them next time. */
  marks: ChangeMarks;
  /** Races with a new win board, exacta grid or alert, or a card, status or scratch change, ascending. */
  raceIds: number[];
  /** A new alert (of a race or not), or a delivery created, attempted or delivered. */
  alerts: boolean;
  /**
   * What changed cannot be told, or not cheaply: the marks given are ahead of the file (from
   * another file, or before a reset) or far behind it (over FAR_BEHIND: more than 50,000 new
   * odds, exacta or alert rows, or more than 1,000 races changed: a client back after a long
   * time, or a forged Last-Event-ID). raceIds is then empty and alerts true: reload everything.
   */
  stale: boolean;
}

const MARK_NAMES = ["odds", "exacta", "alert", "delivery", "card"] as const;

// Integers only in the card mark: a text instant an old version left (time.ts) would sort above
// every number and pin the mark.
// The card mark is change-stamp.ts's expression, in each dialect's text (two-argument max on
// SQLite, greatest on PostgreSQL).
const changeMarksSql = (dialect: Dialect) => `
  SELECT (SELECT coalesce(max(snapshot_id), 0) FROM odds_snapshot) AS odds,
         (SELECT coalesce(max(exacta_id), 0) FROM exacta_probable) AS exacta,
         (SELECT coalesce(max(alert_id), 0) FROM alert) AS alert,
         (SELECT coalesce(sum(attempts), 0) + count(delivered_at) + count(*) FROM alert_delivery) AS delivery,
         ${newestChangeExprFor(dialect)} AS card`;
export const CHANGE_MARKS_SQL = changeMarksSql("sqlite");
const CHANGE_MARKS_SQL_PG = changeMarksSql("postgres");

// The races behind each mark that moved, from the old mark up. NOT INDEXED keeps the id marks'
// reads on the rowid range: with DISTINCT the planner would rather scan a whole covering index
// that has race_id first (idx_odds_race_time: all of odds_snapshot; measured 0.6 s at 10m rows).
export const CHANGED_RACES_SQL = {
  odds: `SELECT DISTINCT race_id AS "raceId" FROM odds_snapshot NOT INDEXED WHERE snapshot_id > ?`,
  exacta: `SELECT DISTINCT race_id AS "raceId" FROM exacta_probable NOT INDEXED WHERE exacta_id > ?`,
  alert: `SELECT DISTINCT race_id AS "raceId" FROM alert NOT INDEXED WHERE alert_id > ? AND race_id IS NOT NULL`,
  // Seeks on idx_race_updated / idx_entry_updated; the bound keeps text values out.
  card: `SELECT race_id AS "raceId" FROM race WHERE updated_at > @mark AND updated_at <= 9007199254740991
         UNION SELECT race_id AS "raceId" FROM entry WHERE updated_at > @mark AND updated_at <= 9007199254740991`,
} as const;

/**
 * How far behind a caller may be and still be told what changed: the marks come from a client
 * (Last-Event-ID), so "o0.x0..." must not make every poll read the whole history. Past either
 * bound the answer is "reload everything", which such a client needs anyway.
 */
export const FAR_BEHIND = { rows: 50_000, races: 1_000 } as const;

const ROW_MARKS = ["odds", "exacta", "alert"] as const;

const readMarks = async (sql: Sql) =>
  (await sql.get<ChangeMarks>(sql.dialect === "postgres" ? CHANGE_MARKS_SQL_PG : CHANGE_MARKS_SQL))!;
const reloadAll = (marks: ChangeMarks): ChangesSince => ({ marks, raceIds: [], alerts: true, stale: true });

/** Where the file stands now. */
export async function changeMarks(db: Db): Promise<ChangeMarks> {
  return readTransaction(db, readMarks);
}

function validateMarks(since: ChangeMarks): void {
  for (const name of MARK_NAMES) {
    const value = (since as Partial<ChangeMarks> | null)?.[name];
    if (value === undefined || !Number.isSafeInteger(value) || value < 0) {
      throw new InvalidInputError(
        `changesSince: mark ${name} must be a whole number >= 0, got ${String(value)}`,
      );
    }
  }
}

/** What changed since `since` (marks from changeMarks or an earlier changesSince), and the marks now. */
export async function changesSince(db: Db, since: ChangeMarks): Promise<ChangesSince> {
  validateMarks(since);
  return readTransaction(db, async (sql) => {
    const marks = await readMarks(sql);
    // The delivery mark may move back (retention deletes old alerts with their rows): that is
    // only an alert log to read again. The others move back only when the newest rows go.
    if ([...ROW_MARKS, "card" as const].some((name) => since[name] > marks[name])) return reloadAll(marks);
    if (ROW_MARKS.some((name) => marks[name] - since[name] > FAR_BEHIND.rows)) return reloadAll(marks);
    const raceIds = new Set<number>();
    // A mark that did not move has no rows past it: only the ones that moved are read.
    for (const name of [...ROW_MARKS, "card" as const]) {
      if (marks[name] === since[name]) continue;
      const mark = since[name];
      // NOT INDEXED is SQLite's; the PostgreSQL engine drops it (engine/pg-text.ts).
      const query: string = CHANGED_RACES_SQL[name];
      const rows = await sql.all<{ raceId: number }>(query, ...(name === "card" ? [{ mark }] : [mark]));
      for (const row of rows) raceIds.add(row.raceId);
    }
    if (raceIds.size > FAR_BEHIND.races) return reloadAll(marks);
    return {
      marks,
      raceIds: [...raceIds].sort((a, b) => a - b),
      alerts: marks.alert !== since.alert || marks.delivery !== since.delivery,
      stale: false,
    };
  });
}

const MARK_LETTERS: Record<(typeof MARK_NAMES)[number], string> = {
  odds: "o",
  exacta: "x",
  alert: "a",
  delivery: "d",
  card: "c",
};

/** The marks as compact text, e.g. "o123.x456.a7.d9.c1700000000000" (an event stream id). */
export function formatChangeMarks(marks: ChangeMarks): string {
  return MARK_NAMES.map((name) => `${MARK_LETTERS[name]}${marks[name]}`).join(".");
}

// Exactly formatChangeMarks's form: each mark in order, decimal digits without leading zeros,
// at most 16 digits (every safe integer has at most 16).
const MARKS_TEXT =
  /^o(0|[1-9]\d{0,15})\.x(0|[1-9]\d{0,15})\.a(0|[1-9]\d{0,15})\.d(0|[1-9]\d{0,15})\.c(0|[1-9]\d{0,15})$/;

/**
 * Marks read back from formatChangeMarks's text; null for anything else (it comes from a
 * client's Last-Event-ID header, so it may be anything, or missing).
 */
export function parseChangeMarks(text: string | null | undefined): ChangeMarks | null {
  if (typeof text !== "string" || text.length > 100) return null;
  const match = MARKS_TEXT.exec(text);
  if (!match) return null;
  const values = match.slice(1).map(Number);
  if (!values.every(Number.isSafeInteger)) return null;
  const [odds, exacta, alert, delivery, card] = values as [number, number, number, number, number];
  return { odds, exacta, alert, delivery, card };
}
