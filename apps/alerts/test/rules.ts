/**
 * Builders for the rules' tests (and the clock every alerts test shares): small races with round
 * numbers that are easy to work by hand. Test support, outside src: never part of the app.
 */
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
    ...overrides,
  };
}

const HORSES: Record<string, string> = {
  "1": "Alpha",
  "2": "Bravo",
  "3": "Charlie",
  "4": "Delta",
  "5": "Echo",
};

/**
 * A win snapshot from program number -> odds-to-1; entry id = 100 + program number,
 * morning lines optional.
 */
export function winBoard(
  fetchedAt: Date,
  odds: Record<string, number>,
  options: { totalWinPool?: number | null; morningLines?: Record<string, number | null> } = {},
): WinSnapshot {
  const totalWinPool = options.totalWinPool === undefined ? 50_000 : options.totalWinPool;
  const runners: RunnerOdds[] = Object.entries(odds).map(([programNumber, winOdds]) => ({
    entryId: 100 + Number(programNumber),
    programNumber,
    horse: HORSES[programNumber] ?? `Horse ${programNumber}`,
    morningLine: options.morningLines?.[programNumber] ?? null,
    fetchedAt,
    winOdds,
    winPoolAmount: null,
    totalWinPool,
  }));
  return { fetchedAt, totalWinPool, runners };
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
    overlay: { enabled: true, ratio: 2, withinMinutesToPost: 10 },
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
