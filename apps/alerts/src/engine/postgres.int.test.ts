/**
 * The alerts app on PostgreSQL (only in the postgres vitest project): the same simulated day
 * stores the same rows and raises the same alerts on both engines, and two deliverers on one PostgreSQL database (two
 * clients in one process, and two `alerts run --once` OS processes) send each alert once.
 */
import { spawn } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createLogger } from "@totewatch/config";
import { createDb, type Db } from "@totewatch/db";
import {
  alertRows,
  dumpTables,
  freshPostgresDatabase,
  scratchDir,
  storeSteamAlert,
  testEngine,
} from "@totewatch/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { startWebhookReceiver, type WebhookReceiver } from "../../test/delivery.js";
import { TEST_CONFIG_YAML, testConfig } from "../../test/engine.js";
import { runDemo } from "../demo.js";
import { runOnceCapturing } from "../../test/daemon.js";

const onPostgres = testEngine() === "postgres";
const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm")).href;
const CONSOLE_LINE = /\[steam\]/;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A scratch folder removed after the test (a demo day's file is megabytes). */
function folder(prefix: string): string {
  const dir = scratchDir(prefix);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function open(url: string): Db {
  const db = createDb({ url });
  cleanups.push(() => db.close());
  return db;
}

async function receiver(): Promise<WebhookReceiver> {
  // Answers after 30 ms: both deliverers are mid-send at the same time.
  const started = await startWebhookReceiver(() => 200, { delayMs: 30 });
  cleanups.push(() => started.close());
  return started;
}

const configYaml = (webhook: WebhookReceiver) => `log: { level: warn }
${TEST_CONFIG_YAML}
  channels:
    console: { enabled: true }
    webhook: { enabled: true, url: "${webhook.url}", secret: pg-secret, timeoutMs: 5000 }
`;

async function storeAlerts(db: Db, count: number): Promise<string[]> {
  const keys: string[] = [];
  for (let i = 0; i < count; i++) {
    const stored = await storeSteamAlert(db, {
      dedupeKey: `steam-pg-${String(i).padStart(3, "0")}`,
      triggeredAt: new Date(Date.UTC(2024, 7, 1, 17, 0, i)),
      channels: ["console", "webhook"],
    });
    keys.push(stored.dedupeKey);
  }
  return keys.sort();
}

const consoleLines = (text: string) => text.split("\n").filter((line) => CONSOLE_LINE.test(line));
const sortedKeys = (webhook: WebhookReceiver) => webhook.requests.map((r) => String(r.idempotencyKey)).sort();

describe.runIf(onPostgres)("alerts on PostgreSQL", () => {
  it(
    "a simulated day stores the same rows and raises the same alerts on PostgreSQL as on SQLite",
    { timeout: 180_000 },
    async () => {
      const quiet = createLogger({ name: "demo", level: "silent" });
      const day = {
        reset: true,
        tracks: 2,
        races: 4,
        seed: 7,
        date: "2025-06-01",
        showAlerts: false,
        logger: quiet,
      };
      const sqliteFile = path.join(folder("totewatch-pg-parity-"), "demo.db");
      const pgUrl = await freshPostgresDatabase("parity");
      const sqliteDay = await runDemo({ ...day, db: sqliteFile, stdout: new PassThrough() });
      const pgDay = await runDemo({ ...day, db: pgUrl, stdout: new PassThrough() });
      expect(pgDay.ingest.applied).toBe(sqliteDay.ingest.applied);
      expect(pgDay.alertsByRule).toEqual(sqliteDay.alertsByRule);
      const total = sqliteDay.alertsByRule.reduce((sum, row) => sum + row.count, 0);
      expect(total).toBeGreaterThan(10);
      // Every stored alert by dedupe key, but when it was written and sent (wall-clock stamps) and its
      // id (the order of a pass's inserts follows how the daemon's passes met the live day).
      const shape = (rows: Awaited<ReturnType<typeof alertRows>>) =>
        rows.map(({ createdAt: _c, sentAt: _s, id: _i, ...row }) => row);
      const [sqliteAlerts, pgAlerts] = [await alertRows(open(sqliteFile)), await alertRows(open(pgUrl))];
      expect(pgAlerts).toHaveLength(total);
      expect(shape(pgAlerts)).toEqual(shape(sqliteAlerts));
      // And the day's data: every row of every data table, column for column.
      expect(await dumpTables(open(pgUrl))).toEqual(await dumpTables(open(sqliteFile)));
    },
  );

  it("two daemons (two clients, run --once) at once send every alert exactly once per channel", async () => {
    const webhook = await receiver();
    const config = testConfig(configYaml(webhook));
    const url = await freshPostgresDatabase("two-deliverers");
    const keys = await storeAlerts(open(url), 40);
    const run = (db: Db) => runOnceCapturing(db, config, CONSOLE_LINE);
    const [first, second] = await Promise.all([run(open(url)), run(open(url))]);
    expect(sortedKeys(webhook)).toEqual(keys);
    const lines = [...first.lines, ...second.lines];
    expect(lines).toHaveLength(keys.length);
    expect(new Set(lines).size).toBe(keys.length);
    expect(first.summary.delivered + second.summary.delivered).toBe(2 * keys.length);
    expect((await alertRows(open(url))).filter((row) => !row.sent)).toEqual([]);
  });

  it("two `alerts run --once` OS processes on one PostgreSQL database send every alert exactly once", async () => {
    const webhook = await receiver();
    const config = path.join(folder("totewatch-pg-daemon-"), "totewatch.yaml");
    writeFileSync(config, configYaml(webhook));
    const url = await freshPostgresDatabase("two-processes");
    const keys = await storeAlerts(open(url), 30);
    const exits = await Promise.all(
      [1, 2].map(
        () =>
          new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
            const child = spawn(
              process.execPath,
              [
                "--import",
                tsxLoader,
                path.join(appDir, "src", "cli.ts"),
                "run",
                "--once",
                "--config",
                config,
                "--db",
                url,
              ],
              {
                cwd: appDir,
                env: { ...process.env, DATABASE_URL: "", TOTEWATCH_CONFIG: "" },
                stdio: ["ignore", "pipe", "pipe"],
              },
            );
            cleanups.push(() => void child.kill("SIGKILL"));
            let stderr = "";
            child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
            child.stdout.resume();
            child.on("error", reject);
            child.on("close", (code) => resolve({ code, stderr }));
          }),
      ),
    );
    for (const exit of exits) expect(exit, exit.stderr).toMatchObject({ code: 0 });
    expect(sortedKeys(webhook)).toEqual(keys);
    const lines = exits.flatMap((exit) => consoleLines(exit.stderr));
    expect(lines).toHaveLength(keys.length);
    expect(new Set(lines).size).toBe(keys.length);
  }, 60_000);
});
