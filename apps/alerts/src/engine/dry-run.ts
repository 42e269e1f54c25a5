/**
 * A dry run's side of evaluation: the same passes in READ transactions,
 * writing nothing. Its high-water marks and the alerts it would store live
 * in a DryRun its caller keeps from pass to pass (so suppression and the
 * per-race caps see them); each would-be alert is collected in the shape a
 * stored alert reads back as, for the dry-run channels to show.
 */
import type {
  AlertRef,
  EvaluationRace,
  EvaluationReader,
  EvaluationWriter,
  StoredAlert,
} from "@totewatch/db";
import { unstoredAlert } from "./stored-form.js";

/**
 * A dry run's memory, kept by its caller across processPending calls: its own
 * high-water marks (starting at the stored ones) and the alerts it would have
 * stored. Nothing of it reaches the database.
 */
export class DryRun {
  readonly cursors = new Map<string, number>();
  /** By race: the would-be alerts, for suppression and the per-race caps. */
  readonly raised = new Map<number, AlertRef[]>();
  readonly dedupeKeys = new Set<string>();
}

/**
 * The write side of a pass over a read transaction, kept in `state`: cursors
 * move in memory, and an alert is "stored" there (and pushed to `unstored`)
 * unless this dry run already raised its key or the file holds an alert
 * with the same dedupe key (what the real insert would refuse).
 */
export function dryRunWriter(tx: EvaluationReader, state: DryRun, unstored: StoredAlert[]): EvaluationWriter {
  const racesById = new Map<number, EvaluationRace | undefined>();
  const raceOf = async (raceId: number) => {
    if (!racesById.has(raceId)) racesById.set(raceId, (await tx.races([raceId])).get(raceId));
    return racesById.get(raceId);
  };
  const raisedBetween = (raceId: number, from: Date, to: Date) =>
    (state.raised.get(raceId) ?? []).filter(
      (alert) => alert.triggeredAt.getTime() >= from.getTime() && alert.triggeredAt.getTime() <= to.getTime(),
    );
  return {
    ...tx,
    cursor: async (name) => state.cursors.get(name) ?? (await tx.cursor(name)),
    setCursor: async (name, position) => void state.cursors.set(name, position),
    raceAlertsBetween: async (raceId, from, to) => [
      ...(await tx.raceAlertsBetween(raceId, from, to)),
      ...raisedBetween(raceId, from, to),
    ],
    async storeAlert(input) {
      const raceId = input.raceId ?? null;
      const ref: AlertRef = {
        alertType: input.alertType,
        subject: input.subject ?? null,
        triggeredAt: input.triggeredAt,
      };
      // The file's UNIQUE dedupe key decides, as the real insert would.
      const stored = await tx.alertExists(input.dedupeKey);
      if (stored || state.dedupeKeys.has(input.dedupeKey)) return { alertId: 0, created: false };
      state.dedupeKeys.add(input.dedupeKey);
      if (raceId !== null) state.raised.set(raceId, [...(state.raised.get(raceId) ?? []), ref]);
      unstored.push(unstoredAlert(input, raceId === null ? undefined : await raceOf(raceId)));
      return { alertId: 0, created: true };
    },
  };
}
