/**
 * Race-day vocabulary every package shares: race statuses and their order,
 * the zone a track has when nobody said, and program-number order.
 */

export const RACE_STATUSES = ["scheduled", "open", "off", "official", "cancelled"] as const;
export type RaceStatus = (typeof RACE_STATUSES)[number];

/** How far along a race is; a status only ever moves forward (stale or replayed messages cannot undo "off"). */
export const RACE_STATUS_RANK: Readonly<Record<RaceStatus, number>> = {
  scheduled: 0,
  open: 1,
  off: 2,
  official: 3,
  cancelled: 3,
};

/** Statuses in which the pools are closed (the off, or later): nothing more to poll. */
export const POOLS_CLOSED_STATUSES: ReadonlySet<string> = new Set<RaceStatus>(
  RACE_STATUSES.filter((status) => RACE_STATUS_RANK[status] >= RACE_STATUS_RANK.off),
);

/** Statuses of a race that has been run (or is running): no alerts after the off. */
export const RUN_STATUSES: ReadonlySet<string> = new Set<RaceStatus>(["off", "official"]);

/** The zone of a track nobody gave one (config, card or feed). */
export const DEFAULT_TIME_ZONE = "America/New_York";

/** Program order: 1, 1A, 1X, 2, ..., 10 (numeric part first, then the letter). */
export function compareProgramNumbers(a: string, b: string): number {
  const na = Number.parseInt(a, 10);
  const nb = Number.parseInt(b, 10);
  if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
  return a.localeCompare(b);
}

const INTEREST_NUMBER = /^\s*0*(\d+)/;

/**
 * The betting interest a program number bets as. In US pools a coupled entry
 * ("1", "1A", "1X": one owner or trainer) is one interest: one price in the win
 * pool, one runner in the exacta. The interest is the program number's number
 * ("1A" -> "1", "01" -> "1"); a program number without one (a field horse "F")
 * is its own interest, upper-cased and trimmed.
 */
export function bettingInterestOf(programNumber: string): string {
  const number = INTEREST_NUMBER.exec(programNumber);
  return number ? number[1]! : programNumber.trim().toUpperCase();
}
