/**
 * The race-day simulator: a deterministic, seeded stream of feed messages (cards, win and
 * exacta snapshots, status changes) for any number of tracks, as a tote would show them.
 * Pure: no I/O, no clock, no Math.random; the same options give the same messages.
 */

import type { FeedMessageInput } from "@totewatch/feed";
import { isCalendarDate, isIanaTimeZone, localDateOf, resolvePostTime } from "@totewatch/tote";
import { mergeByTime } from "./merge.js";
import { BUILT_IN_TRACKS, HorseNamer, jockeyColony, trainerRoster, type TrackSpec } from "./names.js";
import { raceMessages, type TimedMessage } from "./race-messages.js";
import { planRace, type RaceContext, type RacePlan } from "./race-plan.js";
import { Random } from "./random.js";
import {
  FIRST_SNAPSHOT_MS_BEFORE_POST,
  MINUTE,
  POLL_EVERY_SECONDS_RANGE,
  SECOND,
  snapshotOffsetsMs,
} from "./schedule.js";

export { BUILT_IN_TRACKS, type TrackSpec } from "./names.js";
export type { TimedMessage } from "./race-messages.js";
export type { RacePlan, SimulatedEntry, SimulatedInterest } from "./race-plan.js";
export { SNAPSHOT_OFFSETS_MS } from "./schedule.js";

export interface SimulationOptions {
  /** Race date, YYYY-MM-DD, in each track's local calendar. */
  date: string;
  /** How many built-in tracks (default 1), or the tracks themselves. */
  tracks?: number | TrackSpec[];
  racesPerTrack?: number;
  /** Entries per race (coupled mates included): a fixed count or a [min, max] range. */
  runners?: number | [number, number];
  seed?: number;
  /** Local post time of race 1 at every track, "HH:MM". */
  firstPostLocal?: string;
  minutesBetweenRaces?: number;
  /** Emit exacta snapshots too. */
  exacta?: boolean;
  /**
   * Poll every this many seconds through the last hour before post (30: 120 polls a race).
   * Without it, the standard schedule: 24 polls, every 5 minutes, then every minute, then 20 s.
   */
  pollEverySeconds?: number;
}

const MAX_RUNNERS = 20;
const MAX_RACES_PER_TRACK = 30;
/** A track puts its whole program up this long before race 1's post. */
const CARDS_PUBLISHED_MS_BEFORE_FIRST_POST = FIRST_SNAPSHOT_MS_BEFORE_POST + 15 * MINUTE;
const JOCKEYS_PER_TRACK = 24;
const TRAINERS_PER_TRACK = 20;

interface ResolvedOptions {
  date: string;
  tracks: TrackSpec[];
  racesPerTrack: number;
  runners: [number, number];
  seed: number;
  firstPostLocal: string;
  minutesBetweenRaces: number;
  exacta: boolean;
  snapshotOffsetsMs: readonly number[];
}

function optionError(name: string, problem: string, value: unknown): RangeError {
  return new RangeError(`simulation option ${name} ${problem}, got ${JSON.stringify(value)}`);
}

function isWholeNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value);
}

function resolveTracks(tracks: SimulationOptions["tracks"]): TrackSpec[] {
  if (tracks === undefined) return [BUILT_IN_TRACKS[0]!];
  if (typeof tracks === "number") {
    if (!isWholeNumber(tracks) || tracks < 1 || tracks > BUILT_IN_TRACKS.length) {
      throw optionError("tracks", `must be a whole number from 1 to ${BUILT_IN_TRACKS.length}`, tracks);
    }
    return BUILT_IN_TRACKS.slice(0, tracks);
  }
  if (!Array.isArray(tracks) || tracks.length === 0) {
    throw optionError("tracks", "must be a count or a non-empty list of tracks", tracks);
  }
  const names = new Set<string>();
  tracks.forEach((track, i) => {
    const where = `tracks[${i}]`;
    if (typeof track?.name !== "string" || track.name.trim() === "") {
      throw optionError(`${where}.name`, "must be a non-empty string", track?.name);
    }
    if (typeof track.code !== "string" || track.code.trim() === "") {
      throw optionError(`${where}.code`, "must be a non-empty string", track.code);
    }
    if (!isIanaTimeZone(track.timezone)) {
      throw optionError(`${where}.timezone`, "must be an IANA time zone", track.timezone);
    }
    if (names.has(track.name)) throw optionError(`${where}.name`, "repeats another track's name", track.name);
    names.add(track.name);
  });
  return tracks.map(({ name, code, timezone }) => ({ name, code, timezone }));
}

function resolveRunners(runners: SimulationOptions["runners"]): [number, number] {
  const range = runners === undefined ? [6, 12] : typeof runners === "number" ? [runners, runners] : runners;
  const [min, max] = Array.isArray(range) ? range : [];
  if (
    !Array.isArray(range) ||
    range.length !== 2 ||
    !isWholeNumber(min) ||
    !isWholeNumber(max) ||
    min < 2 ||
    max > MAX_RUNNERS ||
    min > max
  ) {
    throw optionError(
      "runners",
      `must be a whole number or [min, max] with 2 <= min <= max <= ${MAX_RUNNERS}`,
      runners,
    );
  }
  return [min, max];
}

