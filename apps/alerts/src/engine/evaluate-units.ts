/**
 * Evaluating units in canonical order with suppression: the part the daemon
 * (suppression state from the database) and the backtest (suppression state
 * in memory) share, so both raise exactly the same alerts. The rules are pure
 * (no I/O); what they read comes from a UnitSource, which may read the
 * database (async), one unit after another.
 */
import { resolveRuleSettings, type TotewatchConfig, type TrackConfig } from "@totewatch/config";
import type { EvaluationRace, EvaluationReader } from "@totewatch/db";
import {
  bettingInterestOf,
  DEFAULT_BOARD_ODDS_FORMAT,
  RUN_STATUSES,
  type BoardOddsFormat,
} from "@totewatch/tote";
import {
  evaluateExactaSnapshot,
  evaluateLateChange,
  evaluateWinSnapshot,
  shouldSuppress,
  type AlertCandidate,
  type ExactaSnapshot,
  type RaceContext,
  type RecentAlert,
  type RuleSettings,
  type ScratchedInterest,
  type SuppressionReason,
  type SuppressionSettings,
} from "../rules/index.js";
import type { RaceHistory } from "./race-history.js";
import type { EvaluationUnit } from "./units.js";

/**
 * When the race went off, as far as the evaluation can tell: the stored off time, or, for a race
 * known to be off or official without one (an older database, a feed that never timed its "off"),
 * its scheduled post time. Null while the race is not known to be off.
 */
export function offTimeOf(race: Pick<EvaluationRace, "status" | "postTime" | "offAt">): Date | null {
  if (race.offAt !== null) return race.offAt;
  return RUN_STATUSES.has(race.status) ? race.postTime : null;
}

/**
 * The race's betting interests every card member of which is scratched, each known from when its
 * last member's scratch was (null: never timed, known from the start).
 */
export function scratchedInterestsOf(race: Pick<EvaluationRace, "entries">): ScratchedInterest[] {
  const members = new Map<string, Array<{ scratched: boolean; scratchedAt: Date | null }>>();
  for (const entry of race.entries.values()) {
    const key = bettingInterestOf(entry.programNumber);
    members.set(key, [...(members.get(key) ?? []), entry]);
  }
  const scratches: ScratchedInterest[] = [];
  for (const [interest, entries] of members) {
    if (!entries.every((entry) => entry.scratched)) continue;
    const times = entries.flatMap((entry) =>
      entry.scratchedAt === null ? [] : [entry.scratchedAt.getTime()],
    );
    scratches.push({ interest, knownAt: times.length === 0 ? null : new Date(Math.max(...times)) });
  }
  return scratches;
}

/** A race's context is read for every unit of it: built once per race read (the race is not changed). */
const contexts = new WeakMap<EvaluationRace, RaceContext>();

/** The race as the rules see it; `boardOdds`: how its track's board quotes odds (default odds-to-1). */
export function raceContextOf(race: EvaluationRace, boardOdds?: BoardOddsFormat): RaceContext {
  let ctx = contexts.get(race);
  if (ctx === undefined || ctx.boardOdds !== boardOdds) {
    ctx = buildRaceContext(race, boardOdds);
    contexts.set(race, ctx);
  }
  return ctx;
}

function buildRaceContext(race: EvaluationRace, boardOdds: BoardOddsFormat | undefined): RaceContext {
  return {
    ...(boardOdds === undefined ? {} : { boardOdds }),
    raceId: race.raceId,
    track: race.track,
    raceNumber: race.raceNumber,
    raceDate: race.raceDate,
    postTime: race.postTime,
    timezone: race.timezone,
    offAt: offTimeOf(race),
    scratches: scratchedInterestsOf(race),
  };
}

/**
 * How each track's board quotes win odds, by name, as the config says (tracks[].oddsFormat and
 * dividendUnit); a track the config does not name is odds-to-1. The database keeps odds-to-1
 * only, so the config is where the alerts learn a track is a decimal tote.
 */
export function boardOddsResolver(config: {
  tracks: ReadonlyArray<Pick<TrackConfig, "name" | "oddsFormat" | "dividendUnit"> & { currency?: string }>;
}): (track: string) => BoardOddsFormat {
  const boards = new Map<string, BoardOddsFormat>();
  for (const { name, oddsFormat, dividendUnit, currency } of config.tracks)
    boards.set(name, { oddsFormat, dividendUnit, ...(currency === undefined ? {} : { currency }) });
  return (track) => boards.get(track) ?? DEFAULT_BOARD_ODDS_FORMAT;
}

