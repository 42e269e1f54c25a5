/**
 * A small race day for the dashboard's tests, written the way ingest and the
 * alerts daemon write (the db package's write helpers), every figure chosen
 * so the pages' numbers can be worked by hand (see the comments).
 *
 * Belmont Test R3, 2025-06-07, post 13:00 EDT (17:00Z). Runners:
 *   1  Alpha       and 1A Alpha Mate: a coupled entry (one interest, "1")
 *   2  <img src=x onerror=alert(1)>   a name that is markup: must show as text
 *   3  Gamma       scratched on the card
 *   4  Delta
 * Win boards at 16:40, 16:50 and 16:55 UTC (20, 10 and 5 minutes to post):
 *   16:40  1/1A EVEN (1)   2: 2-1 (2)     4: 3-1 (3)      pools 4000 / 3500 / 2500, total 10000
 *   16:50  1/1A 4-5 (0.8)  2: 9-5 (1.8)   4: 3-1 (3)      pools 4500 / 3200 / 2300, total 10000
 *   16:55  1/1A 3-5 (0.6)  2: 9-5 (1.8)   4: 16-5 (3.2)   pools 5000 / 3000 / 2000, total 10000
 * Exacta grid at 16:55, pool 4000: 1-2 $6.00, 2-1 $10.00, 1-4 $12.00.
 * Alerts: steam on #1 at 16:55 delivered on console; exacta_overlay 1-4 at 16:55 failing on email.
 * A second race (R4, no boards) keeps the day from being a single row.
 */
import {
  applyRaceCard,
  dueDeliveries,
  evaluationTransaction,
  findRace,
  entriesForRace,
  recordDeliveryFailure,
  recordDeliverySuccess,
  recordExactaSnapshot,
  recordWinSnapshot,
  type AlertInput,
  type Db,
} from "@totewatch/db";

export const TRACK = "Belmont Test";
export const DATE = "2025-06-07";
export const XSS_HORSE = "<img src=x onerror=alert(1)>";
export const POST = new Date("2025-06-07T17:00:00Z");
const at = (hhmm: string) => new Date(`2025-06-07T${hhmm}:00Z`);
export const BOARD_TIMES = [at("16:40"), at("16:50"), at("16:55")] as const;

const RACE = { track: TRACK, raceDate: DATE, raceNumber: 3 };

/** [1/1A odds, 2 odds, 4 odds, 1/1A pool, 2 pool, 4 pool] per board. */
const BOARDS: Array<[number, number, number, number, number, number]> = [
  [1, 2, 3, 4000, 3500, 2500],
  [0.8, 1.8, 3, 4500, 3200, 2300],
  [0.6, 1.8, 3.2, 5000, 3000, 2000],
];

export interface RaceDayIds {
  raceId: number;
  otherRaceId: number;
  steamAlertId: number;
  overlayAlertId: number;
}

/** Writes one win board of race 3 (the shapes above); used again by the live tests. */
export async function writeBoard(
  db: Db,
  fetchedAt: Date,
  [one, two, four, pool1, pool2, pool4]: [number, number, number, number, number, number],
): Promise<void> {
  await recordWinSnapshot(db, {
    ...RACE,
    fetchedAt,
    totalWinPool: pool1 + pool2 + pool4,
    runners: [
      // A coupled entry's price and amount are listed on each member, not split.
      { programNumber: "1", winOdds: one, winPoolAmount: pool1 },
      { programNumber: "1A", winOdds: one, winPoolAmount: pool1 },
      { programNumber: "2", winOdds: two, winPoolAmount: pool2 },
      { programNumber: "4", winOdds: four, winPoolAmount: pool4 },
    ],
    scratched: ["3"],
  });
}

export async function writeRaceDay(db: Db): Promise<RaceDayIds> {
  await applyRaceCard(db, {
    ...RACE,
    timezone: "America/New_York",
    postTime: POST,
    entries: [
      { programNumber: "1", horse: "Alpha", morningLineOdds: 2, jockey: "J. Rider", trainer: "T. Trainer" },
      { programNumber: "1A", horse: "Alpha Mate", morningLineOdds: 2 },
      { programNumber: "2", horse: XSS_HORSE, morningLineOdds: 3, jockey: "<b>bold</b>" },
      { programNumber: "3", horse: "Gamma", morningLineOdds: 5, scratched: true },
      { programNumber: "4", horse: "Delta", morningLineOdds: 8 },
    ],
  });
  await applyRaceCard(db, {
    ...RACE,
    raceNumber: 4,
    postTime: new Date("2025-06-07T17:30:00Z"),
    entries: [
      { programNumber: "1", horse: "Echo" },
      { programNumber: "2", horse: "Foxtrot" },
    ],
  });
  for (const [index, fetchedAt] of BOARD_TIMES.entries()) await writeBoard(db, fetchedAt, BOARDS[index]!);
  await recordExactaSnapshot(db, {
    ...RACE,
    fetchedAt: at("16:55"),
    totalExactaPool: 4000,
    probables: [
      { first: "1", second: "2", payout: 6 },
      { first: "2", second: "1", payout: 10 },
      { first: "1", second: "4", payout: 12 },
    ],
  });
  const race = (await findRace(db, RACE))!;
  const other = (await findRace(db, { ...RACE, raceNumber: 4 }))!;
  const alpha = (await entriesForRace(db, race.raceId)).find((entry) => entry.programNumber === "1")!;
  const store = (input: AlertInput, channels: string[]) =>
    evaluationTransaction(db, (tx) => tx.storeAlert(input, channels, at("16:55")));
  const steam = await store(
    {
      triggeredAt: at("16:55"),
      raceId: race.raceId,
      entryId: alpha.entryId,
      alertType: "steam",
      thresholdValue: 20,
      actualValue: -25,
      message: "Belmont Test R3 #1/1A Alpha & Alpha Mate: 4-5 -> 3-5 in 5 min, 5 min to post",
      dedupeKey: "steam:test:1",
      subject: "1",
      details: { strength: 0.25 },
    },
    ["console"],
  );
  const overlay = await store(
    {
      triggeredAt: at("16:55"),
      raceId: race.raceId,
      entryId: null,
      alertType: "exacta_overlay",
      thresholdValue: 30,
      actualValue: 50,
      message: "Belmont Test R3 exacta 1-4 probable $12.00 vs fair $8.00 (+50.0%, overlay)",
      dedupeKey: "exacta_overlay:test:1-4",
      subject: "1-4",
      details: { strength: 0.67 },
    },
    ["email"],
  );
  const due = await dueDeliveries(db, { channels: ["console", "email"], now: at("16:56"), maxAttempts: 10 });
  for (const delivery of due) {
    if (delivery.channel === "console") await recordDeliverySuccess(db, delivery.deliveryId, at("16:55"));
    else
      await recordDeliveryFailure(db, delivery.deliveryId, {
        at: at("16:56"),
        error: "connect ECONNREFUSED 127.0.0.1:25",
        nextAttemptAt: at("16:58"),
      });
  }
  return {
    raceId: race.raceId,
    otherRaceId: other.raceId,
    steamAlertId: steam.alertId,
    overlayAlertId: overlay.alertId,
  };
}
