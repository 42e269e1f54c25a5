// pnpm db:prune [--odds-days N] [--alerts-days M] [--batch-size K]
// Deletes odds/exacta rows older than N days and alerts older than M days, in
// batches so writers in other processes wait at most one batch.
import { existsSync } from "node:fs";
import Table from "cli-table3";
import { createDb, pruneOldData } from "../src/index.js";
import { databaseChoice, plainUnlessTty } from "./lib/where.js";
import { scriptOptions } from "./lib/args.js";

const values = scriptOptions({
  "odds-days": { type: "string", default: "30" },
  "alerts-days": { type: "string", default: "90" },
  "batch-size": { type: "string", default: "5000" },
});

function positive(flag: string, text: string, whole: boolean): number {
  const value = Number(text);
  if (!(value > 0) || !Number.isFinite(value) || (whole && !Number.isInteger(value))) {
    console.error(`--${flag} must be a positive ${whole ? "whole " : ""}number, got "${text}"`);
    process.exit(2);
  }
  return value;
}

const oddsDays = positive("odds-days", values["odds-days"], false);
const alertsDays = positive("alerts-days", values["alerts-days"], false);
const batchSize = positive("batch-size", values["batch-size"], true);

const { file, source } = databaseChoice();
if (!existsSync(file)) {
  console.error(
    `No database at ${file} (${source}): nothing to prune. Run \`pnpm db:migrate\` to create it.`,
  );
  process.exit(1);
}

const now = new Date();
const days = (n: number) => `${n} day${n === 1 ? "" : "s"}`;
const cutoff = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();
console.log(`Pruning ${file} (${source})`);
console.log(`  odds and exacta rows older than ${days(oddsDays)} (before ${cutoff(oddsDays)})`);
console.log(
  `  alerts older than ${days(alertsDays)} (before ${cutoff(alertsDays)}), with their delivery records`,
);

const db = createDb({ url: file });
try {
  const result = await pruneOldData(db, {
    oddsDays,
    alertsDays,
    batchSize,
    now,
    onProgress: ({ table, removed }) =>
      process.stderr.write(`  ${table}: ${removed.toLocaleString("en-US")} removed so far\n`),
  });
  const table = new Table({
    head: ["Table", "Rows removed", "Older than"],
    colAligns: ["left", "right", "left"],
    style: plainUnlessTty(),
  });
  table.push(
    ["odds_snapshot", result.oddsSnapshots.toLocaleString("en-US"), days(oddsDays)],
    ["exacta_probable", result.exactaProbables.toLocaleString("en-US"), days(oddsDays)],
    ["alert (+ alert_delivery)", result.alerts.toLocaleString("en-US"), days(alertsDays)],
  );
  console.log(table.toString());
  const total = result.oddsSnapshots + result.exactaProbables + result.alerts;
  console.log(
    total > 0 ? `Removed ${total.toLocaleString("en-US")} row(s).` : "Nothing was old enough to remove.",
  );
} finally {
  await db.close();
}
