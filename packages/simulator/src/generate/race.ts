/**
 * One simulated race: its card (entries, morning line, the runners' true chances) and the
 * stream of messages a tote would show for it, driven by a small parimutuel money model.
 */

import type { FeedMessageInput } from "@totewatch/feed";
import {
  DEFAULT_EXACTA_TAKEOUT,
  DEFAULT_WIN_TAKEOUT,
  exactaPayoutFromPool,
  formatBoardOdds,
  winOddsFromPool,
} from "@totewatch/tote";
import type { HorseNamer, TrackSpec } from "./names.js";
import { Random } from "./random.js";
import { cumulativeMoneyShare, MINUTE, SECOND, SNAPSHOT_OFFSETS_MS } from "./schedule.js";
import { isoInZone, isoUtc } from "./zone.js";

type CardInput = Extract<FeedMessageInput, { kind: "card" }>;
type WinInput = Extract<FeedMessageInput, { kind: "win" }>;
type ExactaInput = Extract<FeedMessageInput, { kind: "exacta" }>;
type StatusInput = Extract<FeedMessageInput, { kind: "status" }>;

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

function normalize(values: number[]): number[] {
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
}

const COUPLED_CHANCE = 0.1;
const SCRATCH_CHANCE = 1 / 8;
const STEAM_CHANCE = 1 / 5;
/** Scratches are announced at one of the 5-minute polls between 45 and 15 minutes out. */
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
  const mlProbabilities = normalize(morningLines.map(([odds]) => 1 / (odds + 1)));
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
  const scratchTimes = SNAPSHOT_OFFSETS_MS.filter(
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

/** A message with the instant it is observed at, for merging races by time. */
export interface TimedMessage {
  atMs: number;
  message: FeedMessageInput;
}

function cardMessage(plan: RacePlan, scratched: string | null): CardInput {
  return {
    kind: "card",
    track: plan.track,
    track_code: plan.trackCode,
    timezone: plan.timezone,
    date: plan.date,
    race: plan.race,
    post_time: plan.postTime,
    status: "scheduled",
    entries: plan.entries.map((entry) => ({
      program_number: entry.programNumber,
      horse: entry.horse,
      morning_line: entry.morningLine,
      jockey: entry.jockey,
      trainer: entry.trainer,
      ...(entry.programNumber === scratched ? { scratched: true } : {}),
    })),
  };
}

function statusMessage(plan: RacePlan, status: StatusInput["status"], atMs: number): StatusInput {
  return { kind: "status", track: plan.track, date: plan.date, race: plan.race, status, at: isoUtc(atMs) };
}

/** How far the crowd moves from the morning line toward the truth by post. */
const CROWD_LEARNING = 0.6;
/** Exponent < 1 on the crowd's shares: the favorite-longshot bias (outsiders overbet). */
const LONGSHOT_BIAS = 0.9;

/**
 * The messages a tote shows for one race, in time order: the card, the pools growing
 * snapshot by snapshot (with a mid-way scratch card, if any), then "off" and "official".
 */
export function* raceMessages(plan: RacePlan, context: RaceContext): Generator<TimedMessage> {
  const random = new Random(context.seed, 0x9001, context.trackIndex, context.race);
  const n = plan.interests.length;
  const programs = plan.interests.map((interest) => interest.programNumber);
  const mlShares = normalize(plan.interests.map((interest) => 1 / (interest.morningLineOdds + 1)));
  const truth = plan.interests.map((interest) => interest.trueWinProbability);
  // Each interest has a standing over- or under-bet by the crowd; each combination too.
  const crowdBias = programs.map(() => random.logNormal(0.15));
  const comboBias = new Float64Array(n * n).map(() => random.logNormal(0.25));
  const steamIndex = plan.steam ? programs.indexOf(plan.steam.programNumber) : -1;
  const scratchIndex = plan.scratch ? programs.indexOf(plan.scratch.programNumber) : -1;

  const winPools = new Float64Array(n);
  const comboPools = new Float64Array(n * n);
  const comboWeights = new Float64Array(n * n);
  // Keys built once per race: exacta snapshots are the bulk of the work on a big day.
  const comboKeys = programs.flatMap((first) => programs.map((second) => `${first}-${second}`));
  const live = new Array<boolean>(n).fill(true);
  let previousShare = 0;

  yield { atMs: plan.cardPublishedMs, message: cardMessage(plan, null) };

  for (const offset of SNAPSHOT_OFFSETS_MS) {
    const atMs = plan.postTimeMs - offset;

    if (plan.scratch && atMs === plan.scratch.atMs) {
      // Money on a scratched runner is refunded: it leaves the win pool and every combination.
      live[scratchIndex] = false;
      winPools[scratchIndex] = 0;
      for (let k = 0; k < n; k++) {
        comboPools[scratchIndex * n + k] = 0;
        comboPools[k * n + scratchIndex] = 0;
      }
      yield { atMs, message: cardMessage(plan, plan.scratch.programNumber) };
    }

    const share = cumulativeMoneyShare(offset);
    const arrived = share - previousShare;
    previousShare = share;
    const learned = CROWD_LEARNING * share;
    const crowd = normalize(
      programs.map((_, i) =>
        live[i] ? (mlShares[i]! ** (1 - learned) * truth[i]! ** learned * crowdBias[i]!) ** LONGSHOT_BIAS : 0,
      ),
    );
    const steaming = steamIndex >= 0 && plan.steam !== null && atMs > plan.steam.fromMs;
    const steamShare = steaming ? plan.steam!.share : 0;

    // Win money: the crowd's split with per-poll noise, plus the steam runner's slice.
    const winMoney = plan.expectedWinPool * arrived * random.logNormal(0.15);
    const winWeights = normalize(crowd.map((c) => c * random.logNormal(0.25)));
    for (let i = 0; i < n; i++) {
      if (!live[i]) continue;
      const slice = (1 - steamShare) * winWeights[i]! + (i === steamIndex ? steamShare : 0);
      winPools[i]! += Math.round(winMoney * slice);
    }
    yield { atMs, message: winSnapshot(plan, atMs, programs, live, winPools) };

    if (context.exacta) {
      const exactaMoney = plan.expectedExactaPool * arrived * random.logNormal(0.15);
      addExactaMoney(
        comboPools,
        comboWeights,
        crowd,
        comboBias,
        live,
        exactaMoney,
        steamIndex,
        steamShare * 0.7,
        random,
      );
      yield { atMs, message: exactaSnapshot(plan, atMs, comboKeys, live, comboPools) };
    }
  }

  yield { atMs: plan.postTimeMs, message: statusMessage(plan, "off", plan.postTimeMs) };
  yield { atMs: plan.officialAtMs, message: statusMessage(plan, "official", plan.officialAtMs) };
}

/**
 * Spreads new exacta money over the live ordered pairs, roughly by Harville
 * (p_i * p_j / (1 - p_i)) with standing and per-poll noise; under steam a slice goes to
 * combinations with the steam runner on top.
 */
function addExactaMoney(
  comboPools: Float64Array,
  weights: Float64Array,
  crowd: readonly number[],
  comboBias: Float64Array,
  live: readonly boolean[],
  money: number,
  steamIndex: number,
  steamShare: number,
  random: Random,
): void {
  const n = crowd.length;
  weights.fill(0);
  let total = 0;
  let steamTotal = 0;
  for (let i = 0; i < n; i++) {
    if (!live[i]) continue;
    const pFirst = crowd[i]!;
    for (let j = 0; j < n; j++) {
      if (i === j || !live[j]) continue;
      const w = ((pFirst * crowd[j]!) / (1 - pFirst)) * comboBias[i * n + j]! * random.logNormal(0.3);
      weights[i * n + j] = w;
      total += w;
      if (i === steamIndex) steamTotal += w;
    }
  }
  if (total <= 0) return;
  for (let k = 0; k < n * n; k++) {
    const w = weights[k]!;
    if (w === 0) continue;
    const onSteam = steamTotal > 0 && Math.floor(k / n) === steamIndex;
    const slice = (1 - steamShare) * (w / total) + (onSteam ? steamShare * (w / steamTotal) : 0);
    comboPools[k]! += Math.round(money * slice);
  }
}

function winSnapshot(
  plan: RacePlan,
  atMs: number,
  programs: readonly string[],
  live: readonly boolean[],
  winPools: Float64Array,
): WinInput {
  let total = 0;
  for (let i = 0; i < programs.length; i++) if (live[i]) total += winPools[i]!;
  return {
    kind: "win",
    track: plan.track,
    date: plan.date,
    race: plan.race,
    fetched_at: isoUtc(atMs),
    total_win_pool: total,
    horses: programs.map((program_number, i) => {
      if (!live[i]) return { program_number, win_odds: "SCR" };
      const odds = winOddsFromPool(winPools[i]!, total, DEFAULT_WIN_TAKEOUT);
      return {
        program_number,
        win_odds: odds === null ? null : formatBoardOdds(odds),
        win_pool_amount: winPools[i]!,
      };
    }),
  };
}

function exactaSnapshot(
  plan: RacePlan,
  atMs: number,
  comboKeys: readonly string[],
  live: readonly boolean[],
  comboPools: Float64Array,
): ExactaInput {
  const n = live.length;
  let total = 0;
  for (let k = 0; k < n * n; k++) total += comboPools[k]!;
  const probables: Record<string, number | null> = {};
  for (let i = 0; i < n; i++) {
    if (!live[i]) continue;
    for (let j = 0; j < n; j++) {
      if (i === j || !live[j]) continue;
      probables[comboKeys[i * n + j]!] = exactaPayoutFromPool(
        comboPools[i * n + j]!,
        total,
        DEFAULT_EXACTA_TAKEOUT,
        2,
      );
    }
  }
  return {
    kind: "exacta",
    track: plan.track,
    date: plan.date,
    race: plan.race,
    fetched_at: isoUtc(atMs),
    total_exacta_pool: total,
    base_amount: 2,
    probables,
  };
}
