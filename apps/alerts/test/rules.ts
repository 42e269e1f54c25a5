/**
 * Builders for the rules' tests (and the clock every alerts test shares): small races with round
 * numbers that are easy to work by hand. Test support, outside src: never part of the app.
 */
import { bettingInterestOf, winOddsFromPool } from "@totewatch/tote";
import type {
  ExactaSnapshot,
  RaceContext,
  RuleSettings,
  RunnerOdds,
  WinSnapshot,
} from "../src/rules/index.js";

/** The race day of every scripted race. */
export const RACE_DATE = "2025-06-01";
/** Post at 12:00 UTC; `at("11:50")` is ten minutes before it. */
export const POST = new Date(`${RACE_DATE}T12:00:00.000Z`);

/** "HH:MM" or "HH:MM:SS" on the race day, UTC. */
export function at(hhmmss: string): Date {
  return new Date(`${RACE_DATE}T${hhmmss.length === 5 ? `${hhmmss}:00` : hhmmss}.000Z`);
}

export function race(overrides: Partial<RaceContext> = {}): RaceContext {
  return {
    raceId: 7,
    track: "Saratoga",
    raceNumber: 5,
    raceDate: RACE_DATE,
    postTime: POST,
    timezone: "America/New_York",
    offAt: null,
    scratches: [],
    ...overrides,
  };
}

const HORSES: Record<string, string> = {
  "1": "Alpha",
  "1A": "Apollo",
  "1X": "Atlas",
  "2": "Bravo",
  "3": "Charlie",
  "4": "Delta",
  "5": "Echo",
};

/**
 * Entry id of a program number: 100 + its number, plus 100 per letter place ("1" 101, "1A" 201,
 * "1B" 301), so a coupled entry's members have ids of their own.
 */
export function entryIdOf(programNumber: string): number {
  const number = Number.parseInt(programNumber, 10);
  const letter = /[A-Z]$/i.exec(programNumber)?.[0].toUpperCase();
  return 100 + number + (letter === undefined ? 0 : 100 * (letter.charCodeAt(0) - 64));
}

function horseOf(programNumber: string): string {
  return HORSES[programNumber] ?? `Horse ${programNumber}`;
}

export interface WinBoardOptions {
  totalWinPool?: number | null;
  morningLines?: Record<string, number | null>;
  /** Win pool amount by program number (an entry's amount repeated on each member); default none. */
  amounts?: Record<string, number | null>;
}

/**
 * A win snapshot from program number -> odds-to-1 (keys in the order given; entry ids by
 * entryIdOf), morning lines and pool amounts optional.
 */
export function winBoard(
  fetchedAt: Date,
  odds: Record<string, number>,
  options: WinBoardOptions = {},
): WinSnapshot {
  const totalWinPool = options.totalWinPool === undefined ? 50_000 : options.totalWinPool;
  const runners: RunnerOdds[] = Object.entries(odds).map(([programNumber, winOdds]) => ({
    entryId: entryIdOf(programNumber),
    programNumber,
    horse: horseOf(programNumber),
    morningLine: options.morningLines?.[programNumber] ?? null,
    fetchedAt,
    winOdds,
    winPoolAmount: options.amounts?.[programNumber] ?? null,
    totalWinPool,
  }));
  return { fetchedAt, totalWinPool, runners };
}

/**
 * A win board as the tote computes it from the money: program number -> amount bet to win (a
 * coupled entry's members each carry the entry's amount; it counts once in the total), odds by
 * winOddsFromPool (16% takeout, breakage to the dime), totalWinPool the sum over interests.
 */
export function toteBoard(
  fetchedAt: Date,
  amounts: Record<string, number>,
  options: { morningLines?: Record<string, number | null>; takeout?: number } = {},
): WinSnapshot {
  const byInterest = new Map<string, number>();
  for (const [programNumber, amount] of Object.entries(amounts)) {
    if (!byInterest.has(bettingInterestOf(programNumber)))
      byInterest.set(bettingInterestOf(programNumber), amount);
  }
  const total = [...byInterest.values()].reduce((sum, amount) => sum + amount, 0);
  const odds = Object.fromEntries(
    Object.entries(amounts).map(([programNumber, amount]) => [
      programNumber,
      winOddsFromPool(amount, total, options.takeout ?? 0.16)!,
    ]),
  );
  return winBoard(fetchedAt, odds, { totalWinPool: total, morningLines: options.morningLines, amounts });
}

/** Exacta probables from "first-second" -> $2 payout. */
export function exactaBoard(
  fetchedAt: Date,
  payouts: Record<string, number>,
  totalExactaPool: number | null = 20_000,
): ExactaSnapshot {
  return {
    fetchedAt,
    totalExactaPool,
    probables: Object.entries(payouts).map(([combination, payout]) => {
      const [first = "", second = ""] = combination.split("-");
      return { first, second, payout };
    }),
  };
}

/** Every rule on with round thresholds; tests override the one they exercise. */
export function settings(overrides: Partial<RuleSettings> = {}): RuleSettings {
  return {
    oddsThreshold: { enabled: true, below: 3, above: 20 },
    oddsChange: { enabled: true, minPercent: 30 },
    steam: {
      enabled: true,
      probabilityPoints: 5,
      oddsDropPercent: 35,
      windowMinutes: 10,
      withinMinutesToPost: 20,
    },
    drift: {
      enabled: true,
      probabilityPoints: 5,
      oddsRisePercent: 50,
      windowMinutes: 10,
      withinMinutesToPost: 20,
    },
    overlay: { enabled: true, ratio: 2, withinMinutesToPost: 10 },
    scratch: { enabled: true },
    lateChange: { enabled: true, minPercent: 20 },
    exactaPayout: { enabled: true, min: 10, max: 100, combinations: [] },
    crossPool: {
      enabled: true,
      overlayPercent: 50,
      underlayPercent: 50,
      exactaTakeout: 0.2,
      withinMinutesToPost: 10,
      maxWinAgeSeconds: 120,
    },
    minPool: { win: 5000, exacta: 2000 },
    ...overrides,
  };
}
