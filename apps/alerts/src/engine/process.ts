/**
 * The alerts engine: evaluates every snapshot ingest wrote since the last
 * pass, exactly once.
 *
 * High-water marks: cursor "alerts:win" is the last odds_snapshot id
 * evaluated, "alerts:exacta" the last exacta_probable id. Each pass is ONE
 * `BEGIN IMMEDIATE` transaction that reads what is pending, evaluates it,
 * stores the surviving alerts with their delivery rows, and moves both
 * cursors. A crash anywhere before the commit leaves everything as it was
 * (the pass runs again after a restart); after it, nothing is evaluated again.
 * Each alert's dedupe key is a second line of defence: re-evaluating a
 * snapshot (e.g. a cursor reset by hand) inserts nothing.
 *
 * The pass holds the write lock while it evaluates; a pass is bounded
 * (maxWinRows, maxExactaGrids) so ingest never waits long.
 *
 * A dry run (`dryRun`) evaluates the same passes in READ transactions and
 * writes nothing: its high-water marks and the alerts it would store live in
 * a DryRun object the caller keeps from pass to pass (so suppression and the
 * per-race caps see them), and each would-be alert is returned for the
 * dry-run channels to show.
 */
import type { Logger, TotewatchConfig } from "@totewatch/config";
import {
  evaluationReadTransaction,
  evaluationTransaction,
  type AlertInput,
  type Db,
  type DeliveryAlert,
  type EvaluationReader,
  type EvaluationRace,
  type EvaluationWriter,
  type StoredAlertRef,
  type StoredExactaGrid,
} from "@totewatch/db";
import type { RuleSettings } from "../rules/index.js";
import {
  addStats,
  alertInputFor,
  emptyStats,
  evaluateUnits,
  RaceHistory,
  settingsResolver,
  suppressionSettingsOf,
  type EvaluationStats,
  type RaceLedger,
} from "./evaluate-units.js";
import { compareUnits, exactaUnits, groupWinRows, selectEvaluable, type EvaluationUnit } from "./units.js";

export const WIN_CURSOR = "alerts:win";
export const EXACTA_CURSOR = "alerts:exacta";

const MS_PER_MINUTE = 60_000;
/** Bounds that hold every stored instant. */
const ALL_TIME = { from: new Date(0), to: new Date("9999-12-31T23:59:59.999Z") };

export interface ProcessPendingOptions {
  /** Clock for created_at / cursor times; default the wall clock. Alerts are timed by their snapshot. */
  now?: Date | (() => Date);
  logger: Logger;
  /** Channels that get a delivery row per new alert; default the channels enabled in the config. */
  channels?: readonly string[];
  /** Win odds rows read per pass (default 20000). */
  maxWinRows?: number;
  /** Exacta grids read per pass (default 500)... */
  maxExactaGrids?: number;
  /** ...from at most this many exacta rows (default 100000). */
  maxExactaRows?: number;
  /** Stop after this many passes even if more is pending (default: until caught up). */
  maxPasses?: number;
  /** Evaluate without writing anything; the state carries over between calls (see DryRun). */
  dryRun?: DryRun;
}

export interface ProcessPendingResult extends EvaluationStats {
  passes: number;
  /** Nothing was pending when the last pass ended. */
  caughtUp: boolean;
  /** The new alerts' ids, in the order they were raised (none in a dry run). */
  alertIds: number[];
  /** Dry run: the alerts a real run would have stored, in the order they were raised, as delivery shows them. */
  unstored: DeliveryAlert[];
}

/**
 * A dry run's memory, kept by its caller across processPending calls: its own
 * high-water marks (starting at the stored ones) and the alerts it would have
 * stored. Nothing of it reaches the database.
 */
export class DryRun {
  readonly cursors = new Map<string, number>();
  /** By race: the would-be alerts, for suppression and the per-race caps. */
  readonly raised = new Map<number, StoredAlertRef[]>();
  readonly dedupeKeys = new Set<string>();
}

