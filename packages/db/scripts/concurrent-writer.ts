// One of several OS processes writing and reading the same database (a file, or a PostgreSQL
// database) at once; spawned by src/concurrency.int.test.ts. Prints a JSON summary on
// success; on any error prints it (with its code) and exits 1.
//   node --import tsx scripts/concurrent-writer.ts <db url> <worker> <workers> <snapshots>
import { setTimeout as sleep } from "node:timers/promises";
import {
  applyRaceCard,
  createDb,
  evaluationReadTransaction,
  evaluationTransaction,
  findRace,
  latestOddsForRace,
  recordWinSnapshot,
} from "../src/index.js";

const CONCURRENT_RACE = { track: "Belmont Park", raceDate: "2025-09-13", raceNumber: 1 } as const;
const CONCURRENT_PROGRAMS = ["1", "1A", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"];
const BASE = Date.UTC(2025, 8, 13, 16, 0);

async function main(): Promise<void> {
  const [file, workerText, workersText, snapshotsText] = process.argv.slice(2);
  const worker = Number(workerText);
  const workers = Number(workersText);
  const snapshots = Number(snapshotsText);
  if (!file || !Number.isInteger(worker) || !Number.isInteger(workers) || !Number.isInteger(snapshots)) {
    throw new Error("usage: concurrent-writer.ts <db url> <worker> <workers> <snapshots>");
  }
  const db = createDb({ url: file });
  try {
    // Every worker applies the same card at once: idempotent, never duplicated.
    await applyRaceCard(db, {
      ...CONCURRENT_RACE,
      entries: CONCURRENT_PROGRAMS.map((programNumber) => ({
        programNumber,
        horse: `Shared ${programNumber}`,
      })),
    });
    const raceId = (await findRace(db, CONCURRENT_RACE))!.raceId;

    // Barrier: start writing only when every worker is ready, so they overlap.
    // Named marks in the cursor table, through its one writer and reader.
    await evaluationTransaction(db, (tx) => tx.setCursor(`ready-${worker}`, 1, new Date()));
    for (let waited = 0; ; waited += 10) {
      const ready = await evaluationReadTransaction(db, async (tx) => {
        let sum = 0;
        for (let w = 0; w < workers; w++) sum += await tx.cursor(`ready-${w}`);
        return sum;
      });
      if (ready === workers) break;
      if (waited > 30_000) throw new Error(`worker ${worker}: the other workers never became ready`);
      await sleep(10);
    }

    let reads = 0;
    for (let i = 0; i < snapshots; i++) {
      // Distinct instants per worker: worker w writes second i * workers + w.
      const fetchedAt = new Date(BASE + (i * workers + worker) * 1_000);
      const result = await recordWinSnapshot(db, {
        ...CONCURRENT_RACE,
        fetchedAt,
        totalWinPool: 100_000 + i,
        runners: CONCURRENT_PROGRAMS.map((programNumber, r) => ({ programNumber, winOdds: 1 + r + i / 100 })),
      });
      if (result.rows !== CONCURRENT_PROGRAMS.length) {
        throw new Error(`worker ${worker}: snapshot ${i} wrote ${result.rows} rows`);
      }
      const board = await latestOddsForRace(db, raceId);
      reads++;
      if (board.length !== CONCURRENT_PROGRAMS.length) {
        throw new Error(`worker ${worker}: board has ${board.length} runners`);
      }
      for (const runner of board) {
        // Our own committed write is visible; the other worker's may be newer.
        if (!runner.fetchedAt || runner.fetchedAt < fetchedAt) {
          throw new Error(
            `worker ${worker}: runner ${runner.programNumber} shows ${runner.fetchedAt?.toISOString()}`,
          );
        }
      }
    }
    process.stdout.write(`${JSON.stringify({ worker, snapshots, reads })}\n`);
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  const code = (error as { code?: unknown }).code;
  process.stderr.write(
    `${code ? `[${String(code)}] ` : ""}${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
