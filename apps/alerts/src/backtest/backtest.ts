/**
 * `alerts backtest`: the rules over stored history, storing and sending
 * nothing, over a window of instants or of race dates. Suppression runs in
 * memory with the same settings and the same per-race order as the daemon,
 * so over the same snapshots it raises the alerts the daemon stores.
 */
import type { TotewatchConfig } from "@totewatch/config";
import {
  evaluationReadTransaction,
  racesOnDate,
  type Db,
  type EvaluationReader,
  type StoredAlert,
} from "@totewatch/db";
import { isCalendarDate } from "@totewatch/tote";
import {
  addStats,
  boardOddsResolver,
  emptyLedger,
  emptyStats,
  evaluateUnits,
  exactaGridsFor,
  historyWindowMinutes,
  settingsResolver,
  suppressionSettingsOf,
  type EvaluationStats,
} from "../engine/evaluate-units.js";
import { lastBoardBeforeOff, lastBoardsListingScratched } from "../engine/pass.js";
import { RaceHistory } from "../engine/race-history.js";
import { alertInputFor, unstoredAlert } from "../engine/stored-form.js";
import { compareUnits, type EvaluationUnit } from "../engine/units.js";

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
/** Bounds that take in every stored instant: a race-date backtest reads each race's whole history. */
const EARLIEST = new Date(0);
const LATEST = new Date("9999-12-31T23:59:59.999Z");

/** Snapshots fetched within [from, to] (inclusive instants). */
export interface InstantWindow {
  from: Date;
  to: Date;
}

/**
 * Races dated within [from, to] (inclusive, YYYY-MM-DD), each on its own track's calendar
 * (race_date): every snapshot of those races, whenever fetched.
 */
export interface RaceDateWindow {
  raceDates: { from: string; to: string };
}

export type BacktestOptions = (InstantWindow | RaceDateWindow) & {
  /** Only this track (by name). */
  track?: string;
};

export interface BacktestResult {
  races: number;
  stats: EvaluationStats;
  /** In the order they would have fired, race by race, as each would read back once stored. */
  alerts: StoredAlert[];
}

/** The days from `from` to `to`, both included (YYYY-MM-DD, compared as calendar dates). */
export function calendarDatesBetween(from: string, to: string): string[] {
  for (const [name, value] of [
    ["from", from],
    ["to", to],
  ] as const) {
    if (!isCalendarDate(value))
      throw new RangeError(`backtest: race date ${name} ${JSON.stringify(value)} is not YYYY-MM-DD`);
  }
  if (from > to) throw new RangeError(`backtest: race date from (${from}) is after to (${to})`);
  const dates: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let day = Date.parse(`${from}T00:00:00Z`); day <= end; day += MS_PER_DAY) {
    dates.push(new Date(day).toISOString().slice(0, 10));
  }
  return dates;
}

/** The races to evaluate and the instants to evaluate them over. */
interface Selection {
  raceIds: (tx: EvaluationReader) => Promise<number[]>;
  from: Date;
  to: Date;
}

async function selectionOf(db: Db, options: BacktestOptions): Promise<Selection> {
  if ("raceDates" in options) {
    const raceIds: number[] = [];
    for (const date of calendarDatesBetween(options.raceDates.from, options.raceDates.to)) {
      const races = await racesOnDate(db, date, options.track === undefined ? {} : { track: options.track });
      raceIds.push(...races.map((race) => race.raceId));
    }
    raceIds.sort((a, b) => a - b);
    return { raceIds: async () => raceIds, from: EARLIEST, to: LATEST };
  }
  const { from, to } = options;
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) {
    throw new RangeError("backtest: --from and --to must be valid instants");
  }
  if (from.getTime() > to.getTime()) {
    throw new RangeError(`backtest: --from (${from.toISOString()}) is after --to (${to.toISOString()})`);
  }
  return { raceIds: (tx) => tx.racesWithSnapshotsBetween(from, to, options.track), from, to };
}

export async function runBacktest(
  db: Db,
  config: TotewatchConfig,
  options: BacktestOptions,
): Promise<BacktestResult> {
  const selection = await selectionOf(db, options);
  const { from, to } = selection;
  const settings = settingsResolver(config);
  const boardOdds = boardOddsResolver(config);
  const suppression = suppressionSettingsOf(config);
  return evaluationReadTransaction(db, async (tx) => {
    const raceIds = await selection.raceIds(tx);
    const races = await tx.races(raceIds);
    const stats = emptyStats();
    const alerts: StoredAlert[] = [];
    let evaluatedRaces = 0;
    // Suppression is per race, so races can be evaluated one after another.
    for (const raceId of raceIds) {
      const race = races.get(raceId);
      if (race === undefined) continue;
      const windowStart = new Date(
        from.getTime() - historyWindowMinutes(settings(race.track)) * MS_PER_MINUTE,
      );
      const history = new RaceHistory(race, [
        ...(await tx.winSnapshotBefore(raceId, windowStart)),
        ...(await tx.winRowsBetween(raceId, windowStart, to)),
        ...(await lastBoardBeforeOff(tx, race, to.getTime())),
        ...(await lastBoardsListingScratched(tx, race, to.getTime())),
      ]);
      const inRange = (at: Date) => at.getTime() >= from.getTime() && at.getTime() <= to.getTime();
      const units: EvaluationUnit[] = [
        ...history.snapshots
          .filter((board) => inRange(board.fetchedAt))
          .map((board) => ({ kind: "win" as const, raceId, fetchedAt: board.fetchedAt, lastId: 0 })),
        ...(await tx.exactaInstantsBetween(raceId, from, to)).map((fetchedAt) => ({
          kind: "exacta" as const,
          raceId,
          fetchedAt,
          lastId: 0,
        })),
      ].sort(compareUnits);
      // A race dated in range but never priced has nothing to evaluate.
      if (units.length === 0) continue;
      evaluatedRaces++;
      const ledger = emptyLedger();
      const dedupeKeys = new Set<string>();
      const exactaGrid = await exactaGridsFor(tx, units, (id) => (id === raceId ? race : undefined));
      const raceStats = await evaluateUnits(
        units,
        {
          race: (id) => (id === raceId ? race : undefined),
          history: () => history,
          exactaGrid,
          ledger: () => ledger,
          settings,
          boardOdds,
        },
        suppression,
        (candidate) => {
          // As the database's UNIQUE dedupe key would: a later board of the same occasion adds nothing.
          const input = alertInputFor(candidate);
          if (dedupeKeys.has(input.dedupeKey)) return false;
          dedupeKeys.add(input.dedupeKey);
          alerts.push(unstoredAlert(input, race));
          return true;
        },
      );
      addStats(stats, raceStats);
    }
    return { races: evaluatedRaces, stats, alerts };
  });
}
