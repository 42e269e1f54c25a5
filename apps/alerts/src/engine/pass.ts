/**
 * One evaluation pass (process.ts says how it commits): read the next
 * batch of whole snapshots after the high-water marks (the database owns the
 * batching policy), pick the units that keep every race's canonical order,
 * evaluate them with suppression, store what survives and move the marks.
 *
 * High-water marks: cursor "alerts:win" is the last odds_snapshot id
 * evaluated, "alerts:exacta" the last exacta_probable id. A mark only moves
 * over units evaluated in this pass, in the same commit as their alerts.
 * Every read and write on `tx` is awaited in turn, inside the pass's
 * transaction.
 */
import type { TotewatchConfig } from "@totewatch/config";
import type {
  EvaluationRace,
  EvaluationReader,
  EvaluationWriter,
  PassLimits,
  WinOddsRow,
} from "@totewatch/db";
import type { RuleSettings } from "../rules/index.js";
import {
  boardOddsResolver,
  emptyStats,
  evaluateUnits,
  exactaGridsFor,
  historyWindowMinutes,
  offTimeOf,
  suppressionSettingsOf,
  type EvaluationStats,
  type RaceLedger,
} from "./evaluate-units.js";
import { RaceHistory } from "./race-history.js";
import { alertInputFor } from "./stored-form.js";
import { compareUnits, selectEvaluable, snapshotUnits, type EvaluationUnit } from "./units.js";

export const WIN_CURSOR = "alerts:win";
export const EXACTA_CURSOR = "alerts:exacta";

const MS_PER_MINUTE = 60_000;

export interface PassContext {
  channels: readonly string[];
  settings: (track: string) => RuleSettings;
  /** Smaller bounds than the database's defaults (tests). */
  limits: Partial<PassLimits>;
  now: Date;
}

export interface PassResult {
  units: number;
  caughtUp: boolean;
  stats: EvaluationStats;
  alertIds: number[];
}

export async function runPass(
  tx: EvaluationWriter,
  config: TotewatchConfig,
  pass: PassContext,
): Promise<PassResult> {
  const marks = { win: await tx.cursor(WIN_CURSOR), exacta: await tx.cursor(EXACTA_CURSOR) };
  const batch = await tx.nextBatch(marks, pass.limits);
  const winUnits = snapshotUnits("win", batch.win.heads);
  const exactaUnits = snapshotUnits("exacta", batch.exacta.heads);
  const toTimes = (starts: Map<number, Date>) =>
    new Map([...starts].map(([raceId, at]) => [raceId, at.getTime()] as const));

  let selected = selectEvaluable(
    winUnits,
    exactaUnits,
    toTimes(batch.win.pending),
    toTimes(batch.exacta.pending),
  );
  if (selected.win.length + selected.exacta.length === 0 && winUnits.length + exactaUnits.length > 0) {
    // Only reachable when a race's snapshots were written out of time order: make
    // progress with the oldest first unit rather than wait for an order that never comes.
    const first = [winUnits[0], exactaUnits[0]]
      .filter((unit): unit is EvaluationUnit => unit !== undefined)
      .sort(compareUnits)[0]!;
    selected = first.kind === "win" ? { win: [first], exacta: [] } : { win: [], exacta: [first] };
  }
  const units = [...selected.win, ...selected.exacta].sort(compareUnits);
  const caughtUp =
    !batch.win.truncated &&
    !batch.exacta.truncated &&
    selected.win.length === winUnits.length &&
    selected.exacta.length === exactaUnits.length;

  const alertIds: number[] = [];
  const stats = units.length === 0 ? emptyStats() : await evaluatePass(tx, config, pass, units, alertIds);

  const newWinMark = selected.win.reduce((max, unit) => Math.max(max, unit.lastId), marks.win);
  const newExactaMark = selected.exacta.reduce((max, unit) => Math.max(max, unit.lastId), marks.exacta);
  if (newWinMark !== marks.win) await tx.setCursor(WIN_CURSOR, newWinMark, pass.now);
  if (newExactaMark !== marks.exacta) await tx.setCursor(EXACTA_CURSOR, newExactaMark, pass.now);
  return { units: units.length, caughtUp, stats, alertIds };
}

