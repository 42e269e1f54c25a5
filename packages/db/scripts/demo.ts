// pnpm --filter @totewatch/db demo: migrate, seed, and print the latest-odds
// board of the seeded race 1 (board odds as @totewatch/tote formats them).
import { EXIT, createTable, runIfEntryPoint } from "@totewatch/cli-kit";
import { formatBoardOdds } from "@totewatch/tote";
import { Command } from "commander";
import { createDb, findRace, latestOddsForRace, migrateDatabase } from "../src/index.js";
import { SAMPLE_DATE, SAMPLE_TRACK, seedSampleData } from "./lib/sample-data.js";
import { runScript, scriptSetup, withDatabaseOptions, type DatabaseOptions } from "./lib/where.js";

const right = (content: string) => ({ content, hAlign: "right" as const });

async function main(args: string[]): Promise<number> {
  const program = withDatabaseOptions(
    new Command("demo").description("migrate, seed the sample data and print race 1's latest odds"),
  );
  return runScript<DatabaseOptions>(program, args, demo);
}

async function demo(options: DatabaseOptions): Promise<number> {
  const setup = scriptSetup(options);
  console.log(`Database: ${setup.file} (${setup.source})`);
  await migrateDatabase(setup.url, { quiet: true });
  const db = createDb({ url: setup.url });
  try {
    const written = (await seedSampleData(db)).reduce((sum, s) => sum + s.written, 0);
    console.log(written > 0 ? `Seeded sample data: ${written} row(s).` : "Sample data already present.");

    const race = await findRace(db, { track: SAMPLE_TRACK.name, raceDate: SAMPLE_DATE, raceNumber: 1 });
    if (!race) throw new Error(`seeded race 1 of ${SAMPLE_TRACK.name} ${SAMPLE_DATE} is missing`);
    const local = (instant: Date, withSeconds = false) =>
      new Intl.DateTimeFormat("en-US", {
        timeZone: race.timezone,
        hour: "numeric",
        minute: "2-digit",
        ...(withSeconds ? { second: "2-digit" } : {}),
        timeZoneName: "short",
      }).format(instant);

    const board = await latestOddsForRace(db, race.raceId);
    const table = createTable(["#", "Horse", "M/L", "Odds", "Decimal", "Pool share", "Fetched at"]);
    for (const runner of board) {
      const share =
        runner.winPoolAmount != null && runner.totalWinPool
          ? `${((runner.winPoolAmount / runner.totalWinPool) * 100).toFixed(1)}%`
          : "";
      table.push([
        right(runner.programNumber),
        runner.horse,
        right(runner.morningLineOdds != null ? formatBoardOdds(runner.morningLineOdds) : ""),
        right(runner.scratched ? "SCR" : runner.winOdds != null ? formatBoardOdds(runner.winOdds) : "-"),
        right(runner.scratched || runner.winOddsDecimal == null ? "" : runner.winOddsDecimal.toFixed(2)),
        right(runner.scratched ? "" : share),
        runner.scratched || !runner.fetchedAt ? "" : local(runner.fetchedAt, true),
      ]);
    }
    const code = race.trackCode ? ` (${race.trackCode})` : "";
    const post = race.postTime ? `, post ${local(race.postTime)}` : "";
    console.log(
      `\n${race.track}${code} ${race.raceDate} race ${race.raceNumber}${post}, status ${race.status}`,
    );
    console.log(table.toString());
    const pool = board.find((r) => r.totalWinPool != null)?.totalWinPool;
    if (pool != null) console.log(`Win pool: $${pool.toLocaleString("en-US")}`);
  } finally {
    await db.close();
  }
  return EXIT.ok;
}

void runIfEntryPoint(import.meta.url, "demo", main);
