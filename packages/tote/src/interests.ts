/**
 * Betting interests. In US pools a coupled entry (program numbers 1, 1A, 1X: one owner or
 * trainer) is ONE interest: one price and one pool amount in the win pool, one runner in the
 * exacta. A stored win board may list an entry as each member (the entry's odds and amount
 * repeated on each, not split) or once; whatever judges or shows a board works on interests, so
 * an entry is judged, and shown, once.
 *
 * Generic over the runner: anything with the fields of InterestRunner (the alert rules' runners,
 * a dashboard's rows) groups as it is, and an interest's members are the caller's own runners.
 */
import { normalizedWinProbabilities } from "./pools.js";
import { bettingInterestOf, compareProgramNumbers } from "./race.js";

/** What grouping and pricing need of a runner on a win board (scratched runners are not listed). */
export interface InterestRunner {
  entryId: number;
  programNumber: string;
  horse: string;
  /** Morning line, odds-to-1. */
  morningLine: number | null;
  /** Win odds, odds-to-1 (5-2 is 2.5). */
  winOdds: number;
  /** Money bet to win on the runner's interest (an entry's amount, repeated on each member). */
  winPoolAmount: number | null;
}

/** A win board: its runners. Boards are values nobody changes (interests are cached per board). */
export interface InterestBoard<R extends InterestRunner = InterestRunner> {
  readonly runners: readonly R[];
}

/** Where win probabilities came from: pool amounts (money bet) or board odds (normalized). */
export type ProbabilitySource = "pool" | "odds";

/** One betting interest on one board. */
export interface Interest<R extends InterestRunner = InterestRunner> {
  /** The interest ("1" for 1, 1A and 1X): the alert subject, and the key across boards. */
  key: string;
  /** The lead member's entry (first in program order): the runner a stored alert names. */
  entryId: number;
  /** "#1 Speedy Sam", or for an entry "#1/1A Speedy Sam & Coupled Mate" (members on the board). */
  label: string;
  /** Members on this board in program order, the lead first. */
  members: readonly R[];
  /** Odds-to-1: the lead member's (an entry has one price). */
  winOdds: number;
  /** Win pool amount: the lead member's (the first a member has), never summed over members. */
  poolAmount: number | null;
  /** Morning line, odds-to-1: the first a member has, lead first. */
  morningLine: number | null;
}

/** "#3 Thunder Road" */
export function runnerLabel(programNumber: string, horse: string): string {
  return `#${programNumber} ${horse}`;
}

/** The key of an interest in an interest combination or a settings list: "1a" and " 1A" are "1". */
export function interestKeyOf(programNumber: string): string {
  // Every exacta grid names each program number ~2n times; a race day has a few dozen of them.
  let key = interestKeys.get(programNumber);
  if (key === undefined) {
    if (interestKeys.size >= INTEREST_KEY_CACHE_SIZE) interestKeys.clear();
    key = bettingInterestOf(programNumber);
    interestKeys.set(programNumber, key);
  }
  return key;
}

const INTEREST_KEY_CACHE_SIZE = 1024;
const interestKeys = new Map<string, string>();

function byProgram(a: InterestRunner, b: InterestRunner): number {
  return compareProgramNumbers(a.programNumber.trim().toUpperCase(), b.programNumber.trim().toUpperCase());
}

function interestOf<R extends InterestRunner>(key: string, runners: R[]): Interest<R> {
  const members = runners.length === 1 ? runners : [...runners].sort(byProgram);
  const lead = members[0]!;
  let poolAmount: number | null = null;
  let morningLine: number | null = null;
  for (const member of members) {
    poolAmount ??= member.winPoolAmount;
    morningLine ??= member.morningLine;
  }
  const programs = members.map((runner) => runner.programNumber.trim()).join("/");
  const horses = members.map((runner) => runner.horse).join(" & ");
  return {
    key,
    entryId: lead.entryId,
    label: runnerLabel(programs, horses),
    members,
    winOdds: lead.winOdds,
    poolAmount,
    morningLine,
  };
}

interface GroupedInterests<R extends InterestRunner> {
  list: readonly Interest<R>[];
  byKey: ReadonlyMap<string, Interest<R>>;
}

