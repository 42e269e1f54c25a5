import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { createDb } from "./client.js";
import { countRows, freshTestDatabaseUrl, queryRows } from "../testing/index.js";

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const writerScript = path.join(packageDir, "scripts", "concurrent-writer.ts");
// tsx is a root dev dependency; resolve its ESM loader from here so this works from any cwd.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm")).href;

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runWriter(file: string, worker: number, workers: number, snapshots: number): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", tsxLoader, writerScript, file, String(worker), String(workers), String(snapshots)],
      { cwd: packageDir, env: { ...process.env, DATABASE_URL: "" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("two OS processes on one database (a file, or a PostgreSQL database)", () => {
  it("write and read at once: both succeed, no busy error surfaces, no row is lost", async () => {
    const file = await freshTestDatabaseUrl("two-processes");
    const workers = 2;
    const snapshots = 250;
    const exits = await Promise.all(
      Array.from({ length: workers }, (_, worker) => runWriter(file, worker, workers, snapshots)),
    );
    for (const exit of exits) {
      // SQLite's busy error; PostgreSQL's deadlock, serialization failure or unique violation.
      expect(exit.stderr).not.toMatch(
        /SQLITE_BUSY|database is locked|deadlock|could not serialize|duplicate key/i,
      );
      expect(exit, exit.stderr).toMatchObject({ code: 0 });
    }
    expect(exits.map((e) => JSON.parse(e.stdout.trim()) as { worker: number; reads: number })).toEqual([
      { worker: 0, snapshots, reads: snapshots },
      { worker: 1, snapshots, reads: snapshots },
    ]);

    const db = createDb({ url: file });
    try {
      const { odds_snapshot: odds, race: races, entry: entries, horse: horses } = await countRows(db);
      const [distinct] = await queryRows<{ instants: number | string }>(
        db,
        `SELECT count(DISTINCT fetched_at) AS instants FROM odds_snapshot`,
      );
      const counts = { odds, races, entries, horses, instants: Number(distinct!.instants) };
      // exactly the sum of what both wrote; the card applied by both exists once
      expect(counts).toEqual({
        odds: workers * snapshots * 12,
        races: 1,
        entries: 12,
        horses: 12,
        instants: workers * snapshots,
      });
    } finally {
      await db.close();
    }
  }, 120_000);
});
