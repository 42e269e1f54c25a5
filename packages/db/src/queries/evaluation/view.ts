/**
 * The alerts engine's view of the database: one evaluation pass reads the
 * snapshots after its high-water marks (batches.ts), the card and history the
 * rules need and the alerts suppression looks at (reader.ts), then stores
 * the pass's alerts, their delivery rows and the moved marks in ONE
 * transaction, so a crash can neither lose an alert nor evaluate a snapshot
 * twice.
 *
 * A daemon's pass decides in a read transaction (`evaluationReadTransaction`), so ingest never
 * waits while it reads, then commits what it decided with `commitEvaluation`: one short write
 * transaction that first checks the marks are still where the pass read them. The methods are
 * async and valid only inside `evaluationTransaction` / `evaluationReadTransaction` (await each
 * before the work's promise settles): every read of a pass then sees one consistent state of the
 * database, whatever ingest commits meanwhile.
 */
import type { Db } from "../../client.js";
import type { Entry, OddsSnapshot, Race } from "../../generated/prisma/client.js";
import { readTransaction, writeTransaction, type Sql } from "../../sql.js";
import { insertAlert, type AlertInput, type AlertRef } from "../alerts.js";
import { cursorPosition, moveCursor } from "../cursors.js";
import type { ExactaGrid } from "../exacta.js";
import type { AlertRace, AlertRunner } from "../stored-alert.js";
import type { PassLimits, SnapshotBatch, StreamMarks } from "./batches.js";
import { reader } from "./reader.js";

/** One runner's row of a stored win snapshot (rows without win odds are not read). */
export type WinOddsRow = Pick<
  OddsSnapshot,
  "raceId" | "entryId" | "fetchedAt" | "winPoolAmount" | "totalWinPool"
> & {
  snapshotId: OddsSnapshot["id"];
  winOdds: NonNullable<OddsSnapshot["winOdds"]>;
};

/**
 * A runner on the card as the rules see it. `scratchedAt`: when its scratch became known (the
 * earliest card or board that said so, scratches.ts); null when not scratched or never dated.
 */
export type EvaluationEntry = AlertRunner & Pick<Entry, "morningLineOdds" | "scratched" | "scratchedAt">;

/** A race as the rules see it, with its card by entry id; `offAt`: when it went off (null: not known). */
export type EvaluationRace = AlertRace &
  Pick<Race, "status" | "offAt"> & {
    entries: Map<number, EvaluationEntry>;
  };

/** Async reads (and, in a write transaction, writes) for one evaluation pass, on its one transaction. */
export interface EvaluationReader {
  /** A named high-water mark (0 when never written). */
  cursor(name: string): Promise<number>;
  /** The next pass's whole snapshots after the marks, bounded (batches.ts: the batching policy). */
  nextBatch(
    marks: StreamMarks,
    limits?: Partial<PassLimits>,
  ): Promise<{ win: SnapshotBatch; exacta: SnapshotBatch }>;
  /** Races (with track and card) by id; unknown ids are left out. */
  races(raceIds: readonly number[]): Promise<Map<number, EvaluationRace>>;
  /** Every win row of a race with from <= fetched_at <= to, by time then entry. */
  winRowsBetween(raceId: number, from: Date, to: Date): Promise<WinOddsRow[]>;
  /** The rows of the race's latest win snapshot strictly before `before` ([] when none). */
  winSnapshotBefore(raceId: number, before: Date): Promise<WinOddsRow[]>;
  /** winRowsBetween of each span, in a few statements (many.ts), in the order of `spans`. */
  winRowsBetweenEach(spans: ReadonlyArray<{ raceId: number; from: Date; to: Date }>): Promise<WinOddsRow[][]>;
  /** winSnapshotBefore of each request, in a few statements (many.ts), in the order of `requests`. */
  winSnapshotsBefore(requests: ReadonlyArray<{ raceId: number; before: Date }>): Promise<WinOddsRow[][]>;
  /**
   * The rows of the race's latest win board with fetched_at <= `atOrBefore` that lists `entryId`
   * with odds: the last board showing a runner before it was gone ([] when never listed).
   */
  lastBoardListing(raceId: number, entryId: number, atOrBefore: Date): Promise<WinOddsRow[]>;
  /** One exacta grid, all its rows. */
  exactaGrid(raceId: number, fetchedAt: Date): Promise<ExactaGrid>;
  /**
   * Several exacta grids in a few statements (many.ts), in the order of `keys` (a grid with no rows stored
   * has no probables; a key given twice gets the same grid): what exactaGrid reads for each key.
   */
  exactaGrids(keys: ReadonlyArray<{ raceId: number; fetchedAt: Date }>): Promise<ExactaGrid[]>;
  /** Exacta grid instants of a race within [from, to], oldest first. */
  exactaInstantsBetween(raceId: number, from: Date, to: Date): Promise<Date[]>;
  /** Races with a win or exacta snapshot within [from, to] (optionally at one track), by id. */
  racesWithSnapshotsBetween(from: Date, to: Date, track?: string): Promise<number[]>;
  /** A race's alerts triggered within [from, to]. */
  raceAlertsBetween(raceId: number, from: Date, to: Date): Promise<AlertRef[]>;
  /** Every alert of each race, in one statement: raceAlertsBetween over all time, by race id (each id a key). */
  raceAlerts(raceIds: readonly number[]): Promise<Map<number, AlertRef[]>>;
  /** Whether an alert with this dedupe key is stored (a dry run's "would it be new?"). */
  alertExists(dedupeKey: string): Promise<boolean>;
}