/** The runners' interests in program order, and by key (not cached: see groupedInterests). */
function groupRunners<R extends InterestRunner>(runners: readonly R[]): GroupedInterests<R> {
  const members = new Map<string, R[]>();
  for (const runner of runners) {
    const key = interestKeyOf(runner.programNumber);
    const listed = members.get(key);
    if (listed === undefined) members.set(key, [runner]);
    else listed.push(runner);
  }
  const list = [...members]
    .map(([key, listed]) => interestOf(key, listed))
    .sort((a, b) => compareProgramNumbers(a.key, b.key));
  return { list, byKey: new Map(list.map((interest) => [interest.key, interest])) };
}

/**
 * Boards are values nobody changes, and every reader of a board reads the same interests (the
 * alerts read a win board by seven rules, the latest board again by each exacta grid): grouped
 * once per board. A board's runners are all R, so what is stored for it is GroupedInterests<R>.
 */
const interestsByBoard = new WeakMap<InterestBoard, GroupedInterests<InterestRunner>>();

function groupedInterests<R extends InterestRunner>(board: InterestBoard<R>): GroupedInterests<R> {
  let grouped = interestsByBoard.get(board) as GroupedInterests<R> | undefined;
  if (grouped === undefined) {
    grouped = groupRunners(board.runners);
    interestsByBoard.set(board, grouped);
  }
  return grouped;
}

/** The board's betting interests in program order (computed once per board). */
export function interestsOf<R extends InterestRunner>(board: InterestBoard<R>): readonly Interest<R>[] {
  return groupedInterests(board).list;
}

/** The board's interests by key. */
export function interestsByKey<R extends InterestRunner>(
  board: InterestBoard<R>,
): ReadonlyMap<string, Interest<R>> {
  return groupedInterests(board).byKey;
}

/**
 * Runners' betting interests in program order, grouped afresh on every call (interestsOf caches
 * them per board, for whoever reads one board many times).
 */
export function interestsOfRunners<R extends InterestRunner>(runners: readonly R[]): readonly Interest<R>[] {
  return groupRunners(runners).list;
}

/** Win probabilities of some interests, summing to 1 over them. */
export interface InterestProbabilities {
  source: ProbabilitySource;
  byKey: Map<string, number>;
}

/** The interests' pool amounts when every one has a finite, non-negative amount and they sum to > 0. */
export function poolAmountsOf(interests: readonly Pick<Interest, "poolAmount">[]): number[] | null {
  const amounts: number[] = [];
  for (const { poolAmount } of interests) {
    if (poolAmount === null || !Number.isFinite(poolAmount) || poolAmount < 0) return null;
    amounts.push(poolAmount);
  }
  return amounts.reduce((sum, amount) => sum + amount, 0) > 0 ? amounts : null;
}

/** Probabilities from amounts (each over their sum). */
export function sharesOfAmounts(
  interests: readonly Pick<Interest, "key">[],
  amounts: readonly number[],
): Map<string, number> {
  const total = amounts.reduce((sum, amount) => sum + amount, 0);
  return new Map(interests.map((interest, i) => [interest.key, amounts[i]! / total]));
}

/** Probabilities from board odds with the overround removed (normalizedWinProbabilities). */
export function sharesOfOdds(interests: readonly Pick<Interest, "key" | "winOdds">[]): Map<string, number> {
  const probabilities = normalizedWinProbabilities(interests.map((interest) => interest.winOdds));
  return new Map(interests.map((interest, i) => [interest.key, probabilities[i]!]));
}

/**
 * Each interest's win probability, over the interests given: its share of the money
 * (amount / sum of amounts) when every interest has a pool amount and they sum to > 0 — the pool
 * is what the odds are computed from, before breakage rounds them — else from the board odds.
 */
export function winProbabilities(
  interests: readonly Pick<Interest, "key" | "winOdds" | "poolAmount">[],
): InterestProbabilities {
  const amounts = poolAmountsOf(interests);
  return amounts === null
    ? { source: "odds", byKey: sharesOfOdds(interests) }
    : { source: "pool", byKey: sharesOfAmounts(interests, amounts) };
}