/** Reads what the units need in a few batched queries, then evaluates and stores. */
async function evaluatePass(
  tx: EvaluationWriter,
  config: TotewatchConfig,
  pass: PassContext,
  units: readonly EvaluationUnit[],
  alertIds: number[],
): Promise<EvaluationStats> {
  const races = await tx.races(units.map((unit) => unit.raceId));
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

  const histories = await raceHistories(tx, races, spans, pass);
  const ledgers = await raceLedgers(
    tx,
    [...spans.keys()].filter((raceId) => races.has(raceId)),
  );
  const exactaGrid = await exactaGridsFor(tx, units, (raceId) => races.get(raceId));

  return evaluateUnits(
    units,
    {
      race: (raceId) => races.get(raceId),
      // Every race of the units was read above (raceHistories), as was every grid they read.
      history: (raceId) => histories.get(raceId)!,
      exactaGrid,
      ledger: (raceId) => ledgers.get(raceId)!,
      settings: pass.settings,
      boardOdds: boardOddsResolver(config),
    },
    suppression,
    async (candidate) => {
      const stored = await tx.storeAlert(alertInputFor(candidate), pass.channels, pass.now);
      if (stored.created) alertIds.push(stored.alertId);
      return stored.created;
    },
  );
}

/**
 * Each race's ledger (RaceLedger): every alert of the race, in one statement for all of them. The
 * per-rule cap needs counts by type, and the caps keep a race's alerts few. Duplicates are still
 * judged by distance in shouldSuppress.
 */
async function raceLedgers(tx: EvaluationReader, raceIds: number[]): Promise<Map<number, RaceLedger>> {
  const ledgers = new Map<number, RaceLedger>();
  for (const [raceId, recent] of await tx.raceAlerts(raceIds)) {
    const countByType = new Map<string, number>();
    for (const alert of recent) countByType.set(alert.alertType, (countByType.get(alert.alertType) ?? 0) + 1);
    ledgers.set(raceId, { recent, count: recent.length, countByType });
  }
  return ledgers;
}

/**
 * The history each race of the pass needs, in three statements (and a look-up per scratched
 * runner): enough for steam's and drift's window before the race's earliest board in the pass,
 * plus the board before that, the last board before the off (late changes) and the last board
 * listing each scratched runner (scratch).
 */
async function raceHistories(
  tx: EvaluationReader,
  races: Map<number, EvaluationRace>,
  spans: Map<number, { from: number; to: number }>,
  pass: PassContext,
): Promise<Map<number, RaceHistory>> {
  const plans = [...spans].flatMap(([raceId, span]) => {
    const race = races.get(raceId);
    if (race === undefined) return [];
    const from = new Date(span.from - historyWindowMinutes(pass.settings(race.track)) * MS_PER_MINUTE);
    return [{ race, from, to: new Date(span.to), offBound: beforeOffBound(race, span.to) }];
  });
  const windows = await tx.winRowsBetweenEach(
    plans.map((p) => ({ raceId: p.race.raceId, from: p.from, to: p.to })),
  );
  // The board before each window, then (for races past the off) the last board before the off.
  const pastOff = plans.filter((p) => p.offBound !== null);
  const boards = await tx.winSnapshotsBefore([
    ...plans.map((p) => ({ raceId: p.race.raceId, before: p.from })),
    ...pastOff.map((p) => ({ raceId: p.race.raceId, before: p.offBound! })),
  ]);
  const beforeOff = new Map(pastOff.map((p, i) => [p.race.raceId, boards[plans.length + i]!]));
  const histories = new Map<number, RaceHistory>();
  for (const [i, { race, to }] of plans.entries()) {
    const rows = [
      ...boards[i]!,
      ...windows[i]!,
      ...(beforeOff.get(race.raceId) ?? []),
      ...(await lastBoardsListingScratched(tx, race, to.getTime())),
    ];
    histories.set(race.raceId, new RaceHistory(race, rows));
  }
  return histories;
}

/**
 * The late-change rule compares a board after the off with the last board before it, which can
 * lie further back than steam's window. When evaluation reaches `until`, past the race's off: the
 * bound that board lies strictly before (the off, inclusive); else null.
 */
function beforeOffBound(race: EvaluationRace, until: number): Date | null {
  const offAt = offTimeOf(race);
  return offAt === null || until <= offAt.getTime() ? null : new Date(offAt.getTime() + 1);
}

/** The rows of the last board before the off (beforeOffBound), [] when evaluation has not passed it. */
export async function lastBoardBeforeOff(
  tx: EvaluationReader,
  race: EvaluationRace,
  until: number,
): Promise<WinOddsRow[]> {
  const bound = beforeOffBound(race, until);
  return bound === null ? [] : tx.winSnapshotBefore(race.raceId, bound);
}

/**
 * The scratch rule measures a refund on the last board that listed the scratched runner, which
 * can lie before steam's window (the card said so long after the board dropped it): those rows.
 */
export async function lastBoardsListingScratched(
  tx: EvaluationReader,
  race: EvaluationRace,
  until: number,
): Promise<WinOddsRow[]> {
  const rows: WinOddsRow[] = [];
  for (const entry of race.entries.values()) {
    if (entry.scratched)
      rows.push(...(await tx.lastBoardListing(race.raceId, entry.entryId, new Date(until))));
  }
  return rows;
}