/** The names of the channels enabled in the config. */
export function enabledChannelNames(config: TotewatchConfig): string[] {
  const { console, webhook, email } = config.alerts.channels;
  return [
    ...(console.enabled ? ["console"] : []),
    ...(webhook.enabled ? ["webhook"] : []),
    ...(email.enabled ? ["email"] : []),
  ];
}

/** Evaluates everything pending (in bounded passes) and stores the alerts it raises. */
export async function processPending(
  db: Db,
  config: TotewatchConfig,
  options: ProcessPendingOptions,
): Promise<ProcessPendingResult> {
  const clock =
    typeof options.now === "function" ? options.now : () => (options.now as Date | undefined) ?? new Date();
  const channels = options.channels ?? enabledChannelNames(config);
  const settings = settingsResolver(config);
  const limits = {
    winRows: options.maxWinRows ?? 20_000,
    exactaGrids: options.maxExactaGrids ?? 500,
    exactaRows: options.maxExactaRows ?? 100_000,
  };
  const result: ProcessPendingResult = {
    ...emptyStats(),
    passes: 0,
    caughtUp: false,
    alertIds: [],
    unstored: [],
  };
  const maxPasses = options.maxPasses ?? Number.POSITIVE_INFINITY;
  const { dryRun } = options;

  while (result.passes < maxPasses) {
    const context = { channels, settings, limits, now: clock() };
    const pass = dryRun
      ? await evaluationReadTransaction(db, (tx) =>
          runPass(dryRunWriter(tx, dryRun, result.unstored), config, context),
        )
      : await evaluationTransaction(db, (tx) => runPass(tx, config, context));
    result.passes++;
    addStats(result, pass.stats);
    if (!dryRun) result.alertIds.push(...pass.alertIds);
    if (pass.stats.raised > 0 || pass.units > 0) {
      options.logger.debug(
        {
          units: pass.units,
          winSnapshots: pass.stats.winSnapshots,
          exactaGrids: pass.stats.exactaGrids,
          raised: pass.stats.raised,
          suppressed: pass.stats.suppressed,
        },
        "alerts pass",
      );
    }
    if (pass.caughtUp) {
      result.caughtUp = true;
      break;
    }
  }
  if (result.raised > 0) {
    options.logger.info(
      { raised: result.raised, winSnapshots: result.winSnapshots, exactaGrids: result.exactaGrids },
      dryRun ? `dry run: would raise ${result.raised} alert(s)` : `raised ${result.raised} alert(s)`,
    );
  }
  return result;
}

/**
 * The write side of a pass over a read transaction, kept in `state`: cursors
 * move in memory, and an alert is "stored" there (and pushed to `unstored`)
 * unless this dry run already raised its key or the file holds the same
 * alert (type, subject, instant) - the file's dedupe key cannot be read here.
 */
function dryRunWriter(tx: EvaluationReader, state: DryRun, unstored: DeliveryAlert[]): EvaluationWriter {
  const racesById = new Map<number, EvaluationRace | undefined>();
  const raceOf = (raceId: number) => {
    if (!racesById.has(raceId)) racesById.set(raceId, tx.races([raceId]).get(raceId));
    return racesById.get(raceId);
  };
  const raisedBetween = (raceId: number, from: Date, to: Date) =>
    (state.raised.get(raceId) ?? []).filter(
      (alert) => alert.triggeredAt.getTime() >= from.getTime() && alert.triggeredAt.getTime() <= to.getTime(),
    );
  return {
    ...tx,
    cursor: (name) => state.cursors.get(name) ?? tx.cursor(name),
    setCursor: (name, position) => void state.cursors.set(name, position),
    raceAlertsBetween: (raceId, from, to) => [
      ...tx.raceAlertsBetween(raceId, from, to),
      ...raisedBetween(raceId, from, to),
    ],
    storeAlert(input) {
      const raceId = input.raceId ?? null;
      const ref: StoredAlertRef = {
        alertType: input.alertType,
        subject: input.subject ?? null,
        triggeredAt: input.triggeredAt,
      };
      const stored =
        raceId !== null &&
        tx
          .raceAlertsBetween(raceId, input.triggeredAt, input.triggeredAt)
          .some((alert) => alert.alertType === ref.alertType && alert.subject === ref.subject);
      if (stored || state.dedupeKeys.has(input.dedupeKey)) return { alertId: 0, created: false };
      state.dedupeKeys.add(input.dedupeKey);
      if (raceId !== null) state.raised.set(raceId, [...(state.raised.get(raceId) ?? []), ref]);
      unstored.push(unstoredAlert(input, raceId === null ? undefined : raceOf(raceId)));
      return { alertId: 0, created: true };
    },
  };
}

