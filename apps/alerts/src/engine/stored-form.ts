/**
 * What a rule's candidate becomes once suppression lets it through: the
 * input the database stores it from, and (for runs that store nothing: the
 * dry run, the backtest) the StoredAlert it would read back as, so those
 * runs show and report alerts in the one shape a stored alert has. Pure.
 */
import type { AlertInput, EvaluationRace, StoredAlert } from "@totewatch/db";
import { dedupeKeyFor, type AlertCandidate } from "../rules/index.js";

/** The stored form of a candidate; `details.strength` ranks alerts of different rules. */
export function alertInputFor(candidate: AlertCandidate): AlertInput {
  return {
    triggeredAt: candidate.triggeredAt,
    raceId: candidate.raceId,
    entryId: candidate.entryId,
    alertType: candidate.type,
    thresholdValue: candidate.thresholdValue,
    actualValue: candidate.actualValue,
    message: candidate.message,
    dedupeKey: dedupeKeyFor(candidate),
    subject: candidate.subject,
    details: { ...candidate.details, strength: candidate.strength },
  };
}

/** An alert as it would read back once stored with `race` (alertId 0 and unsent: it has not been). */
export function unstoredAlert(input: AlertInput, race: EvaluationRace | undefined): StoredAlert {
  const entry = input.entryId == null ? undefined : race?.entries.get(input.entryId);
  return {
    alertId: 0,
    dedupeKey: input.dedupeKey,
    alertType: input.alertType,
    triggeredAt: input.triggeredAt,
    message: input.message,
    subject: input.subject ?? null,
    thresholdValue: input.thresholdValue ?? null,
    actualValue: input.actualValue ?? null,
    // As stored: JSON text, read back.
    details: input.details ? (JSON.parse(JSON.stringify(input.details)) as Record<string, unknown>) : null,
    sent: false,
    sentAt: null,
    race: race
      ? {
          raceId: race.raceId,
          track: race.track,
          timezone: race.timezone,
          raceDate: race.raceDate,
          raceNumber: race.raceNumber,
          postTime: race.postTime,
        }
      : null,
    runner: entry ? { entryId: entry.entryId, programNumber: entry.programNumber, horse: entry.horse } : null,
  };
}
