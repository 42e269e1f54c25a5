import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runSimulation } from "./run.js";

const simulation = { date: "2025-09-12", tracks: 1, racesPerTrack: 1, runners: 6, seed: 1 };

describe("runSimulation --out", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "totewatch-sim-out-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("writes every message to the file, one JSON line each", async () => {
    const out = path.join(dir, "day.jsonl");
    const summary = await runSimulation({ simulation, db: null, out });
    const lines = readFileSync(out, "utf8").trim().split("\n");
    expect(summary.recorded).toBe(lines.length);
    expect(JSON.parse(lines[0]!)).toMatchObject({ kind: "card", date: "2025-09-12" });
  });

  it("refuses a file in a folder that does not exist, in one line naming it", async () => {
    const out = path.join(dir, "nonexist", "x.jsonl");
    await expect(runSimulation({ simulation, db: null, out })).rejects.toThrow(
      new Error(`simulate: cannot write the feed file ${out}: no such folder ${path.dirname(out)}`),
    );
  });

  it("refuses a folder given as the file", async () => {
    await expect(runSimulation({ simulation, db: null, out: dir })).rejects.toThrow(
      `simulate: cannot write the feed file ${dir}: it is a folder`,
    );
  });

  // /dev/full opens, then every write fails (ENOSPC): the failure comes as a stream 'error' event.
  it.runIf(process.platform === "linux")("reports a write that fails later, in one line", async () => {
    await expect(runSimulation({ simulation, db: null, out: "/dev/full" })).rejects.toThrow(
      "simulate: cannot write the feed file /dev/full: no space left on the device",
    );
  });
});
