/**
 * Test-only sample data: a card for Saratoga R5 and one steam alert on #3 Thunder Road,
 * stored the one way alerts are stored (the evaluation writer's storeAlert).
 */
import type { Db } from "../src/client.js";
import { evaluationTransaction } from "../src/queries/evaluation/view.js";
import { applyRaceCard, entriesForRace, findRace } from "../src/queries/races.js";

export const STEAM_ALERT_RACE = { track: "Saratoga", raceDate: "2024-08-01", raceNumber: 5 } as const;
export const STEAM_ALERT_POST_TIME = new Date("2024-08-01T17:50:00.000Z");

/**
 * A card for Saratoga R5 and one steam alert on #3 Thunder Road (5-1 -> 5-2, 8 min to post),
 * with a delivery row per channel in `channels` (none by default: deliverDue creates them).
 * `alertType`, `strength` (details.strength) and `horse` (#3's name) vary it for routing and
 * escaping tests; the dedupe key starts with the alert type.
 */
export async function storeSteamAlert(
  db: Db,
  options: {
    dedupeKey?: string;
    triggeredAt?: Date;
    channels?: readonly string[];
    alertType?: string;
    strength?: number;
    horse?: string;
  } = {},
): Promise<{ alertId: number; dedupeKey: string }> {
  await applyRaceCard(db, {
    ...STEAM_ALERT_RACE,
    timezone: "America/New_York",
    postTime: STEAM_ALERT_POST_TIME,
    entries: [
      { programNumber: "1", horse: "Morning Star", morningLineOdds: 2 },
      { programNumber: "3", horse: options.horse ?? "Thunder Road", morningLineOdds: 4 },
    ],
  });
  const race = await findRace(db, STEAM_ALERT_RACE);
  if (!race) throw new Error("test card was not stored");
  const runner = (await entriesForRace(db, race.raceId)).find((entry) => entry.programNumber === "3");
  if (!runner) throw new Error("test runner was not stored");
  const triggeredAt = options.triggeredAt ?? new Date("2024-08-01T17:42:00.000Z");
  const alertType = options.alertType ?? "steam";
  const dedupeKey = options.dedupeKey ?? `${alertType}:${race.raceId}:3:${triggeredAt.toISOString()}`;
  const input = {
    triggeredAt,
    raceId: race.raceId,
    entryId: runner.entryId,
    alertType,
    thresholdValue: 20,
    actualValue: 50,
    message: `Saratoga R5 #3 ${options.horse ?? "Thunder Road"}: 5 -> 5-2 (-50.0%) in 6 min, 8 min to post`,
    dedupeKey,
    subject: "3",
    details: {
      before: 5,
      after: 2.5,
      minutesToPost: 8,
      ...(options.strength === undefined ? {} : { strength: options.strength }),
    },
  };
  const { alertId } = await evaluationTransaction(db, (tx) =>
    tx.storeAlert(input, options.channels ?? [], triggeredAt),
  );
  return { alertId, dedupeKey };
}
