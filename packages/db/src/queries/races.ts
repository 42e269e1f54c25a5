/**
 * The race aggregate: a race and its card (entries, horses). Split by concern:
 *   race-card.ts    applyRaceCard: the card written (race row, horses, runners)
 *   race-status.ts  setRaceStatus: status forward only, the off time
 *   scratches.ts    scratches and when each became known (cards and boards)
 *   race-reads.ts   race summaries and cards read back
 * This module holds the shapes they share and is the aggregate's one import.
 *
 * Invariants (each module states its own in full):
 * - Every write is one transaction; applying the same input again changes nothing.
 * - Status only moves forward; a scratch is final.
 * - Times learned from observations (off_at, scratched_at) are the earliest
 *   one seen: they only move earlier, whatever order replays come in.
 * - A stale card never rolls back post time, jockeys or morning lines.
 */

/** A race named by its natural key, as feed messages name it. */
export interface RaceKey {
  track: string;
  /** The track's local calendar date, YYYY-MM-DD. */
  raceDate: string;
  raceNumber: number;
}

/** What a write did: `changed` false means the database already held exactly this. */
export interface WriteResult {
  changed: boolean;
  /** Rows inserted or updated. */
  rows: number;
}

export { applyRaceCard, type CardEntryInput, type RaceCardInput } from "./race-card.js";
export { setRaceStatus } from "./race-status.js";
export {
  entriesForRace,
  findRace,
  raceById,
  racesOnDate,
  type EntryDetail,
  type RaceSummary,
} from "./race-reads.js";
