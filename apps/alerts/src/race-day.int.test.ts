/**
 * Race-day correctness, black box: a hand-made race day (test/race-day.ts, one race per
 * defect of issue 8, its figures worked there) goes through `ingest replay --strict` (its
 * own OS process) and `alerts run --once` on a real database (a SQLite file, or PostgreSQL in
 * the postgres project), and the stored alerts are read back.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { freshTestDatabaseUrl } from "@totewatch/test-utils";
import { createDb, listAlerts, type StoredAlert } from "@totewatch/db";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "./cli.js";
import { DATE, raceDay } from "../test/race-day.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const ingestCli = path.resolve(here, "../../ingest/src/cli.ts");
const tsx = path.resolve(here, "../../../node_modules/.bin/tsx");

const CONFIG = `log: { level: warn }
alerts:
  rules:
    # Every rule at its default, plus the payout band (off by default) so a $0 probable would show.
    exactaPayout: { enabled: true, min: 5 }
`;

function run(
  command: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, TOTEWATCH_CONFIG: "", DATABASE_URL: "" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += String(chunk)));
    child.stderr.on("data", (chunk) => (stderr += String(chunk)));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

async function alertsCli(args: string[]): Promise<{ code: number; stdout: string }> {
  const stdout = new PassThrough();
  let out = "";
  stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const code = await main(args, { stdout, stderr: new PassThrough(), env: {} });
  return { code, stdout: out };
}

describe("a hand-made race day through ingest replay and alerts run --once", { timeout: 120_000 }, () => {
  let alerts: StoredAlert[] = [];
  let common: string[] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "totewatch-race-day-"));
    const feed = path.join(dir, "race-day.jsonl");
    writeFileSync(
      feed,
      raceDay()
        .map((line) => JSON.stringify(line))
        .join("\n") + "\n",
    );
    const config = path.join(dir, "totewatch.yaml");
    writeFileSync(config, CONFIG);
    const url = await freshTestDatabaseUrl("race-day");
    common = ["--db", url, "--config", config];

    const replay = await run(tsx, [ingestCli, "replay", feed, "--strict", ...common]);
    expect(replay.stderr + replay.stdout).not.toContain("invalid message");
    expect(replay.code).toBe(0);
    const once = await alertsCli(["run", "--once", ...common]);
    expect(once.code).toBe(0);
    const db = createDb({ url });
    alerts = await listAlerts(db, { limit: 100 });
    await db.close();
  }, 120_000);

  const ofRace = (race: number) =>
    alerts
      .filter((alert) => alert.race?.raceNumber === race)
      .map((alert) => `${alert.alertType} ${alert.subject}`)
      .sort();

  it("a favourite scratched with unchanged money: one scratch alert, no steam or odds change", () => {
    expect(ofRace(1)).toEqual(["scratch 1"]);
    const scratch = alerts.find((alert) => alert.race?.raceNumber === 1)!;
    // 40,000 of the 100,000 on the board before the scratch is refunded.
    expect(scratch.actualValue).toBeCloseTo(40, 9);
    expect(scratch.message).toContain("40.0% of the win pool refunded");
  });

  it("a scratch the card reports after the board dropped the runner: one alert, on the next board", () => {
    expect(ofRace(8)).toEqual(["scratch 1"]);
    const scratch = alerts.find((alert) => alert.race?.raceNumber === 8)!;
    expect(scratch.triggeredAt.toISOString()).toBe(`${DATE}T16:56:00.000Z`);
    expect(scratch.actualValue).toBeCloseTo(40, 9); // 40,000 of 100,000 on the 16:50 board
  });

  it("the backtest over the same day raises exactly the alerts the daemon stored", async () => {
    const backtest = await alertsCli(["backtest", "--from", DATE, "--to", DATE, ...common]);
    expect(backtest.code).toBe(0);
    expect(backtest.stdout).toContain(`${alerts.length} alert(s) would have fired`);
    const byType = new Map<string, number>();
    for (const alert of alerts) byType.set(alert.alertType, (byType.get(alert.alertType) ?? 0) + 1);
    for (const [type, count] of byType) expect(backtest.stdout).toContain(`${type}: ${count} alert(s)`);
  });

  it("a coupled entry at fair exacta prices raises no cross-pool alert", () => {
    expect(ofRace(2)).toEqual([]);
  });

  it("steam between scheduled post and a later off raises one steam alert", () => {
    expect(ofRace(3)).toEqual(["steam 3"]);
    const steam = alerts.find((alert) => alert.race?.raceNumber === 3)!;
    // #3's share .20 -> .26 of the pool: +6 points (probabilityPoints 5), at 17:03, 3 min after post.
    expect(steam.actualValue).toBeCloseTo(6, 9);
    expect(steam.details?.minutesToPost).toBe(-3);
  });

  it("a $0 probable is no money, not an alert", () => {
    expect(ofRace(4)).toEqual([]);
  });

  it("a decimal board raises the same alerts as its odds-to-1 twin", () => {
    expect(ofRace(5)).toEqual(["steam 3"]);
    const facts = (race: number) =>
      alerts
        .filter((alert) => alert.race?.raceNumber === race)
        .map((alert) => [
          alert.alertType,
          alert.subject,
          alert.actualValue,
          alert.details?.before,
          alert.details?.after,
        ]);
    expect(facts(6)).toEqual(facts(5));
  });

  it("a post-off change raises one late_change alert", () => {
    expect(ofRace(7)).toEqual(["late_change 4"]);
    const late = alerts.find((alert) => alert.race?.raceNumber === 7)!;
    // Decimal 8.4 -> 4.0 at the first board after the off: (4.0 - 8.4) / 8.4 = -52.4%.
    expect(late.actualValue).toBeCloseTo(-52.38, 1);
  });

  it("alerts report late-changes lists the move and the money that merged after the off", async () => {
    const report = await alertsCli(["report", "late-changes", "--from", DATE, "--to", DATE, ...common]);
    expect(report.code).toBe(0);
    // Race 7 only (race 3 has no board after its off): #4 7.4-1 -> 2.9-1, decimal 8.4 -> 3.9 = -53.6%;
    // the pool 110,000 -> 133,000 = +23,000, +20.9%.
    expect(report.stdout).toContain("R7");
    expect(report.stdout).not.toContain("R3");
    expect(report.stdout).toContain("$110,000 -> $133,000 (+$23,000, +20.9%)");
    expect(report.stdout).toMatch(/#4 Delta 7.*-53\.6%/);
    expect(report.stdout).toContain("1 of 1 race(s)");
  });
});
