// The sample data `pnpm seed` and `pnpm demo` write: one day at Belmont Park,
// three races, a few odds snapshots at fixed instants and one alert. Fixed
// instants and a fixed dedupe key make re-running it a no-op.
import {
  applyRaceCard,
  entriesForRace,
  evaluationTransaction,
  findRace,
  recordExactaSnapshot,
  recordWinSnapshot,
  type Db,
  type RaceCardInput,
} from "../../src/index.js";
import { impliedProbability } from "@totewatch/tote";

export const SAMPLE_TRACK = { name: "Belmont Park", code: "BEL", timezone: "America/New_York" } as const;
export const SAMPLE_DATE = "2025-09-13";
export const SAMPLE_ALERT_KEY = "sample:odds_drop:BEL:2025-09-13:1:4";

interface SampleRunner {
  program: string;
  horse: string;
  /** Morning line, odds-to-1. */
  ml: number;
  jockey: string;
  trainer: string;
  scratched?: boolean;
}

interface SampleRace {
  raceNumber: number;
  /** Post time, UTC. */
  post: string;
  runners: SampleRunner[];
  /** Win odds (odds-to-1) of each runner not scratched, per snapshot, oldest first. */
  boards: number[][];
}

export const SAMPLE_RACES: SampleRace[] = [
  {
    raceNumber: 1,
    post: "2025-09-13T17:05:00Z",
    runners: [
      { program: "1", horse: "Fort Knox Flyer", ml: 3, jockey: "I. Ortiz Jr.", trainer: "T. Pletcher" },
      { program: "1A", horse: "Knox Gold", ml: 3, jockey: "J. Ortiz", trainer: "T. Pletcher" },
      { program: "2", horse: "Harbor Lights", ml: 5, jockey: "F. Prat", trainer: "C. Brown" },
      { program: "3", horse: "Quiet Thunder", ml: 8, jockey: "J. Rosario", trainer: "B. Cox" },
      { program: "4", horse: "Saratoga Mist", ml: 4.5, jockey: "J. Castellano", trainer: "S. Asmussen" },
      {
        program: "5",
        horse: "Late Bloomer",
        ml: 15,
        jockey: "M. Franco",
        trainer: "L. Rice",
        scratched: true,
      },
      { program: "6", horse: "Empire Echo", ml: 10, jockey: "K. Carmouche", trainer: "R. Atras" },
      { program: "10", horse: "Tin Cup Tony", ml: 20, jockey: "E. Cancel", trainer: "J. Englehart" },
    ],
    boards: [
      [2.6, 2.6, 4.2, 9.0, 5.5, 11.0, 18.0],
      [2.4, 2.4, 4.0, 9.5, 3.8, 12.0, 22.0],
      [2.2, 2.2, 4.4, 10.0, 2.6, 13.0, 25.0],
    ],
  },
  {
    raceNumber: 2,
    post: "2025-09-13T17:37:00Z",
    runners: [
      { program: "1", horse: "Midnight Ledger", ml: 2, jockey: "F. Prat", trainer: "C. Brown" },
      { program: "2", horse: "Rolling Stock", ml: 6, jockey: "J. Velazquez", trainer: "T. Pletcher" },
      { program: "3", horse: "Gale Warning", ml: 4, jockey: "I. Ortiz Jr.", trainer: "B. Cox" },
      { program: "4", horse: "Copper Kettle", ml: 12, jockey: "D. Davis", trainer: "L. Rice" },
      { program: "5", horse: "Paper Moon", ml: 8, jockey: "J. Alvarado", trainer: "S. Joseph Jr." },
      { program: "6", horse: "Steady Eddie", ml: 3.5, jockey: "J. Rosario", trainer: "W. Mott" },
    ],
    boards: [
      [1.9, 7.0, 3.6, 14.0, 9.0, 3.2],
      [2.1, 6.5, 3.4, 16.0, 8.0, 3.0],
    ],
  },
  {
    raceNumber: 3,
    post: "2025-09-13T18:09:00Z",
    runners: [
      { program: "1", horse: "Bayou Belle", ml: 5, jockey: "J. Castellano", trainer: "S. Asmussen" },
      { program: "2", horse: "Crown Jewel", ml: 1.5, jockey: "I. Ortiz Jr.", trainer: "C. Brown" },
      { program: "3", horse: "Dusty Trail", ml: 10, jockey: "M. Franco", trainer: "R. Atras" },
      { program: "4", horse: "Echo Canyon", ml: 6, jockey: "J. Ortiz", trainer: "T. Pletcher" },
      { program: "5", horse: "Foxhall Road", ml: 15, jockey: "K. Carmouche", trainer: "J. Englehart" },
      { program: "6", horse: "Golden Hour", ml: 8, jockey: "F. Prat", trainer: "B. Cox" },
      { program: "7", horse: "Highland Fling", ml: 20, jockey: "E. Cancel", trainer: "L. Rice" },
    ],
    boards: [
      [5.0, 1.2, 11.0, 6.5, 16.0, 8.5, 24.0],
      [4.6, 1.1, 12.0, 7.0, 18.0, 8.0, 28.0],
    ],
  },
];