/** A would-be alert in the shape delivery reads stored ones (alertId 0: it has none). */
function unstoredAlert(input: AlertInput, race: EvaluationRace | undefined): DeliveryAlert {
  const entry = input.entryId == null ? undefined : race?.entries.get(input.entryId);
  return {
    alertId: 0,
    dedupeKey: input.dedupeKey,
    alertType: input.alertType,
    triggeredAt: input.triggeredAt,
    message: input.message,
    subject: input.subject ?? null,
    thresholdValue: input.thresholdValue ?? null,
    actualValue: input.actualValue ?? null,
    // As stored: JSON text, read back.
    details: input.details ? (JSON.parse(JSON.stringify(input.details)) as Record<string, unknown>) : null,
    race: race
      ? {
          raceId: race.raceId,
          track: race.track,
          timezone: race.timezone,
          raceDate: race.raceDate,
          raceNumber: race.raceNumber,
          postTime: race.postTime,
        }
      : null,
    runner: entry ? { entryId: entry.entryId, programNumber: entry.programNumber, horse: entry.horse } : null,
  };
}

interface PassContext {
  channels: readonly string[];
  settings: (track: string) => RuleSettings;
  limits: { winRows: number; exactaGrids: number; exactaRows: number };
  now: Date;
}

interface PassResult {
  units: number;
  caughtUp: boolean;
  stats: EvaluationStats;
  alertIds: number[];
}

function runPass(tx: EvaluationWriter, config: TotewatchConfig, pass: PassContext): PassResult {
  const winCursor = tx.cursor(WIN_CURSOR);
  const exactaCursor = tx.cursor(EXACTA_CURSOR);

  // Whole win snapshots only: a read cut mid-snapshot drops that snapshot (and a
  // single snapshot bigger than the limit makes the read grow until it fits).
  let winLimit = pass.limits.winRows;
  let winBatch = groupWinRows(tx.winRowsAfter(winCursor, winLimit), winLimit);
  while (winBatch.truncated && winBatch.units.length === 0) {
    winLimit *= 2;
    winBatch = groupWinRows(tx.winRowsAfter(winCursor, winLimit), winLimit);
  }
  const exactaRead = tx.exactaHeadsAfter(exactaCursor, {
    maxGrids: pass.limits.exactaGrids,
    maxRows: pass.limits.exactaRows,
  });
  const exactaBatch = exactaUnits(exactaRead.heads);
  const exactaTruncated = exactaRead.truncated;

  const lastWinId = winBatch.units.reduce((max, unit) => Math.max(max, unit.lastId), winCursor);
  const lastExactaId = exactaBatch.at(-1)?.lastId ?? exactaCursor;
  const toTimes = (starts: Map<number, Date>) =>
    new Map([...starts].map(([raceId, at]) => [raceId, at.getTime()] as const));
  const pendingWin = winBatch.truncated ? toTimes(tx.pendingWinStarts(lastWinId)) : new Map<number, number>();
  const pendingExacta = exactaTruncated
    ? toTimes(tx.pendingExactaStarts(lastExactaId))
    : new Map<number, number>();

  let selected = selectEvaluable(winBatch.units, exactaBatch, pendingWin, pendingExacta);
  if (selected.win.length + selected.exacta.length === 0 && winBatch.units.length + exactaBatch.length > 0) {
    // Only reachable when a race's snapshots were written out of time order: make
    // progress with the oldest first unit rather than wait for an order that never comes.
    const first = [winBatch.units[0], exactaBatch[0]]
      .filter((unit): unit is EvaluationUnit => unit !== undefined)
      .sort(compareUnits)[0]!;
    selected = first.kind === "win" ? { win: [first], exacta: [] } : { win: [], exacta: [first] };
  }
  const units = [...selected.win, ...selected.exacta].sort(compareUnits);
  const caughtUp =
    !winBatch.truncated &&
    !exactaTruncated &&
    selected.win.length === winBatch.units.length &&
    selected.exacta.length === exactaBatch.length;

  const alertIds: number[] = [];
  const stats = units.length === 0 ? emptyStats() : evaluatePass(tx, config, pass, units, alertIds);

  const newWinCursor = selected.win.reduce((max, unit) => Math.max(max, unit.lastId), winCursor);
  const newExactaCursor = selected.exacta.reduce((max, unit) => Math.max(max, unit.lastId), exactaCursor);
  if (newWinCursor !== winCursor) tx.setCursor(WIN_CURSOR, newWinCursor, pass.now);
  if (newExactaCursor !== exactaCursor) tx.setCursor(EXACTA_CURSOR, newExactaCursor, pass.now);
  return { units: units.length, caughtUp, stats, alertIds };
}

