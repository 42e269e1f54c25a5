/**
 * Planning one simulated race: everything decided before any money moves
 * (entries and their morning line, coupled entries, the runners' true
 * chances, a scratch, late "steam" money, how big the pools get).
 * Pure and seeded: the plan comes from its own random stream (seed, track,
 * race), so it is the same however the day's races are consumed.
 */

import { impliedProbability } from "@totewatch/tote";
import type { HorseNamer, TrackSpec } from "./names.js";
import { Random } from "./random.js";
import { MINUTE, SECOND } from "./schedule.js";
import { isoInZone } from "./zone.js";

export interface SimulatedEntry {
  programNumber: string;
  horse: string;
  /** Board text, e.g. "5-2", "30-1". */
  morningLine: string;
  jockey: string;
  trainer: string;
}

/** A betting interest: one runner, or a coupled entry ("1" with "1A") that is bet as one. */
export interface SimulatedInterest {
  /** The program number the tote shows odds and exacta combinations under. */
  programNumber: string;
  /** Program numbers of the horses in this interest ("1" and "1A" when coupled). */
  entries: string[];
  morningLineOdds: number;
  /** The interest's true chance of winning; the day's ground truth, sums to 1 per race. */
  trueWinProbability: number;
}

export interface RacePlan {
  track: string;
  trackCode: string;
  timezone: string;
  date: string;
  race: number;
  /** Post time as an ISO instant with the track's offset. */
  postTime: string;
  postTimeMs: number;
  /** When the race's first card message is observed (the track's program goes up). */
  cardPublishedMs: number;
  entries: SimulatedEntry[];
  interests: SimulatedInterest[];
  /** The interest coupled with an "A" mate, if any. */
  coupledProgramNumber: string | null;
  /** A runner scratched mid-way: a second card is observed at `atMs`. */
  scratch: { programNumber: string; atMs: number } | null;
  /** Late money: from `fromMs` on, `share` of new money goes to this interest. */
  steam: { programNumber: string; fromMs: number; share: number } | null;
  /** Pool sizes the money model aims for by post (the simulated pools land near them). */
  expectedWinPool: number;
  expectedExactaPool: number;
  officialAtMs: number;
}

/** Morning-line prices a track handicapper uses, as odds-to-1 with their printed text. */
const MORNING_LINE_LADDER: ReadonlyArray<readonly [number, string]> = [
  [0.6, "3-5"],
  [0.8, "4-5"],
  [1, "1-1"],
  [1.2, "6-5"],
  [1.5, "3-2"],
  [1.8, "9-5"],
  [2, "2-1"],
  [2.5, "5-2"],
  [3, "3-1"],
  [3.5, "7-2"],
  [4, "4-1"],
  [4.5, "9-2"],
  [5, "5-1"],
  [6, "6-1"],
  [8, "8-1"],
  [10, "10-1"],
  [12, "12-1"],
  [15, "15-1"],
  [20, "20-1"],
  [30, "30-1"],
  [50, "50-1"],
];

/** A morning line's implied probabilities add up to about this (the handicapper's "take"). */
const MORNING_LINE_OVERROUND = 1.22;

/** The ladder price nearest to `odds` on a log(1 + odds) scale. */
function nearestMorningLine(odds: number): readonly [number, string] {
  let best = MORNING_LINE_LADDER[0]!;
  let bestDistance = Infinity;
  for (const rung of MORNING_LINE_LADDER) {
    const distance = Math.abs(Math.log1p(rung[0]) - Math.log1p(odds));
    if (distance < bestDistance) {
      best = rung;
      bestDistance = distance;
    }
  }
  return best;
}

/** Scales `values` to sum to 1. */
export function normalize(values: number[]): number[] {
  const total = values.reduce((sum, v) => sum + v, 0);
  return values.map((v) => v / total);
}

export interface RaceContext {
  seed: number;
  trackIndex: number;
  track: TrackSpec;
  date: string;
  race: number;
  postTimeMs: number;
  cardPublishedMs: number;
  runnerCount: number;
  jockeys: readonly string[];
  trainers: readonly string[];
  /** A track's handle relative to an average one. */
  trackPoolScale: number;
  exacta: boolean;
  /** When the tote is polled, as ms before post, earliest first (schedule.ts). */
  snapshotOffsetsMs: readonly number[];
}

