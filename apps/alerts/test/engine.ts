/**
 * Builders for the engine's database tests: a scripted race written through the real db
 * helpers, on the shared test clock (rules.ts: race 1's post at 12:00 UTC).
 */
import { parseConfig, type TotewatchConfig } from "@totewatch/config";
import {
  applyRaceCard,
  evaluationReadTransaction,
  listAlerts,
  recordExactaSnapshot,
  recordWinSnapshot,
  type Db,
} from "@totewatch/db";
import { EXACTA_CURSOR, WIN_CURSOR } from "../src/engine/pass.js";
import { at, POST, RACE_DATE } from "./rules.js";

export { at, POST, RACE_DATE };

export const TRACK = "Testville";

/** Rules with round thresholds; odds change and cross-pool off so each scripted move has one expected alert. */
export const TEST_CONFIG_YAML = `
alerts:
  rules:
    oddsThreshold: { enabled: true, below: 2, above: 6 }
    oddsChange: { enabled: false }
    steam: { enabled: true, probabilityPoints: 5, oddsDropPercent: 35, windowMinutes: 10, withinMinutesToPost: 20 }
    drift: { enabled: false }
    overlay: { enabled: true, ratio: 2, withinMinutesToPost: 10 }
    exactaPayout: { enabled: true, min: 10, combinations: ["1-2"] }
    crossPool: { enabled: false }
    minPool: { win: 5000, exacta: 2000 }
  suppression: { duplicateWindowMinutes: 30, maxPerRace: 5 }
`;

export function testConfig(yaml = TEST_CONFIG_YAML): TotewatchConfig {
  return parseConfig(yaml, "<test>", {});
}

export async function writeCard(db: Db, raceNumber = 1, postTime = POST): Promise<void> {
  await applyRaceCard(db, {
    track: TRACK,
    timezone: "UTC",
    raceDate: RACE_DATE,
    raceNumber,
    postTime,
    entries: [
      { programNumber: "1", horse: "Alpha", morningLineOdds: 2 },
      { programNumber: "2", horse: "Bravo", morningLineOdds: 4 },
      { programNumber: "3", horse: "Charlie", morningLineOdds: 5 },
      { programNumber: "4", horse: "Delta", morningLineOdds: 10 },
    ],
  });
}

export async function writeWin(
  db: Db,
  time: string,
  odds: Record<string, number>,
  options: { raceNumber?: number; pool?: number } = {},
): Promise<void> {
  await recordWinSnapshot(db, {
    track: TRACK,
    raceDate: RACE_DATE,
    raceNumber: options.raceNumber ?? 1,
    fetchedAt: at(time),
    totalWinPool: options.pool ?? 50_000,
    runners: Object.entries(odds).map(([programNumber, winOdds]) => ({ programNumber, winOdds })),
  });
}

export async function writeExacta(
  db: Db,
  time: string,
  payouts: Record<string, number>,
  options: { raceNumber?: number; pool?: number } = {},
): Promise<void> {
  await recordExactaSnapshot(db, {
    track: TRACK,
    raceDate: RACE_DATE,
    raceNumber: options.raceNumber ?? 1,
    fetchedAt: at(time),
    totalExactaPool: options.pool ?? 20_000,
    probables: Object.entries(payouts).map(([combination, payout]) => {
      const [first = "", second = ""] = combination.split("-");
      return { first, second, payout };
    }),
  });
}

/**
 * Phase 1 of the scripted race. Expected alerts:
 * 11:45 odds_below #1 (2.5 -> 1.8 crosses 2); 11:50 overlay #4 (21-1 against its 10-1 line: decimal
 * 22 / 11 = 2x, 10 min out); 11:55 steam #3 (5 -> 2.5: decimal 6 -> 3.5, -41.7% within 10 min, 5 min out); 11:55 exacta_low 1-2 ($8 < $10).
 * Suppressed as duplicates: overlay #4 at 11:55 and 11:58, steam #3 at 11:58.
 */
export async function writePhaseOne(db: Db): Promise<void> {
  await writeCard(db);
  await writeWin(db, "11:30", { 1: 2.5, 2: 3, 3: 5, 4: 10 });
  await writeWin(db, "11:45", { 1: 1.8, 2: 3, 3: 5, 4: 10 });
  await writeWin(db, "11:50", { 1: 1.9, 2: 3, 3: 5, 4: 21 });
  await writeWin(db, "11:55", { 1: 1.9, 2: 3, 3: 2.5, 4: 21 });
  await writeExacta(db, "11:55", { "1-2": 8, "2-1": 9 });
  await writeWin(db, "11:58", { 1: 1.9, 2: 3, 3: 2.4, 4: 21 });
}

export const PHASE_ONE_ALERTS = [
  "odds_below #1 11:45",
  "overlay #4 11:50",
  "steam #3 11:55",
  "exacta_low 1-2 11:55",
];

/**
 * Phase 2 (after a restart). Expected: 11:59 odds_above #2 (3 -> 6.5 crosses 6), the race's 5th and last.
 * Suppressed: 11:59:30 odds_below #1 (duplicate of 11:45), odds_below #3 (race limit), steam/overlay repeats.
 */
export async function writePhaseTwo(db: Db): Promise<void> {
  await writeWin(db, "11:59", { 1: 2.2, 2: 6.5, 3: 2.4, 4: 21 });
  await writeWin(db, "11:59:30", { 1: 1.7, 2: 7, 3: 1.9, 4: 21 });
}

/** "type subject HH:MM[:SS]" for compact assertions. */
export function describeAlert(alert: {
  alertType: string;
  subject: string | null;
  triggeredAt: Date;
}): string {
  const time = alert.triggeredAt.toISOString().slice(11, 19).replace(/:00$/, "");
  const subject =
    alert.subject !== null && /^\d/.test(alert.subject) && !alert.subject.includes("-")
      ? `#${alert.subject}`
      : (alert.subject ?? "");
  return `${alert.alertType} ${subject} ${time}`;
}

/** Every stored alert as describeAlert writes it, oldest first. */
export async function storedAlerts(db: Db): Promise<string[]> {
  const alerts = await listAlerts(db, { limit: 1000 });
  return alerts
    .sort((a, b) => a.triggeredAt.getTime() - b.triggeredAt.getTime() || a.alertId - b.alertId)
    .map(describeAlert);
}

/** The alerts engine's two high-water marks as stored: [win, exacta]. */
export function evaluationMarks(db: Db): Promise<[number, number]> {
  return evaluationReadTransaction(db, async (tx) => [
    await tx.cursor(WIN_CURSOR),
    await tx.cursor(EXACTA_CURSOR),
  ]);
}
