import {
  countRows,
  freshTestDatabaseUrl,
  runProcess,
  testEngine,
  type ProcessRunOptions,
} from "@totewatch/test-utils";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createDb } from "@totewatch/db";
import { afterEach, describe, expect, it } from "vitest";
import {
  buildSampleDay,
  sampleConfigYaml,
  SAMPLE_CONFIG_HEADER,
  startSampleServer,
  type SampleDay,
  type SampleServer,
} from "../sample-tote.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.resolve(here, "../cli.ts");
const tsx = path.resolve(here, "../../../../node_modules/.bin/tsx");
const MINUTE = 60_000;

/** The ingest CLI as a real child process (in this app's folder: tsx reads its tsconfig). */
const runCli = (args: string[], opts: Omit<ProcessRunOptions, "cwd"> = {}) =>
  runProcess(tsx, [cli, ...args], { ...opts, cwd: path.resolve(here, "../..") });

function jsonLines(stdout: string): Array<Record<string, unknown> & { msg: string }> {
  return stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown> & { msg: string });
}

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

interface WinBoard {
  kind: "win";
  fetched_at: string;
  horses: Array<{ program_number: string; win_odds: unknown }>;
}

const START = Date.parse("2025-09-12T15:00:00Z"); // 11:00 in New York
let server: SampleServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** A sample server on a free port whose clock the test sets. */
async function sampleServer(day: SampleDay) {
  const clock = { at: START, now: () => clock.at };
  server = await startSampleServer({ day, port: 0, clock });
  return { clock, url: server.url };
}

// What opens no database runs once, in the SQLite project; the poll runs on both engines.
const engineFree = testEngine() === "postgres" ? describe.skip : describe;

engineFree("sample tote server", () => {
  const day = buildSampleDay({
    start: START,
    tracks: 2,
    racesPerTrack: 3,
    seed: 5,
    speed: 1,
    firstPostInMinutes: 20,
  });
  const bel = day.tracks[0]!;

  it("lays the day onto the clock: first post 20 minutes from the start, each track in its own zone", () => {
    expect(day.tracks.map((t) => [t.code, t.timezone, t.date, t.races])).toEqual([
      ["BEL", "America/New_York", "2025-09-12", 3],
      ["SA", "America/Los_Angeles", "2025-09-12", 3],
    ]);
    expect(bel.firstPost).toBe(START + 20 * MINUTE);
    expect(day.tracks[1]!.firstPost).toBe(START + 30 * MINUTE);
  });

  it("serves the card, and win boards whose odds move with the clock", async () => {
    const { clock, url } = await sampleServer(day);
    const card = await getJson(`${url}/BEL/${bel.date}/card`);
    expect(card.status).toBe(200);
    expect(card.body).toMatchObject([
      { kind: "card", track: "Belmont Park", race: 1, date: bel.date },
      { kind: "card", race: 2 },
      { kind: "card", race: 3 },
    ]);

    clock.at = bel.firstPost - 15 * MINUTE;
    const early = (await getJson(`${url}/BEL/${bel.date}/1/win`)).body as WinBoard;
    clock.at = bel.firstPost - 1 * MINUTE;
    const late = (await getJson(`${url}/BEL/${bel.date}/1/win`)).body as WinBoard;
    expect(early.kind).toBe("win");
    expect(Date.parse(early.fetched_at)).toBeLessThanOrEqual(bel.firstPost - 15 * MINUTE);
    expect(Date.parse(late.fetched_at)).toBeGreaterThan(bel.firstPost - 15 * MINUTE);
    const odds = (board: WinBoard) => board.horses.map((h) => [h.program_number, h.win_odds]);
    expect(odds(late)).not.toEqual(odds(early));
  });

  it("shows no status before post, then off, then official; unknown paths are 404", async () => {
    const { clock, url } = await sampleServer(day);
    const status = async () => (await getJson(`${url}/BEL/${bel.date}/1/status`)).body;
    expect(await status()).toEqual([]);
    clock.at = bel.firstPost + 1000;
    expect(await status()).toMatchObject({ kind: "status", status: "off" });
    clock.at = bel.firstPost + 10 * MINUTE;
    expect(await status()).toMatchObject({ kind: "status", status: "official" });
    expect((await getJson(`${url}/BEL/${bel.date}/4/win`)).status).toBe(404);
    expect((await getJson(`${url}/XYZ/${bel.date}/card`)).status).toBe(404);
    expect((await getJson(`${url}/BEL/2000-01-01/card`)).status).toBe(404);
  });

  it("runs a faster day with --speed: posts 30/N minutes apart on the wall clock", async () => {
    const fast = buildSampleDay({
      start: START,
      tracks: 1,
      racesPerTrack: 3,
      seed: 5,
      speed: 10,
      firstPostInMinutes: 20,
    });
    const { url } = await sampleServer(fast);
    const cards = (await getJson(`${url}/BEL/${fast.tracks[0]!.date}/card`)).body as Array<{
      post_time: string;
    }>;
    expect(cards.map((c) => Date.parse(c.post_time) - START)).toEqual([20, 23, 26].map((m) => m * MINUTE));
  });

  it("keeps a late start's races on the track's local day", () => {
    // 23:00 in New York: the first post is 23:20, and only race 1 fits before midnight.
    const late = buildSampleDay({
      start: Date.parse("2025-09-13T03:00:00Z"),
      tracks: 1,
      racesPerTrack: 8,
      seed: 1,
      speed: 1,
      firstPostInMinutes: 20,
    });
    expect(late.tracks[0]).toMatchObject({ date: "2025-09-12", races: 2, shortened: true });
  });
});