/** How far back the win rules look from a board: the longer of steam's and drift's windows. */
export function historyWindowMinutes(settings: RuleSettings): number {
  return Math.max(settings.steam.windowMinutes, settings.drift.windowMinutes);
}

/** Rule settings per track, resolved once per track. */
export function settingsResolver(config: TotewatchConfig): (track: string) => RuleSettings {
  const cache = new Map<string, RuleSettings>();
  return (track) => {
    let settings = cache.get(track);
    if (!settings) {
      settings = resolveRuleSettings(config, track);
      cache.set(track, settings);
    }
    return settings;
  };
}

export function suppressionSettingsOf(config: TotewatchConfig): SuppressionSettings {
  return {
    duplicateWindowMinutes: config.alerts.suppression.duplicateWindowMinutes,
    maxPerRace: config.alerts.suppression.maxPerRace,
    maxPerRacePerRule: config.alerts.suppression.maxPerRacePerRule,
  };
}

/** What suppression knows about one race: its alerts (at least those near the instants evaluated), and its counts. */
export interface RaceLedger {
  recent: RecentAlert[];
  count: number;
  /** Alerts by type (as stored, plain text); a type not listed has none. */
  countByType: Map<string, number>;
}

/** The ledger of a race with no alerts yet. */
export function emptyLedger(): RaceLedger {
  return { recent: [], count: 0, countByType: new Map() };
}

/**
 * Which rules a snapshot of `race` fetched at `fetchedAt` is for: none for a cancelled race (there
 * is nothing to bet on); the late-change rule for a board fetched after the off (the pools are
 * closed: what still moves there is late money merging, not a bet anyone can follow); the pre-race
 * rules otherwise, including through post drag (after scheduled post, before the off). A board at
 * the off instant is the last pre-off board.
 */
export function phaseOf(
  race: Pick<EvaluationRace, "status" | "postTime" | "offAt">,
  fetchedAt: Date,
): "none" | "pre-race" | "after-off" {
  if (race.status === "cancelled") return "none";
  const offAt = offTimeOf(race);
  return offAt !== null && fetchedAt.getTime() > offAt.getTime() ? "after-off" : "pre-race";
}

/**
 * Whether candidatesForUnit calls its `exactaGrid` for this unit: an exacta unit the pre-race
 * rules judge. Only then does evaluateUnits read the grid.
 */
export function readsExactaGrid(
  unit: EvaluationUnit,
  race: Pick<EvaluationRace, "status" | "postTime" | "offAt">,
): boolean {
  return unit.kind === "exacta" && phaseOf(race, unit.fetchedAt) === "pre-race";
}

/**
 * A UnitSource's `exactaGrid` for these units: the grids evaluateUnits will read (readsExactaGrid)
 * read up front in a few statements instead of one a grid; any other is read when asked. Units
 * of races `raceOf` does not know read none.
 */
export async function exactaGridsFor(
  reader: Pick<EvaluationReader, "exactaGrids" | "exactaGrid">,
  units: readonly EvaluationUnit[],
  raceOf: (raceId: number) => EvaluationRace | undefined,
): Promise<UnitSource["exactaGrid"]> {
  const keyOf = (raceId: number, fetchedAt: Date) => `${raceId}:${fetchedAt.getTime()}`;
  const wanted = units.filter((unit) => {
    const race = raceOf(unit.raceId);
    return race !== undefined && readsExactaGrid(unit, race);
  });
  const grids = new Map(
    (await reader.exactaGrids(wanted)).map((grid) => [keyOf(grid.raceId, grid.fetchedAt), grid]),
  );
  return (raceId, fetchedAt) => grids.get(keyOf(raceId, fetchedAt)) ?? reader.exactaGrid(raceId, fetchedAt);
}

/**
 * The candidates of one unit, strongest first; [] when the data it needs is missing or the race's
 * phase rules the unit out (phaseOf).
 */