const COUPLED_CHANCE = 0.1;
const SCRATCH_CHANCE = 1 / 8;
const STEAM_CHANCE = 1 / 5;
/** Scratches are announced at one of the polls between 45 and 15 minutes out. */
const SCRATCH_WINDOW_MS: readonly [number, number] = [15 * MINUTE, 45 * MINUTE];
/** Steam starts this long before post. */
const STEAM_FROM_MS_BEFORE_POST = 8 * MINUTE;
/** Steam goes to a live outsider: morning line between these prices. */
const STEAM_MORNING_LINE_RANGE: readonly [number, number] = [4, 20];

/** Decides everything about a race that does not depend on the money: entries, truth, events. */
export function planRace(context: RaceContext, namer: HorseNamer): RacePlan {
  const random = new Random(context.seed, 0x52ace, context.trackIndex, context.race);
  const coupled = context.runnerCount >= 5 && random.chance(COUPLED_CHANCE);
  const interestCount = coupled ? context.runnerCount - 1 : context.runnerCount;

  // The handicapper's view: a skewed spread of chances, so fields have clear favorites and longshots.
  const handicapped = normalize(Array.from({ length: interestCount }, () => random.logNormal(0.85)));
  const morningLines = handicapped.map((p) => nearestMorningLine(1 / (p * MORNING_LINE_OVERROUND) - 1));
  const mlProbabilities = normalize(morningLines.map(([odds]) => impliedProbability(odds)));
  // The truth is the morning line with an error the handicapper could not see.
  const truth = normalize(mlProbabilities.map((p) => p * random.logNormal(0.3)));

  const jockeys = random.shuffled(context.jockeys);
  const entries: SimulatedEntry[] = [];
  const interests: SimulatedInterest[] = [];
  for (let i = 0; i < interestCount; i++) {
    const programNumber = String(i + 1);
    const [odds, text] = morningLines[i]!;
    const trainer = random.pick(context.trainers);
    const programs = coupled && i === 0 ? [programNumber, `${programNumber}A`] : [programNumber];
    for (const program of programs) {
      entries.push({
        programNumber: program,
        horse: namer.next(),
        morningLine: text,
        jockey: jockeys[entries.length % jockeys.length]!,
        // Coupled horses share a trainer (common ownership or training is why they are coupled).
        trainer,
      });
    }
    interests.push({
      programNumber,
      entries: programs,
      morningLineOdds: odds,
      trueWinProbability: truth[i]!,
    });
  }

  const scratchable = interests.filter((interest) => interest.entries.length === 1);
  const scratchTimes = context.snapshotOffsetsMs.filter(
    (offset) => offset >= SCRATCH_WINDOW_MS[0] && offset <= SCRATCH_WINDOW_MS[1],
  );
  const scratchRoll = random.next();
  const scratchPick = random.pick(scratchable);
  const scratchOffset = random.pick(scratchTimes);
  const scratch =
    interests.length >= 4 && scratchRoll < SCRATCH_CHANCE
      ? { programNumber: scratchPick.programNumber, atMs: context.postTimeMs - scratchOffset }
      : null;

  const favorite = Math.min(...interests.map((interest) => interest.morningLineOdds));
  const steamCandidates = interests.filter(
    (interest) =>
      interest.programNumber !== scratch?.programNumber &&
      interest.morningLineOdds > favorite &&
      interest.morningLineOdds >= STEAM_MORNING_LINE_RANGE[0] &&
      interest.morningLineOdds <= STEAM_MORNING_LINE_RANGE[1],
  );
  const steamRoll = random.next();
  const steamShare = random.uniform(0.5, 0.65);
  const steam =
    steamCandidates.length > 0 && steamRoll < STEAM_CHANCE
      ? {
          programNumber: random.pick(steamCandidates).programNumber,
          fromMs: context.postTimeMs - STEAM_FROM_MS_BEFORE_POST,
          share: steamShare,
        }
      : null;

  const fieldScale = Math.sqrt(interestCount / 9);
  const expectedWinPool = Math.max(
    5000,
    Math.round(90_000 * context.trackPoolScale * fieldScale * random.logNormal(0.45)),
  );
  const expectedExactaPool = context.exacta ? Math.round(expectedWinPool * random.uniform(0.5, 0.9)) : 0;

  return {
    track: context.track.name,
    trackCode: context.track.code,
    timezone: context.track.timezone,
    date: context.date,
    race: context.race,
    postTime: isoInZone(context.postTimeMs, context.track.timezone),
    postTimeMs: context.postTimeMs,
    cardPublishedMs: context.cardPublishedMs,
    entries,
    interests,
    coupledProgramNumber: coupled ? "1" : null,
    scratch,
    steam,
    expectedWinPool,
    expectedExactaPool,
    officialAtMs: context.postTimeMs + random.int(150, 240) * SECOND,
  };
}
