/**
 * `alerts backtest`: the rules over stored history, storing and sending
 * nothing. Suppression runs in memory with the same settings and the same
 * per-race order as the daemon, so over the same snapshots it raises the
 * alerts the daemon stores.
 */
import type { TotewatchConfig } from "@totewatch/config";
import { evaluationReadTransaction, type Db, type EvaluationRace } from "@totewatch/db";
import type { AlertCandidate } from "../rules/index.js";
import {
  addStats,
  alertInputFor,
  emptyLedger,
  emptyStats,
  evaluateUnits,
  RaceHistory,
  settingsResolver,
  suppressionSettingsOf,
  type EvaluationStats,
} from "../engine/evaluate-units.js";
import { compareUnits, type EvaluationUnit } from "../engine/units.js";

const MS_PER_MINUTE = 60_000;

export interface BacktestOptions {
  /** Inclusive. */
  from: Date;
  /** Inclusive. */
  to: Date;
  /** Only this track (by name). */
  track?: string;
}

/** An alert the rules would have raised. */
export interface BacktestAlert {
  dedupeKey: string;
  type: string;
  raceId: number;
  track: string;
  timezone: string;
  raceDate: string;
  raceNumber: number;
  subject: string;
  horse: string | null;
  triggeredAt: Date;
  message: string;
  thresholdValue: number | null;
  actualValue: number;
  strength: number;
}

export interface BacktestResult {
  races: number;
  stats: EvaluationStats;
  /** In the order they would have fired, race by race. */
  alerts: BacktestAlert[];
}

function toBacktestAlert(candidate: AlertCandidate, race: EvaluationRace): BacktestAlert {
  const input = alertInputFor(candidate);
  return {
    dedupeKey: input.dedupeKey,
    type: candidate.type,
    raceId: race.raceId,
    track: race.track,
    timezone: race.timezone,
    raceDate: race.raceDate,
    raceNumber: race.raceNumber,
    subject: candidate.subject,
    horse: candidate.entryId === null ? null : (race.entries.get(candidate.entryId)?.horse ?? null),
    triggeredAt: candidate.triggeredAt,
    message: candidate.message,
    thresholdValue: candidate.thresholdValue,
    actualValue: candidate.actualValue,
    strength: candidate.strength,
  };
}

export async function runBacktest(
  db: Db,
  config: TotewatchConfig,
  options: BacktestOptions,
): Promise<BacktestResult> {
  if (Number.isNaN(options.from.getTime()) || Number.isNaN(options.to.getTime())) {
    throw new RangeError("backtest: --from and --to must be valid instants");
  }
  if (options.from.getTime() > options.to.getTime()) {
    throw new RangeError(
      `backtest: --from (${options.from.toISOString()}) is after --to (${options.to.toISOString()})`,
    );
  }
  const settings = settingsResolver(config);
  const suppression = suppressionSettingsOf(config);
  return evaluationReadTransaction(db, (tx) => {
    const raceIds = tx.racesWithSnapshotsBetween(options.from, options.to, options.track);
    const races = tx.races(raceIds);
    const stats = emptyStats();
    const alerts: BacktestAlert[] = [];
    // Suppression is per race, so races can be evaluated one after another.
    for (const raceId of raceIds) {
      const race = races.get(raceId);
      if (race === undefined) continue;
      const windowStart = new Date(
        options.from.getTime() - settings(race.track).steam.windowMinutes * MS_PER_MINUTE,
      );
      const history = new RaceHistory(race, [
        ...tx.winSnapshotBefore(raceId, windowStart),
        ...tx.winRowsBetween(raceId, windowStart, options.to),
      ]);
      const inRange = (at: Date) =>
        at.getTime() >= options.from.getTime() && at.getTime() <= options.to.getTime();
      const units: EvaluationUnit[] = [
        ...history.snapshots
          .filter((board) => inRange(board.fetchedAt))
          .map((board) => ({ kind: "win" as const, raceId, fetchedAt: board.fetchedAt, lastId: 0 })),
        ...tx
          .exactaInstantsBetween(raceId, options.from, options.to)
          .map((fetchedAt) => ({ kind: "exacta" as const, raceId, fetchedAt, lastId: 0 })),
      ].sort(compareUnits);
      const ledger = emptyLedger();
      const raceStats = evaluateUnits(
        units,
        {
          race: (id) => (id === raceId ? race : undefined),
          history: () => history,
          exactaGrid: (id, fetchedAt) => tx.exactaGrid(id, fetchedAt),
          ledger: () => ledger,
          settings,
        },
        suppression,
        (candidate) => {
          alerts.push(toBacktestAlert(candidate, race));
          return true;
        },
      );
      addStats(stats, raceStats);
    }
    return { races: raceIds.length, stats, alerts };
  });
}
