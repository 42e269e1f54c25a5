/**
 * Every command of `totewatch` on the engine under test, chosen by DATABASE_URL alone (issue 12:
 * a postgresql:// url selects PostgreSQL for every command, a file keeps SQLite): db migrate
 * makes a database that does not exist yet, then db status, db seed, ingest replay, alerts run
 * and list, the dashboard, db prune and db reset each work on it. Real child processes, as a
 * user runs them.
 */
import {
  alertRows,
  closedAfterEach,
  countRows,
  scratchDir,
  testDatabaseUrl,
  testEngine,
} from "@totewatch/test-utils";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, totewatch as run, type RunOptions } from "../test/run.js";

const smallDay = path.join(ROOT, "apps/ingest/test-fixtures/small-day.jsonl");

/** A database that does not exist yet, on the engine under test. */
const url =
  testEngine() === "postgres"
    ? testDatabaseUrl(`totewatch_commands_${process.pid}`)
    : `file:${path.join(scratchDir("totewatch-commands-"), "day.db")}`;

/** `totewatch args` with only DATABASE_URL naming the database. */
const totewatch = (args: string[], opts: RunOptions = {}) =>
  run(args, { ...opts, env: { DATABASE_URL: url } });

const client = closedAfterEach();
const rows = () => countRows(client(url));

describe(
  `every command on ${testEngine() === "postgres" ? "PostgreSQL" : "SQLite"}, chosen by DATABASE_URL`,
  { timeout: 120_000 },
  () => {
    it("db migrate makes the database, and db status finds it up to date", async () => {
      expect(url).toMatch(testEngine() === "postgres" ? /^postgresql:\/\// : /^file:/);
      const migrate = await totewatch(["db", "migrate"]);
      expect(migrate.stderr).toBe("");
      expect(migrate.code).toBe(0);
      expect(migrate.stdout).toMatch(/is up to date \(\d+ migration\(s\), latest \w+\); \d+ applied now/);
      const status = await totewatch(["db", "status"]);
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(/Migrations: (\d+) of \1 applied[^]*Up to date\./);
    });

    it("ingest replay stores a day, alerts run --once raises its alerts, and alerts list shows them", async () => {
      const replay = await totewatch(["ingest", "replay", smallDay]);
      expect(replay.code, replay.stderr).toBe(0);
      // The fixture's 8 messages: 2 cards (2 races), 3 win boards, 1 exacta grid, 2 statuses.
      const stored = await rows();
      expect(stored.race).toBe(2);
      expect(stored.odds_snapshot).toBeGreaterThan(0);
      expect(stored.exacta_probable).toBeGreaterThan(0);
      const run = await totewatch(["alerts", "run", "--once"]);
      expect(run.code, run.stderr).toBe(0);
      // Race 1's #1 First Light: 5-2 -> 2 by 12:50 (odds_below 2-1, and steam); #2 Second Wind drifts
      // EVEN -> 6-5 (the same three as on SQLite: the fixture's own alerts, apps/ingest).
      const alerts = await alertRows(client(url));
      expect(alerts.map((a) => `${a.alertType} ${a.subject}`).sort()).toEqual([
        "drift 2",
        "odds_below 1",
        "steam 1",
      ]);
      const list = await totewatch(["alerts", "list"]);
      expect(list.code, list.stderr).toBe(0);
      for (const type of ["odds_below", "drift", "steam"]) expect(list.stdout).toContain(type);
    });

    it("db seed stores the sample rows beside them", async () => {
      const before = await rows();
      const seed = await totewatch(["db", "seed"]);
      expect(seed.code, seed.stderr).toBe(0);
      const after = await rows();
      expect(after.race).toBeGreaterThan(before.race!);
      expect(after.odds_snapshot).toBeGreaterThan(before.odds_snapshot!);
    });

    it("the dashboard serves it", async () => {
      let health: unknown;
      let home = 0;
      let asked: Promise<void> | undefined;
      const dashboard = await totewatch(["dashboard", "--port", "0"], {
        onStdout: (text, child) => {
          const address = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(text)?.[1];
          if (asked || !address) return;
          asked = (async () => {
            health = await (await fetch(`${address}healthz`)).json();
            home = (await fetch(address)).status;
          })().finally(() => child.kill("SIGTERM"));
        },
      });
      await asked;
      expect(health).toMatchObject({ ok: true });
      expect(home).toBe(200);
      expect(dashboard.code, dashboard.stderr).toBe(0);
    });

    it("db prune runs, and db reset leaves it empty and migrated", async () => {
      const prune = await totewatch(["db", "prune"]);
      expect(prune.code, prune.stderr).toBe(0);
      const reset = await totewatch(["db", "reset"]);
      expect(reset.code, reset.stderr).toBe(0);
      expect(Object.values(await rows()).every((n) => n === 0)).toBe(true);
      const status = await totewatch(["db", "status"]);
      expect(status.stdout).toMatch(/Migrations: (\d+) of \1 applied[^]*Up to date\./);
    });
  },
);
