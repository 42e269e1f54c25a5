/**
 * The messages a tote shows for one planned race, driven by a small
 * parimutuel money model: the crowd bets from the morning line toward the
 * truth, with a favourite-longshot bias, standing and per-poll noise, and
 * the plan's steam; odds and exacta probables are what those pools pay.
 * Pure and seeded (its own stream per race): the same plan gives the same
 * messages, bit for bit.
 */

import type { FeedMessageInput } from "@totewatch/feed";
import {
  DEFAULT_EXACTA_TAKEOUT,
  DEFAULT_WIN_TAKEOUT,
  exactaPayoutFromPool,
  formatBoardOdds,
  impliedProbability,
  winOddsFromPool,
} from "@totewatch/tote";
import { normalize, type RaceContext, type RacePlan } from "./race-plan.js";
import { Random } from "./random.js";
import { cumulativeMoneyShare } from "./schedule.js";
import { isoUtc } from "./zone.js";

type CardInput = Extract<FeedMessageInput, { kind: "card" }>;
type WinInput = Extract<FeedMessageInput, { kind: "win" }>;
type ExactaInput = Extract<FeedMessageInput, { kind: "exacta" }>;
type StatusInput = Extract<FeedMessageInput, { kind: "status" }>;

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
  const mlShares = normalize(plan.interests.map((interest) => impliedProbability(interest.morningLineOdds)));
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

  for (const offset of context.snapshotOffsetsMs) {
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