/** Reads what the units need in a few batched queries, then evaluates and stores. */
function evaluatePass(
  tx: EvaluationWriter,
  config: TotewatchConfig,
  pass: PassContext,
  units: readonly EvaluationUnit[],
  alertIds: number[],
): EvaluationStats {
  const races = tx.races(units.map((unit) => unit.raceId));
  const suppression = suppressionSettingsOf(config);

  // Per race, the span of instants evaluated in this pass.
  const spans = new Map<number, { from: number; to: number }>();
  for (const unit of units) {
    const at = unit.fetchedAt.getTime();
    const span = spans.get(unit.raceId);
    if (!span) spans.set(unit.raceId, { from: at, to: at });
    else {
      span.from = Math.min(span.from, at);
      span.to = Math.max(span.to, at);
    }
  }

  const histories = new Map<number, RaceHistory>();
  const ledgers = new Map<number, RaceLedger>();
  const grids = new Map<string, StoredExactaGrid>();
  const raceOf = (raceId: number): EvaluationRace => races.get(raceId)!;

  return evaluateUnits(
    units,
    {
      race: (raceId) => races.get(raceId),
      history(raceId) {
        let history = histories.get(raceId);
        if (!history) {
          const race = raceOf(raceId);
          const span = spans.get(raceId)!;
          // Enough for steam's window before the earliest board, plus the board before that.
          const from = new Date(span.from - pass.settings(race.track).steam.windowMinutes * MS_PER_MINUTE);
          const rows = [
            ...tx.winSnapshotBefore(raceId, from),
            ...tx.winRowsBetween(raceId, from, new Date(span.to)),
          ];
          history = new RaceHistory(race, rows);
          histories.set(raceId, history);
        }
        return history;
      },
      exactaGrid(raceId, fetchedAt) {
        const key = `${raceId}:${fetchedAt.getTime()}`;
        let grid = grids.get(key);
        if (!grid) {
          grid = tx.exactaGrid(raceId, fetchedAt);
          grids.set(key, grid);
        }
        return grid;
      },
      ledger(raceId) {
        let ledger = ledgers.get(raceId);
        if (!ledger) {
          // Every alert of the race: the per-rule cap needs counts by type, and the caps keep
          // a race's alerts few. Duplicates are still judged by distance in shouldSuppress.
          const recent = tx.raceAlertsBetween(raceId, ALL_TIME.from, ALL_TIME.to).map((alert) => ({
            type: alert.alertType,
            subject: alert.subject,
            triggeredAt: alert.triggeredAt,
          }));
          const countByType = new Map<string, number>();
          for (const alert of recent) countByType.set(alert.type, (countByType.get(alert.type) ?? 0) + 1);
          ledger = { recent, count: recent.length, countByType };
          ledgers.set(raceId, ledger);
        }
        return ledger;
      },
      settings: pass.settings,
    },
    suppression,
    (candidate) => {
      const stored = tx.storeAlert(alertInputFor(candidate), pass.channels, pass.now);
      if (stored.created) alertIds.push(stored.alertId);
      return stored.created;
    },
  );
}
