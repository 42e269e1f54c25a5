/** Deciding which candidates become alerts: duplicates within a window, and a per-race cap. */
import type { AlertRef } from "@totewatch/db";
import type { AlertCandidate } from "./types.js";

const MS_PER_MINUTE = 60_000;

/**
 * The alert's identity for the UNIQUE `dedupe_key` column:
 * `${type}:${raceId}:${subject}:${triggeredAt ISO}`, or `...:race` for a once-per-race occasion.
 *
 * The occasion is the snapshot's instant, not a time bucket. Bucket keys
 * (floor(triggeredAt / window)) let two alerts straddle a bucket edge a minute apart and still
 * both pass, while treating two alerts just inside one bucket as the same event — neither is the
 * rule. The time window is enforced by `shouldSuppress` against the alerts actually stored; the
 * key's only job is that re-evaluating the same snapshot (after a restart, or twice by two
 * workers) inserts nothing, and the snapshot instant does that exactly.
 * A rule whose event is not one snapshot names it by `occasion`: a late change is keyed by the
 * race, so every post-off board that shows it makes the same key (once per runner per race).
 */
export function dedupeKeyFor(
  candidate: Pick<AlertCandidate, "type" | "raceId" | "subject" | "triggeredAt" | "occasion">,
): string {
  const occasion = candidate.occasion ?? candidate.triggeredAt.toISOString();
  return `${candidate.type}:${candidate.raceId}:${candidate.subject}:${occasion}`;
}

/** An alert already stored for the race, as suppression compares it (type, subject, time). */
export type RecentAlert = AlertRef;

export interface SuppressionSettings {
  /** Same type and subject within this many minutes (either side) is a duplicate. */
  duplicateWindowMinutes: number;
  /** Alerts a race may raise in all; further candidates are dropped. */
  maxPerRace: number;
  /** Alerts of one type a race may raise, so one noisy rule cannot use up maxPerRace. */
  maxPerRacePerRule: number;
}

/** How many alerts the race has raised so far: in all, and of the candidate's type. */
export interface RaceAlertCounts {
  total: number;
  ofType: number;
}

export type SuppressionReason = "duplicate" | "race_limit";

/**
 * Why this candidate must not become an alert, or null to raise it.
 * "duplicate": an alert of the same type and subject in `recent` (earlier alerts of this race)
 * triggered less than duplicateWindowMinutes from it — measured as a distance, so re-evaluating an
 * older snapshot after a newer one fired is a duplicate too.
 * "race_limit": the race already has counts.total >= maxPerRace alerts, or
 * counts.ofType >= maxPerRacePerRule alerts of the candidate's type.
 * Duplicate is reported first: it is the more specific reason.
 */
export function shouldSuppress(
  candidate: Pick<AlertCandidate, "type" | "subject" | "triggeredAt">,
  recent: readonly RecentAlert[],
  counts: RaceAlertCounts,
  settings: SuppressionSettings,
): SuppressionReason | null {
  const windowMs = settings.duplicateWindowMinutes * MS_PER_MINUTE;
  const at = candidate.triggeredAt.getTime();
  const isDuplicate = recent.some(
    (alert) =>
      alert.alertType === candidate.type &&
      alert.subject === candidate.subject &&
      Math.abs(at - alert.triggeredAt.getTime()) < windowMs,
  );
  if (isDuplicate) return "duplicate";
  if (counts.total >= settings.maxPerRace || counts.ofType >= settings.maxPerRacePerRule) return "race_limit";
  return null;
}