export function candidatesForUnit(
  unit: EvaluationUnit,
  race: EvaluationRace,
  history: RaceHistory,
  exactaGrid: () => ExactaSnapshot,
  settings: RuleSettings,
  boardOdds?: BoardOddsFormat,
): AlertCandidate[] {
  const phase = phaseOf(race, unit.fetchedAt);
  if (phase === "none") return [];
  const ctx = raceContextOf(race, boardOdds);
  if (phase === "after-off") {
    if (unit.kind !== "win" || ctx.offAt === null) return [];
    const lastPreOff = history.latestAtOrBefore(ctx.offAt);
    const current = history.boardAt(unit.fetchedAt);
    return lastPreOff === null || current === null
      ? []
      : evaluateLateChange(ctx, lastPreOff, current, settings);
  }
  if (unit.kind === "win") {
    const boards = history.historyFor(unit.fetchedAt, historyWindowMinutes(settings));
    return boards === null
      ? []
      : evaluateWinSnapshot(ctx, boards, settings, (interest, before) =>
          history.lastListing(interest, before),
        );
  }
  const grid = exactaGrid();
  if (grid.probables.length === 0) return [];
  const snapshot = {
    fetchedAt: grid.fetchedAt,
    totalExactaPool: grid.totalExactaPool,
    probables: grid.probables,
  };
  return evaluateExactaSnapshot(ctx, snapshot, history.latestAtOrBefore(unit.fetchedAt), settings);
}

export interface EvaluationStats {
  winSnapshots: number;
  exactaGrids: number;
  candidates: number;
  raised: number;
  suppressed: Record<SuppressionReason, number>;
}

export function emptyStats(): EvaluationStats {
  return {
    winSnapshots: 0,
    exactaGrids: 0,
    candidates: 0,
    raised: 0,
    suppressed: { duplicate: 0, race_limit: 0 },
  };
}

export function addStats(total: EvaluationStats, pass: EvaluationStats): void {
  total.winSnapshots += pass.winSnapshots;
  total.exactaGrids += pass.exactaGrids;
  total.candidates += pass.candidates;
  total.raised += pass.raised;
  total.suppressed.duplicate += pass.suppressed.duplicate;
  total.suppressed.race_limit += pass.suppressed.race_limit;
}

type Awaitable<T> = T | Promise<T>;

/** What evaluateUnits reads, unit by unit (each awaited before the next read). */
export interface UnitSource {
  race(raceId: number): Awaitable<EvaluationRace | undefined>;
  history(raceId: number): Awaitable<RaceHistory>;
  /** A stored exacta grid (the reader's ExactaGrid is one). */
  exactaGrid(raceId: number, fetchedAt: Date): Awaitable<ExactaSnapshot>;
  ledger(raceId: number): Awaitable<RaceLedger>;
  settings(track: string): RuleSettings;
  /** How the track's board quotes odds (boardOddsResolver), for the messages; default odds-to-1. */
  boardOdds?(track: string): BoardOddsFormat;
}

/**
 * Evaluates units (already in canonical order) and hands every candidate that
 * survives suppression to `raise`, which resolves to false when the alert already
 * existed (same dedupe key). The ledger is updated as alerts are raised, so a
 * later unit of the same race sees them. One unit and one candidate at a time:
 * every read and every `raise` is awaited before the next.
 */
export async function evaluateUnits(
  units: readonly EvaluationUnit[],
  source: UnitSource,
  suppression: SuppressionSettings,
  raise: (candidate: AlertCandidate, race: EvaluationRace) => Awaitable<boolean>,
): Promise<EvaluationStats> {
  const stats = emptyStats();
  for (const unit of units) {
    if (unit.kind === "win") stats.winSnapshots++;
    else stats.exactaGrids++;
    const race = await source.race(unit.raceId);
    if (race === undefined) continue;
    const history = await source.history(unit.raceId);
    // Read only when the rules use it (readsExactaGrid), as a lazy read would.
    const grid = readsExactaGrid(unit, race) ? await source.exactaGrid(unit.raceId, unit.fetchedAt) : null;
    const candidates = candidatesForUnit(
      unit,
      race,
      history,
      () => {
        if (grid === null) throw new Error(`evaluateUnits: exacta grid of race ${unit.raceId} not read`);
        return grid;
      },
      source.settings(race.track),
      source.boardOdds?.(race.track),
    );
    stats.candidates += candidates.length;
    const ledger = await source.ledger(unit.raceId);
    for (const candidate of candidates) {
      const counts = { total: ledger.count, ofType: ledger.countByType.get(candidate.type) ?? 0 };
      const reason = shouldSuppress(candidate, ledger.recent, counts, suppression);
      if (reason !== null) {
        stats.suppressed[reason]++;
        continue;
      }
      if (await raise(candidate, race)) {
        stats.raised++;
        ledger.recent.push({
          alertType: candidate.type,
          subject: candidate.subject,
          triggeredAt: candidate.triggeredAt,
        });
        ledger.count++;
        ledger.countByType.set(candidate.type, counts.ofType + 1);
      }
    }
  }
  return stats;
}
