/**
 * The races of one track's race day as the poller knows them: post time,
 * status and stored off time read back from the database, when each race was
 * last polled, and when the poller first saw it off (the after-off
 * bookkeeping schedule.ts bounds the window with).
 *
 * Invariants:
 * - Post time, status and stored off time are only taken from the database,
 *   after the writes that changed them committed: the poller schedules by
 *   what is stored, as the alerts daemon reads it.
 * - seenOffAt is set once, the first time a race is read back "off" (at the
 *   start of the poll, or the card refresh, that read it), and never moved:
 *   with the stored off time it fixes the after-off window, so a feed's
 *   wrong `at` (hours ahead, or none) cannot stretch it.
 * - A race is added when the config or the database names it and never
 *   removed during the day.
 * - Races without a post time are not polled once the day has ended or
 *   every race with one is done.
 */
import type { Logger } from "@totewatch/config";
import { findRace, racesOnDate, type Db, type RaceSummary } from "@totewatch/db";
import { afterOffWindowEnd, isOff, nextPollAt, type Cadence, type RacePollState } from "./schedule.js";

export interface RaceState extends RacePollState {
  race: number;
}

export interface RaceBookOptions {
  db: Db;
  logger?: Logger;
  track: string;
  date: string;
  cadence: Cadence;
  giveUpAfterPostMs: number;
  /** When the local race day ends (epoch ms): undated races are not polled past it. */
  dayEnd: number;
  /** Races known before any card: 1..configuredRaces. */
  configuredRaces: number;
}

/** The race to poll next, when, and how many races are still live (not done). */
export interface DueRace {
  due: RaceState | null;
  /** +Infinity when no race is live. */
  dueAt: number;
  live: number;
}

export class RaceBook {
  private readonly races = new Map<number, RaceState>();

  constructor(private readonly options: RaceBookOptions) {
    for (let race = 1; race <= options.configuredRaces; race++) this.races.set(race, newState(race));
  }

  get size(): number {
    return this.races.size;
  }

  raceNumbers(): number[] {
    return [...this.races.keys()];
  }

  /** When `state` is next due at `now`, or null when it is done. */
  nextPollOf(state: RaceState, now: number): number | null {
    return nextPollAt(state, now, this.options.cadence, this.options.giveUpAfterPostMs);
  }

  /** Reads every race of the day back from the database (seen at `seenAt`), adding new ones. */
  async refresh(seenAt: number): Promise<void> {
    const { db, date, track } = this.options;
    for (const summary of await racesOnDate(db, date, { track })) {
      const state = this.races.get(summary.raceNumber) ?? newState(summary.raceNumber);
      state.postTime = summary.postTime?.getTime() ?? null;
      this.observe(state, summary, seenAt);
      this.races.set(summary.raceNumber, state);
    }
  }

  /** Reads `state`'s race back after a poll that started at `polledAt`. */
  async reread(state: RaceState, polledAt: number): Promise<void> {
    const { db, date, track } = this.options;
    const summary = await findRace(db, { track, raceDate: date, raceNumber: state.race });
    if (!summary) return;
    state.postTime = summary.postTime?.getTime() ?? state.postTime;
    // Seen off in this poll: its start (when the status was fetched, first) is the nearest instant we know.
    this.observe(state, summary, polledAt);
  }

  /** The race due first at `now` among the live ones (see the invariants for undated races). */
  nextDue(now: number): DueRace {
    const skipUndated = this.undatedRacesDone(now);
    const result: DueRace = { due: null, dueAt: Number.POSITIVE_INFINITY, live: 0 };
    for (const state of this.races.values()) {
      if (state.postTime === null && skipUndated) continue;
      const at = this.nextPollOf(state, now);
      if (at === null) continue;
      result.live++;
      if (at < result.dueAt) [result.due, result.dueAt] = [state, at];
    }
    return result;
  }

  /** Races without a post time are done at the end of the day, or once every race with one is. */
  private undatedRacesDone(now: number): boolean {
    if (now >= this.options.dayEnd) return true;
    const dated = [...this.races.values()].filter((state) => state.postTime !== null);
    return dated.length > 0 && dated.every((state) => this.nextPollOf(state, now) === null);
  }

  /** Takes status and stored off time from `summary`; the first time it is off, notes when. */
  private observe(state: RaceState, summary: RaceSummary, seenAt: number): void {
    const { cadence, giveUpAfterPostMs, logger, track } = this.options;
    state.status = summary.status;
    state.offAt = summary.offAt?.getTime() ?? null;
    if (!isOff(state) || state.seenOffAt !== null) return;
    state.seenOffAt = seenAt;
    const race = { track, race: state.race };
    const until = afterOffWindowEnd(state, cadence, giveUpAfterPostMs);
    if (cadence.afterOffSeconds > 0 && until !== null && until > seenAt) {
      logger?.info(
        {
          ...race,
          offAt: new Date(Math.min(seenAt, state.offAt ?? seenAt)).toISOString(),
          until: new Date(until).toISOString(),
        },
        "race off; polling its late odds",
      );
    }
  }
}

function newState(race: number): RaceState {
  return { race, postTime: null, status: "scheduled", offAt: null, seenOffAt: null, lastPolledAt: null };
}
