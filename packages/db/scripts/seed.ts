// pnpm seed: sample data (Belmont Park, 3 races, odds snapshots, an alert).
// Re-runnable: fixed instants and keys make a second run write nothing.
import { EXIT, runIfEntryPoint } from "@totewatch/cli-kit";
import { Command } from "commander";
import { createDb, migrateDatabase } from "../src/index.js";
import { seedSampleData } from "./lib/sample-data.js";
import { runScript, scriptSetup, withDatabaseOptions, type DatabaseOptions } from "./lib/where.js";

async function main(args: string[]): Promise<number> {
  const program = withDatabaseOptions(
    new Command("seed").description("write the sample data into the database (re-runnable)"),
  );
  return runScript<DatabaseOptions>(program, args, seed);
}

async function seed(options: DatabaseOptions): Promise<number> {
  const setup = scriptSetup(options);
  console.log(`Seeding the database at ${setup.file} (${setup.source}).`);
  await migrateDatabase(setup.url, { quiet: true });
  const db = createDb({ url: setup.url });
  try {
    const steps = await seedSampleData(db);
    for (const step of steps) {
      console.log(`  ${step.what}: ${step.written > 0 ? `${step.written} row(s) written` : "already there"}`);
    }
    const total = steps.reduce((sum, s) => sum + s.written, 0);
    console.log(
      total > 0 ? `Seeded: ${total} row(s) written.` : "Nothing to do: the sample data was already there.",
    );
  } finally {
    await db.close();
  }
  return EXIT.ok;
}

void runIfEntryPoint(import.meta.url, "seed", main);