describe("ingest poll against the sample tote", { timeout: 90_000 }, () => {
  it("records the served day into a real database (on the engine under test) with --date", async () => {
    // A day at 10x that started 25 minutes ago: both races went off minutes ago (inside the
    // poller's window after post) and are official by now, so poll --date polls each once
    // and exits on its own. Every instant served is in the past, on the real clock.
    const day = buildSampleDay({
      start: Date.now() - 25 * MINUTE,
      tracks: 1,
      racesPerTrack: 2,
      seed: 3,
      speed: 10,
      firstPostInMinutes: 20,
    });
    server = await startSampleServer({ day, port: 0 });
    const { url } = server;
    const dir = mkdtempSync(path.join(os.tmpdir(), "sample-poll-"));
    const configFile = path.join(dir, "totewatch.yaml");
    writeFileSync(configFile, sampleConfigYaml(day, url, 1));
    const db = await freshTestDatabaseUrl("sample-poll");
    const run = await runCli([
      "poll",
      "--config",
      configFile,
      "--db",
      db,
      "--date",
      day.tracks[0]!.date,
      "--quiet",
    ]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const handle = createDb({ url: db });
    const counts = await countRows(handle);
    await handle.close();
    // Both races, unless the second would start after Belmont's local midnight on the real clock
    // (late in a New York evening): then the day served has one (buildSampleDay shortens it).
    expect(counts.race).toBe(day.tracks[0]!.races);
    expect(day.tracks[0]!.races).toBe(day.tracks[0]!.shortened ? 1 : 2);
    expect(counts.odds_snapshot).toBeGreaterThan(0);
    expect(counts.exacta_probable).toBeGreaterThan(0);
  });
});

engineFree("ingest serve-sample", { timeout: 90_000 }, () => {
  it("writes a config that polls it, serves until SIGTERM and exits 0", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "serve-sample-"));
    const configFile = path.join(dir, "sample.yaml");
    let served: { status: number; body: unknown } | null = null;
    const run = await runCli(
      ["serve-sample", "--port", "0", "--tracks", "1", "--races", "2", "--write-config", configFile],
      {
        onStdout: (text, child) => {
          const ready = text.split("\n").find((line) => line.includes("sample tote on"));
          if (!ready || served) return;
          served = { status: 0, body: null };
          const { url } = JSON.parse(ready) as { url: string };
          void getJson(`${url}/`).then((answer) => {
            served = answer;
            child.kill("SIGTERM");
          });
        },
      },
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = jsonLines(run.stdout);
    const track = lines.find((l) => l.msg.startsWith("Belmont Park (BEL)"));
    expect(track).toBeDefined();
    // Two races 30 minutes apart from the real clock, unless the second would start after
    // Belmont's local midnight: then the server keeps one and says so (late in a New York evening).
    const races = track!.msg.includes("(fewer races: the rest would run past local midnight)") ? 1 : 2;
    expect(served).toMatchObject({ status: 200, body: { tracks: [{ code: "BEL", races }] } });
    expect(lines.some((l) => l.msg === "GET / 200")).toBe(true);
    expect(lines.at(-1)?.msg).toBe("sample tote stopped");
    const config = readFileSync(configFile, "utf8");
    expect(config.startsWith(SAMPLE_CONFIG_HEADER)).toBe(true);
    expect(config).toMatch(/card: http:\/\/127\.0\.0\.1:\d+\/\{code\}\/\{date\}\/card/);
  });

  it("refuses, in one line and with exit 2, to overwrite a file it did not write, and bad options", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "serve-sample-"));
    const mine = path.join(dir, "totewatch.yaml");
    writeFileSync(mine, "log:\n  level: info\n");
    const refused = await runCli(["serve-sample", "--port", "0", "--write-config", mine]);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
    expect(refused.stderr).toMatch(/exists and was not written by serve-sample/);
    expect(readFileSync(mine, "utf8")).toBe("log:\n  level: info\n");

    const tooMany = await runCli([
      "serve-sample",
      "--tracks",
      "99",
      "--write-config",
      path.join(dir, "x.yaml"),
    ]);
    expect(tooMany.code).toBe(2);
    expect(tooMany.stderr).toMatch(/--tracks must be from 1 to \d+/);
    expect(existsSync(path.join(dir, "x.yaml"))).toBe(false);
  });
});