function resolveOptions(options: SimulationOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null) throw optionError("object", "is required", options);
  const { date, racesPerTrack = 10, seed = 1, firstPostLocal = "13:00", minutesBetweenRaces = 30 } = options;
  const exacta = options.exacta ?? true;
  if (typeof date !== "string" || !isCalendarDate(date)) {
    throw optionError("date", "must be a real YYYY-MM-DD date", date);
  }
  if (!isWholeNumber(racesPerTrack) || racesPerTrack < 1 || racesPerTrack > MAX_RACES_PER_TRACK) {
    throw optionError(
      "racesPerTrack",
      `must be a whole number from 1 to ${MAX_RACES_PER_TRACK}`,
      racesPerTrack,
    );
  }
  if (!isWholeNumber(seed)) throw optionError("seed", "must be a whole number", seed);
  if (typeof firstPostLocal !== "string" || !/^\d{1,2}:\d{2}$/.test(firstPostLocal)) {
    throw optionError("firstPostLocal", 'must be a local time "HH:MM"', firstPostLocal);
  }
  if (
    typeof minutesBetweenRaces !== "number" ||
    !Number.isFinite(minutesBetweenRaces) ||
    minutesBetweenRaces <= 0
  ) {
    throw optionError("minutesBetweenRaces", "must be a positive number", minutesBetweenRaces);
  }
  if (typeof exacta !== "boolean") throw optionError("exacta", "must be true or false", exacta);
  const every = options.pollEverySeconds;
  const [fastest, slowest] = POLL_EVERY_SECONDS_RANGE;
  if (every !== undefined && (!isWholeNumber(every) || every < fastest || every > slowest)) {
    throw optionError("pollEverySeconds", `must be a whole number from ${fastest} to ${slowest}`, every);
  }
  return {
    date,
    tracks: resolveTracks(options.tracks),
    racesPerTrack,
    runners: resolveRunners(options.runners),
    seed,
    firstPostLocal,
    minutesBetweenRaces,
    exacta,
    snapshotOffsetsMs: snapshotOffsetsMs(every),
  };
}

interface PlannedRace {
  plan: RacePlan;
  context: RaceContext;
}

function planDay(options: ResolvedOptions): PlannedRace[] {
  const { seed, date } = options;
  // Names come from one day-wide stream so they are unique across every track and race.
  const namer = new HorseNamer(new Random(seed, 0x4a3e5));
  const races: PlannedRace[] = [];
  options.tracks.forEach((track, trackIndex) => {
    const random = new Random(seed, 0x7ac, trackIndex);
    const jockeys = jockeyColony(random, JOCKEYS_PER_TRACK);
    const trainers = trainerRoster(random, TRAINERS_PER_TRACK);
    const trackPoolScale = random.logNormal(0.4);
    let firstPostMs: number;
    try {
      firstPostMs = resolvePostTime(options.firstPostLocal, date, track.timezone).getTime();
    } catch (error) {
      throw optionError(
        "firstPostLocal",
        `is not a time of day (${(error as Error).message})`,
        options.firstPostLocal,
      );
    }
    for (let race = 1; race <= options.racesPerTrack; race++) {
      const postTimeMs =
        Math.round((firstPostMs + (race - 1) * options.minutesBetweenRaces * MINUTE) / SECOND) * SECOND;
      // Post times only grow through the card, so the last race is the one that could cross midnight.
      if (race === options.racesPerTrack && localDateOf(new Date(postTimeMs), track.timezone) !== date) {
        throw optionError(
          "racesPerTrack",
          `puts race ${race} at ${track.name} past midnight local time; start earlier or space races closer`,
          options.racesPerTrack,
        );
      }
      const context: RaceContext = {
        seed,
        trackIndex,
        track,
        date,
        race,
        postTimeMs,
        cardPublishedMs: firstPostMs - CARDS_PUBLISHED_MS_BEFORE_FIRST_POST,
        runnerCount: random.int(options.runners[0], options.runners[1]),
        jockeys,
        trainers,
        trackPoolScale,
        exacta: options.exacta,
        snapshotOffsetsMs: options.snapshotOffsetsMs,
      };
      races.push({ plan: planRace(context, namer), context });
    }
  });
  return races;
}

/**
 * What a simulated day holds before any money moves: every race's entries, post time,
 * true win probabilities, scratch and steam. The same options give the same plan as the
 * messages of simulateRaceDay, so it serves as the day's ground truth.
 */
export function planRaceDay(options: SimulationOptions): RacePlan[] {
  return planDay(resolveOptions(options)).map((race) => race.plan);
}

/** simulateRaceDay with each message's observation instant (epoch ms), e.g. to replay in real time. */
export function simulateTimedRaceDay(options: SimulationOptions): Generator<TimedMessage> {
  // Options are checked and the day planned now, so bad options throw at the call, not at first next().
  const races = planDay(resolveOptions(options));
  return mergeByTime(
    races.map(({ plan, context }) => raceMessages(plan, context)),
    (timed) => timed.atMs,
  );
}

/**
 * A race day's feed messages across all tracks and races, in non-decreasing observation
 * time. Every message is valid per feedMessageSchema (docs/feed.md); a race's card comes
 * before anything else about it.
 */
export function simulateRaceDay(options: SimulationOptions): Generator<FeedMessageInput> {
  const timed = simulateTimedRaceDay(options);
  return (function* () {
    for (const { message } of timed) yield message;
  })();
}

/**
 * The benchmark day both apps measure against: 10 tracks x 10 races, 12
 * runners, exacta grids (issues 3 and 4: "a simulated 100-race day").
 */
export const BENCHMARK_DAY = {
  date: "2025-09-12",
  tracks: 10,
  racesPerTrack: 10,
  runners: 12,
  seed: 7,
  exacta: true,
} as const satisfies SimulationOptions;
