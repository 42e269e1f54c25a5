// pnpm seed: sample data (Belmont Park, 3 races, odds snapshots, an alert).
// Re-runnable: fixed instants and keys make a second run write nothing.
import { createDb, migrateDatabase } from "../src/index.js";
import { seedSampleData } from "./lib/sample-data.js";
import { databaseChoice } from "./lib/where.js";

const { file, source } = databaseChoice();
console.log(`Seeding the database at ${file} (${source}).`);
migrateDatabase(file, { quiet: true });
const db = createDb({ url: file });
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
