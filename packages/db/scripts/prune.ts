// pnpm db:prune [--odds-days N] [--alerts-days M] [--batch-size K]
// Deletes odds/exacta rows older than N days and alerts older than M days, in
// batches so writers in other processes wait at most one batch. Defaults come
// from totewatch.yaml's `retention` section (through @totewatch/config's loadConfig:
// --config, TOTEWATCH_CONFIG or ./totewatch.yaml), the database from --db, DATABASE_URL
// or its database.url. Migrates first, like every command. Ctrl-C stops after the batch in flight.
import { existsSync } from "node:fs";
import { EXIT, createTable, positiveNumber, runIfEntryPoint, wholeNumber } from "@totewatch/cli-kit";
import { Command, Option } from "commander";
import { createDb, migrateDatabase, migrationStatus, pruneOldData } from "../src/index.js";
import { runScript, scriptSetup, withDatabaseOptions, type DatabaseOptions } from "./lib/where.js";

interface PruneOptions extends DatabaseOptions {
  oddsDays?: number;
  alertsDays?: number;
  batchSize?: number;
}

const DAY_MS = 86_400_000;
const days = (n: number) => `${n} day${n === 1 ? "" : "s"}`;
const count = (n: number) => ({ content: n.toLocaleString("en-US"), hAlign: "right" as const });

async function main(args: string[], signal: AbortSignal): Promise<number> {
  const program = withDatabaseOptions(
    new Command("db:prune")
      .description("delete odds, exacta and alert rows past retention")
      .addOption(
        new Option(
          "--odds-days <n>",
          "keep odds and exacta rows this many days (default: retention.oddsDays of totewatch.yaml)",
        ).argParser(positiveNumber("--odds-days")),
      )
      .addOption(
        new Option(
          "--alerts-days <n>",
          "keep alerts this many days (default: retention.alertsDays of totewatch.yaml)",
        ).argParser(positiveNumber("--alerts-days")),
      )
      .addOption(
        new Option(
          "--batch-size <n>",
          "rows per transaction (default: retention.batchSize of totewatch.yaml)",
        ).argParser(wholeNumber("--batch-size", { min: 1 })),
      ),
  );
  return runScript<PruneOptions>(program, args, (options) => prune(options, signal));
}

async function prune(options: PruneOptions, signal: AbortSignal): Promise<number> {
  const setup = scriptSetup(options);
  const { retention } = setup.config;
  const oddsDays = options.oddsDays ?? retention.oddsDays;
  const alertsDays = options.alertsDays ?? retention.alertsDays;
  const batchSize = options.batchSize ?? retention.batchSize;

  const { file, source } = setup;
  const exists = setup.postgres ? (await migrationStatus(setup.url)).exists : existsSync(file);
  if (!exists) {
    console.error(
      `No database at ${file} (${source}): nothing to prune. Run \`pnpm db:migrate\` to create it.`,
    );
    return EXIT.failed;
  }

  const now = new Date();
  const cutoff = (n: number) => new Date(now.getTime() - n * DAY_MS).toISOString();
  console.log(`Pruning ${file} (${source})`);
  console.log(`  odds and exacta rows older than ${days(oddsDays)} (before ${cutoff(oddsDays)})`);
  console.log(
    `  alerts older than ${days(alertsDays)} (before ${cutoff(alertsDays)}), with their delivery records`,
  );

  await migrateDatabase(setup.url, { quiet: true });
  const db = createDb({ url: setup.url });
  try {
    const result = await pruneOldData(db, {
      oddsDays,
      alertsDays,
      batchSize,
      now,
      signal,
      onProgress: ({ table, removed }) =>
        process.stderr.write(`  ${table}: ${removed.toLocaleString("en-US")} removed so far\n`),
    });
    const table = createTable(["Table", "Rows removed", "Older than"]);
    table.push(
      ["odds_snapshot", count(result.oddsSnapshots), days(oddsDays)],
      ["exacta_probable", count(result.exactaProbables), days(oddsDays)],
      ["alert (+ alert_delivery)", count(result.alerts), days(alertsDays)],
    );
    console.log(table.toString());
    const total = result.oddsSnapshots + result.exactaProbables + result.alerts;
    if (signal.aborted) {
      // Stopped on request (Ctrl-C): a clean exit, like every command's first signal.
      console.log(`Stopped early: removed ${total.toLocaleString("en-US")} row(s); run again to finish.`);
    } else {
      console.log(
        total > 0 ? `Removed ${total.toLocaleString("en-US")} row(s).` : "Nothing was old enough to remove.",
      );
    }
  } finally {
    await db.close();
  }
  return EXIT.ok;
}

void runIfEntryPoint(import.meta.url, "db:prune", main);
