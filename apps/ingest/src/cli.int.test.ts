import {
  type TestServer,
  captureStream,
  countRows,
  freshTestDatabaseUrl,
  json,
  startTestServer,
} from "@totewatch/test-utils";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createDb } from "@totewatch/db";
import { afterEach, describe, expect, it } from "vitest";
import { summarize } from "@totewatch/feed";
import { printIngestSummary } from "./cli/progress.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(here, "cli.ts");
const tsx = path.resolve(here, "../../../node_modules/.bin/tsx");
const fixtures = path.resolve(here, "../test-fixtures");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], opts: { onSpawn?: (child: ChildProcess) => void } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(tsx, [cli, ...args], {
      env: { ...process.env, TOTEWATCH_CONFIG: "", DATABASE_URL: "" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += String(chunk);
    });
    opts.onSpawn?.(child);
    child.stderr.on("data", (chunk) => (stderr += String(chunk)));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every line of a non-terminal stdout, parsed: any line that is not JSON fails the test. */
function jsonLines(stdout: string): Array<Record<string, unknown> & { msg: string }> {
  return stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown> & { msg: string });
}

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe("summary table", () => {
  const summary = summarize({ applied: 2, unchanged: 1, invalid: 15, rows: 9 }, 1500, true);
  const capture = (isTTY: boolean) => {
    const out = captureStream({ isTTY });
    printIngestSummary("replay", summary, out.stream);
    return out.text();
  };

  it("is printed for a person at a terminal", () => {
    const table = capture(true);
    expect(table).toMatch(/│ applied\s+│\s+2 │/);
    expect(table).toMatch(/│ invalid\s+│\s+15 │/);
    expect(table).toMatch(/stopped early/);
  });

  it("is left out when stdout is a pipe or file", () => {
    expect(capture(false)).toBe("");
  });
});

describe("ingest CLI", { timeout: 90_000 }, () => {
  it("replay logs invalid messages and the counts as JSON lines, and --strict exits 1", async () => {
    const db = await freshTestDatabaseUrl("cli");
    const run = await runCli(["replay", path.join(fixtures, "invalid-day.jsonl"), "--db", db, "--strict"]);
    expect(run.code).toBe(1);
    // Not a terminal: stdout is JSON lines only (so `| jq` works); the finished line carries the counts.
    const logLines = jsonLines(run.stdout);
    expect(logLines.filter((l) => l.msg.startsWith("invalid message"))).toHaveLength(15);
    expect(logLines.find((l) => l.msg === "replay finished")).toMatchObject({ applied: 2, invalid: 15 });
    const lenient = await runCli(["replay", path.join(fixtures, "invalid-day.jsonl"), "--db", db, "--quiet"]);
    expect(lenient.code).toBe(0);
  });

  it("replay warns about a feed file without messages by name; exit 0, --strict exits 1", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "cli-empty-"));
    const empty = path.join(dir, "empty.jsonl");
    const blank = path.join(dir, "blank.jsonl");
    writeFileSync(empty, "");
    writeFileSync(blank, "\n  \n\n");
    const db = await freshTestDatabaseUrl("cli-empty");
    const run = await runCli(["replay", empty, blank, "--db", db]);
    expect(run.code).toBe(0);
    const warnings = jsonLines(run.stdout).filter((l) => l.level === 40);
    expect(warnings.map((l) => l.msg)).toEqual(
      [empty, blank].map(
        (file) =>
          `${file}: no feed messages in it (empty, blank lines only, or an empty array); nothing replayed from it`,
      ),
    );
    expect(jsonLines(run.stdout).find((l) => l.msg === "replay finished")).toMatchObject({
      messages: 0,
      emptyFiles: 2,
    });
    const strict = await runCli([
      "replay",
      blank,
      path.join(fixtures, "small-day.jsonl"),
      "--db",
      db,
      "--strict",
    ]);
    expect(strict.code).toBe(1);
    expect(jsonLines(strict.stdout).find((l) => l.level === 50)).toMatchObject({
      msg: "--strict: feed files without messages were found",
      emptyFiles: 1,
    });
  });

  it("simulate --out with --no-db writes a file replay can read", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "cli-sim-"));
    const out = path.join(dir, "day.jsonl");
    const sim = await runCli([
      "simulate",
      "--date",
      "2025-09-12",
      "--races",
      "2",
      "--runners",
      "5-7",
      "--seed",
      "3",
      "--no-db",
      "--out",
      out,
    ]);
    expect(sim.code).toBe(0);
    const simulated = jsonLines(sim.stdout).find((l) => l.msg === "simulate finished");
    expect(simulated?.recorded).toBeGreaterThan(0);
    const db = await freshTestDatabaseUrl("cli-sim");
    const replay = await runCli(["replay", dir, "--db", db, "--quiet", "--strict"]);
    expect(replay.code).toBe(0);
    const handle = createDb({ url: db });
    expect((await countRows(handle)).race).toBe(2);
    await handle.close();
    const bad = await runCli(["simulate", "--no-db"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--no-db needs --out/);
  });

  it("poll exits 0 on SIGTERM", async () => {
    server = await startTestServer();
    const dir = mkdtempSync(path.join(os.tmpdir(), "cli-poll-"));
    const configFile = path.join(dir, "totewatch.yaml");
    writeFileSync(
      configFile,
      [
        "tracks:",
        "  - name: Test Downs",
        "    timezone: America/Chicago",
        "    pools: [win]",
        "    endpoints:",
        `      card: ${server.url}/card/{date}`,
        `      win: ${server.url}/win/{date}/{race}`,
        "http:",
        "  minHostDelayMs: 0",
      ].join("\n"),
    );
    const post = new Date(Date.now() + 3 * 3600_000).toISOString();
    server.routes.set(
      "/card/2030-01-02",
      json({
        kind: "card",
        track: "Test Downs",
        date: "2030-01-02",
        race: 1,
        post_time: post,
        entries: [{ program_number: "1", horse: "A" }],
      }),
    );
    let child: ChildProcess | null = null;
    const win = json({
      kind: "win",
      track: "Test Downs",
      date: "2030-01-02",
      race: 1,
      fetched_at: new Date().toISOString(),
      horses: [{ program_number: "1", win_odds: 2 }],
    });
    server.routes.set("/win/2030-01-02/1", (req, res) => {
      win(req, res);
      // The next poll is 5 minutes away: stop the daemon while it waits.
      setTimeout(() => child?.kill("SIGTERM"), 300);
    });
    const db = await freshTestDatabaseUrl("cli-poll");
    const run = await runCli(["poll", "--config", configFile, "--db", db, "--date", "2030-01-02"], {
      onSpawn: (spawned) => {
        child = spawned;
      },
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(jsonLines(run.stdout).find((l) => l.msg === "poll finished")).toMatchObject({
      applied: 2,
      interrupted: true,
    });
  });
});