/** Board snapshots are taken 12, 6 and 2 minutes before post (the last ones of the list line up with post - 2). */
export function snapshotInstants(race: SampleRace): Date[] {
  const post = Date.parse(race.post);
  const minutesBefore = [12, 6, 2].slice(-race.boards.length);
  return minutesBefore.map((m) => new Date(post - m * 60_000));
}

export function sampleCard(race: SampleRace): RaceCardInput {
  return {
    track: SAMPLE_TRACK.name,
    trackCode: SAMPLE_TRACK.code,
    timezone: SAMPLE_TRACK.timezone,
    raceDate: SAMPLE_DATE,
    raceNumber: race.raceNumber,
    postTime: new Date(race.post),
    entries: race.runners.map((r) => ({
      programNumber: r.program,
      horse: r.horse,
      morningLineOdds: r.ml,
      jockey: r.jockey,
      trainer: r.trainer,
      scratched: r.scratched ?? false,
    })),
  };
}

/** Pool money behind each price: a win pool whose shares match the odds (takeout 16%). */
function winPool(odds: number[], total: number): number[] {
  const weights = odds.map((o) => impliedProbability(o));
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => Math.round((total * w) / sum));
}

export interface SeedStep {
  what: string;
  written: number;
}

/** Writes the sample data through the helpers; returns what each step wrote (0 on a re-run). */
export async function seedSampleData(db: Db): Promise<SeedStep[]> {
  const steps: SeedStep[] = [];
  for (const race of SAMPLE_RACES) {
    const card = sampleCard(race);
    const label = `race ${race.raceNumber}`;
    steps.push({
      what: `${label}: card (${race.runners.length} entries)`,
      written: (await applyRaceCard(db, card)).rows,
    });

    const running = race.runners.filter((r) => !r.scratched);
    const instants = snapshotInstants(race);
    let winRows = 0;
    let exactaRows = 0;
    for (const [i, board] of race.boards.entries()) {
      const fetchedAt = instants[i]!;
      const totalWinPool = 40_000 + 25_000 * i + 5_000 * race.raceNumber;
      const pool = winPool(board, totalWinPool);
      winRows += (
        await recordWinSnapshot(db, {
          ...card,
          fetchedAt,
          totalWinPool,
          runners: running.map((r, k) => ({
            programNumber: r.program,
            winOdds: board[k]!,
            winPoolAmount: pool[k]!,
          })),
        })
      ).rows;
      // Exacta probables from the win odds (a simple Harville-style estimate, $2 base).
      const p = board.map((o) => impliedProbability(o));
      const sum = p.reduce((a, b) => a + b, 0);
      const probables = running.flatMap((first, a) =>
        running
          .filter((_, b) => b !== a)
          .map((second) => {
            const b = running.indexOf(second);
            const pa = p[a]! / sum;
            const pb = p[b]! / sum;
            const chance = (pa * pb) / (1 - pa);
            return {
              first: first.program,
              second: second.program,
              payout: Math.round(((2 * 0.8) / chance) * 10) / 10,
            };
          }),
      );
      exactaRows += (
        await recordExactaSnapshot(db, {
          ...card,
          fetchedAt,
          totalExactaPool: Math.round(totalWinPool * 0.6),
          probables,
        })
      ).rows;
    }
    steps.push({ what: `${label}: ${race.boards.length} win snapshots`, written: winRows });
    steps.push({ what: `${label}: ${race.boards.length} exacta grids`, written: exactaRows });
  }

  const first = SAMPLE_RACES[0]!;
  const race = await findRace(db, {
    track: SAMPLE_TRACK.name,
    raceDate: SAMPLE_DATE,
    raceNumber: first.raceNumber,
  });
  const entry = race
    ? (await entriesForRace(db, race.raceId)).find((e) => e.programNumber === "4")
    : undefined;
  const instants = snapshotInstants(first);
  const alert = {
    triggeredAt: instants.at(-1)!,
    raceId: race?.raceId ?? null,
    entryId: entry?.entryId ?? null,
    alertType: "odds_drop",
    thresholdValue: 0.3,
    actualValue: 0.46,
    message: "BEL R1 #4 Saratoga Mist shortened 9-2 -> 5-2 in 10 minutes",
    dedupeKey: SAMPLE_ALERT_KEY,
    subject: "4",
    details: { before: 5.5, after: 2.6, minutesToPost: 2 },
  };
  // Stored the one way alerts are stored; no channels, so nothing is due for delivery.
  const { created } = await evaluationTransaction(db, (tx) => tx.storeAlert(alert, [], new Date()));
  steps.push({ what: "alert: odds drop on race 1 #4", written: created ? 1 : 0 });
  return steps;
}