/** The write side of a pass; only inside `evaluationTransaction`. */
export interface EvaluationWriter extends EvaluationReader {
  /**
   * Stores an alert unless its dedupe key is known, with one delivery row per
   * channel for a new alert. Returns the alert id and whether it was new.
   */
  storeAlert(
    input: AlertInput,
    channels: readonly string[],
    now: Date,
  ): Promise<{ alertId: number; created: boolean }>;
  /** Moves a named high-water mark. */
  setCursor(name: string, position: number, now: Date): Promise<void>;
}

function writer(sql: Sql): EvaluationWriter {
  return {
    ...reader(sql),
    storeAlert: (input, channels, now) => insertAlert(sql, input, channels, now),
    setCursor: (name, position, now) => moveCursor(sql, name, position, now),
  };
}

/**
 * Runs one evaluation pass as a single write transaction, holding the writers' lock from its
 * start: what it reads is what it decides on, and its alerts, delivery rows and cursors commit
 * together or not at all. `work` is async; it must await every call on `tx` before it returns (the
 * transaction ends when its promise settles). The daemon uses it only for a pass whose decision
 * was refused again and again (`commitEvaluation`); tests and scripts store alerts with it.
 */
export function evaluationTransaction<T>(db: Db, work: (tx: EvaluationWriter) => Promise<T>): Promise<T> {
  return writeTransaction(db, (sql) => work(writer(sql)));
}

/** What a pass decided in its read transaction, for `commitEvaluation` to store. */
export interface EvaluationDecision {
  /** Each high-water mark the pass read, at the position it read. */
  marksRead: ReadonlyMap<string, number>;
  /** Each mark the pass moved, at its new position. */
  marks: ReadonlyMap<string, number>;
  /** The alerts the pass raised, in order. */
  alerts: readonly AlertInput[];
  /** The channels that get a delivery row per new alert. */
  channels: readonly string[];
  now: Date;
}

/**
 * Stores a pass's decision in one write transaction, unless a mark it read has moved since (another
 * daemon's pass committed over the same snapshots): then it writes nothing and returns null, and
 * the pass decides again on what that one stored. Else the new alerts' ids, in order.
 */
export function commitEvaluation(
  db: Db,
  decision: EvaluationDecision,
): Promise<{ alertIds: number[] } | null> {
  return writeTransaction(db, async (sql) => {
    for (const [name, position] of decision.marksRead) {
      if ((await cursorPosition(sql, name)) !== position) return null;
    }
    const alertIds: number[] = [];
    for (const input of decision.alerts) {
      const stored = await insertAlert(sql, input, decision.channels, decision.now);
      if (stored.created) alertIds.push(stored.alertId);
    }
    for (const [name, position] of decision.marks) await moveCursor(sql, name, position, decision.now);
    return { alertIds };
  });
}

/** Runs read-only async `work` in one read transaction (a consistent view of the database); writes nothing. */
export function evaluationReadTransaction<T>(db: Db, work: (tx: EvaluationReader) => Promise<T>): Promise<T> {
  return readTransaction(db, (sql) => work(reader(sql)));
}
