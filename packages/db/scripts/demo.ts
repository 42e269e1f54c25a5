// pnpm demo (the README's first command for now): migrate, seed, and print
// the latest-odds board of the seeded race 1.
import Table from "cli-table3";
import { createDb, findRace, latestOddsForRace, migrateDatabase } from "../src/index.js";
import { formatBoardOdds } from "./lib/board-odds.js";
import { SAMPLE_DATE, SAMPLE_TRACK, seedSampleData } from "./lib/sample-data.js";
import { databaseChoice, plainUnlessTty } from "./lib/where.js";

const { file, source } = databaseChoice();
console.log(`Database: ${file} (${source})`);
migrateDatabase(file, { quiet: true });
const db = createDb({ url: file });
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
  const table = new Table({
    head: ["#", "Horse", "M/L", "Odds", "Decimal", "Pool share", "Fetched at"],
    colAligns: ["right", "left", "right", "right", "right", "right", "left"],
    style: plainUnlessTty(),
  });
  for (const runner of board) {
    const share =
      runner.winPoolAmount != null && runner.totalWinPool
        ? `${((runner.winPoolAmount / runner.totalWinPool) * 100).toFixed(1)}%`
        : "";
    table.push([
      runner.programNumber,
      runner.horse,
      runner.morningLineOdds != null ? formatBoardOdds(runner.morningLineOdds) : "",
      runner.scratched ? "SCR" : runner.winOdds != null ? formatBoardOdds(runner.winOdds) : "-",
      runner.scratched || runner.winOddsDecimal == null ? "" : runner.winOddsDecimal.toFixed(2),
      runner.scratched ? "" : share,
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
