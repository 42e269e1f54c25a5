import { freshTestDatabaseUrl } from "@totewatch/test-utils";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createDb, listAlerts } from "@totewatch/db";
import { backtestWindow, main, parseRangeBound } from "./cli.js";
import { TEST_CONFIG_YAML, writePhaseOne, writePhaseTwo } from "../test/engine.js";

/** Runs the CLI; `terminal`: stdout is a terminal that many columns wide. */
async function cli(
  args: string[],
  terminal?: number,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = Object.assign(
    new PassThrough(),
    terminal === undefined ? {} : { isTTY: true, columns: terminal },
  );
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const code = await main(args, { stdout, stderr, env: {} });
  return { code, stdout: out, stderr: err };
}

function configFile(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "totewatch-cli-"));
  const file = path.join(dir, "totewatch.yaml");
  // Console only; log lines go to stdout as JSON (not a TTY).
  writeFileSync(file, `log: { level: warn }\n${TEST_CONFIG_YAML}`);
  return file;
}

describe("alerts CLI", () => {
  // Every command migrates first (a prisma child process), so these take a few seconds each.
  it(
    "run --dry-run stores and sends nothing; run --once delivers; list and backtest show the same alerts",
    { timeout: 120_000 },
    async () => {
      // A file on SQLite, a postgresql:// url in the postgres project.
      const file = await freshTestDatabaseUrl("cli");
      const config = configFile();
      const writer = createDb({ url: file });
      await writePhaseOne(writer);
      await writePhaseTwo(writer);
      await writer.close();
      const common = ["--db", file, "--config", config];

      const dry = await cli(["run", "--once", "--dry-run", ...common]);
      expect(dry.code).toBe(0);
      expect(dry.stdout).not.toContain("[steam]");
      const afterDry = createDb({ url: file });
      // A dry run leaves the database as it was: nothing stored, the high-water marks unmoved.
      expect(await listAlerts(afterDry)).toHaveLength(0);
      await afterDry.close();

      const run = await cli(["run", "--once", ...common]);
      expect(run.code).toBe(0);
      // One console line per alert, e.g. "11:55:00 Testville R1 #3 Charlie [steam] 5-1 -> 5-2 ...".
      const lines = run.stdout
        .split("\n")
        .filter((line) => /\[(odds_below|odds_above|overlay|steam|exacta_low)\]/.test(line));
      expect(lines).toHaveLength(5);
      expect(lines.some((line) => line.includes("#3 Charlie [steam]"))).toBe(true);

      const list = await cli(["list", "--limit", "10", ...common]);
      expect(list.code).toBe(0);
      for (const type of ["odds_below", "odds_above", "overlay", "steam", "exacta_low"])
        expect(list.stdout).toContain(type);
      expect(list.stdout).not.toMatch(/│ no\s*│/);
      // At a terminal: fitted to its width, times on the track's clock, named (Testville's is UTC).
      const widest = (text: string) => Math.max(...text.split("\n").map((line) => [...line].length));
      expect(widest(list.stdout)).toBeGreaterThan(100);
      const listed = await cli(["list", "--limit", "10", ...common], 100);
      expect(widest(listed.stdout)).toBeLessThanOrEqual(100);
      expect(listed.stdout).toMatch(
        /│ 2025-06-01 +│ Testville R1 │ #1 Alpha: 5-2 -> 9-5.*\n│ 11:45:00 UTC │ odds_below /,
      );
      const unsent = await cli(["list", "--unsent", ...common]);
      expect(unsent.stdout.trim()).toBe("No alerts.");

      const backtest = await cli(["backtest", "--from", "2025-06-01", "--to", "2025-06-01", ...common]);
      expect(backtest.code).toBe(0);
      expect(backtest.stdout).toContain("Backtest races dated 2025-06-01 .. 2025-06-01");
      expect(backtest.stdout).toContain("5 alert(s) would have fired");
      for (const [type, count] of [
        ["odds_below", 1],
        ["odds_above", 1],
        ["overlay", 1],
        ["steam", 1],
        ["exacta_low", 1],
      ] as const) {
        expect(backtest.stdout).toContain(`${type}: ${count} alert(s)`);
      }
      const fitted = await cli(["backtest", "--from", "2025-06-01", "--to", "2025-06-01", ...common], 100);
      expect(widest(fitted.stdout)).toBeLessThanOrEqual(100);
      expect(fitted.stdout).toContain("steam: 1 alert(s)");
      // Backtest stored nothing.
      const check = createDb({ url: file });
      expect(await listAlerts(check, { limit: 100 })).toHaveLength(5);
      await check.close();
    },
  );

  it("reports bad options by name", { timeout: 60_000 }, async () => {
    const bad = await cli([
      "backtest",
      "--from",
      "yesterday",
      "--to",
      "2025-06-01",
      "--db",
      await freshTestDatabaseUrl("cli-bad"),
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("--from");
    const help = await cli(["--help"]);
    expect(help.stdout).toContain("backtest");
    expect(help.stdout).toContain("list");
  });
});

describe("backtestWindow", () => {
  it("reads two dates as race dates, each race on its own track's calendar", () => {
    expect(backtestWindow("2025-06-01", " 2025-06-02 ")).toEqual({
      raceDates: { from: "2025-06-01", to: "2025-06-02" },
    });
    expect(parseRangeBound("2025-06-01", "to")).toEqual({ kind: "raceDate", date: "2025-06-01" });
  });

  it("reads two ISO instants as themselves", () => {
    expect(backtestWindow("2025-06-01T13:00:00+02:00", "2025-06-01T12:00:00Z")).toEqual({
      from: new Date("2025-06-01T11:00:00.000Z"),
      to: new Date("2025-06-01T12:00:00.000Z"),
    });
  });

  it("names the bound that is wrong: not a date or instant, reversed, or one of each", () => {
    expect(() => backtestWindow("2025-06-01", "2025-06-01T13:00")).toThrow(/--to/);
    expect(() => backtestWindow("2025-06-02", "2025-06-01")).toThrow(
      "--from (2025-06-02) is after --to (2025-06-01)",
    );
    expect(() => backtestWindow("2025-06-01T13:00:00Z", "2025-06-01T12:00:00Z")).toThrow(
      /--from .* is after --to/,
    );
    expect(() => backtestWindow("2025-06-01", "2025-06-01T12:00:00Z")).toThrow(
      /two dates .* or two instants/,
    );
  });
});
