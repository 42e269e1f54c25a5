/**
 * A pass's write side kept in memory, over a READ transaction: cursors move
 * in a `PassMemory` and each alert is "stored" there, unless the memory holds
 * its key already or the database holds an alert with the same dedupe key
 * (what the real insert would refuse). Two users:
 * - a dry run, whose DryRun memory its caller keeps from pass to pass (so
 *   suppression and the per-race caps see its alerts); each would-be alert
 *   is collected in the shape a stored alert reads back as;
 * - a daemon's pass deciding before it commits (process.ts): a fresh memory
 *   per pass, whose marks and alerts `commitEvaluation` then stores.
 */
import type {
  AlertInput,
  AlertRef,
  EvaluationRace,
  EvaluationReader,
  EvaluationWriter,
  StoredAlert,
} from "@totewatch/db";
import { unstoredAlert } from "./stored-form.js";

/** What passes over a read transaction have "written": nothing of it reaches the database. */
export class PassMemory {
  /** Each high-water mark as moved. */
  readonly cursors = new Map<string, number>();
  /** Each high-water mark as first read from the database. */
  readonly marksRead = new Map<string, number>();
  /** By race: the alerts raised, for suppression and the per-race caps. */
  readonly raised = new Map<number, AlertRef[]>();
  readonly dedupeKeys = new Set<string>();
}

/** A dry run's memory, kept by its caller across processPending calls. */
export class DryRun extends PassMemory {}

/** The write side of a pass over read transaction `tx`, kept in `memory` (see the header); `onRaised` hears each new alert. */
export function memoryWriter(
  tx: EvaluationReader,
  memory: PassMemory,
  onRaised: (input: AlertInput) => void | Promise<void>,
): EvaluationWriter {
  const raisedBetween = (raceId: number, from: Date, to: Date) =>
    (memory.raised.get(raceId) ?? []).filter(
      (alert) => alert.triggeredAt.getTime() >= from.getTime() && alert.triggeredAt.getTime() <= to.getTime(),
    );
  return {
    ...tx,
    async cursor(name) {
      const moved = memory.cursors.get(name);
      if (moved !== undefined) return moved;
      const position = await tx.cursor(name);
      if (!memory.marksRead.has(name)) memory.marksRead.set(name, position);
      return position;
    },
    setCursor: async (name, position) => void memory.cursors.set(name, position),
    raceAlertsBetween: async (raceId, from, to) => [
      ...(await tx.raceAlertsBetween(raceId, from, to)),
      ...raisedBetween(raceId, from, to),
    ],
    async raceAlerts(raceIds) {
      const stored = await tx.raceAlerts(raceIds);
      for (const [raceId, alerts] of stored) alerts.push(...(memory.raised.get(raceId) ?? []));
      return stored;
    },
    async storeAlert(input) {
      // The database's UNIQUE dedupe key decides, as the real insert would.
      if (memory.dedupeKeys.has(input.dedupeKey) || (await tx.alertExists(input.dedupeKey)))
        return { alertId: 0, created: false };
      memory.dedupeKeys.add(input.dedupeKey);
      const raceId = input.raceId ?? null;
      if (raceId !== null) {
        const ref: AlertRef = {
          alertType: input.alertType,
          subject: input.subject ?? null,
          triggeredAt: input.triggeredAt,
        };
        memory.raised.set(raceId, [...(memory.raised.get(raceId) ?? []), ref]);
      }
      await onRaised(input);
      return { alertId: 0, created: true };
    },
  };
}

/** A dry run's writer: `memoryWriter`, each would-be alert pushed to `unstored` as it would read back. */
export function dryRunWriter(tx: EvaluationReader, state: DryRun, unstored: StoredAlert[]): EvaluationWriter {
  const racesById = new Map<number, EvaluationRace | undefined>();
  const raceOf = async (raceId: number) => {
    if (!racesById.has(raceId)) racesById.set(raceId, (await tx.races([raceId])).get(raceId));
    return racesById.get(raceId);
  };
  return memoryWriter(tx, state, async (input) => {
    const raceId = input.raceId ?? null;
    unstored.push(unstoredAlert(input, raceId === null ? undefined : await raceOf(raceId)));
  });
}
