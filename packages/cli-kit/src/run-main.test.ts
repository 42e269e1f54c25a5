import { once } from "node:events";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runIfEntryPoint } from "./run-main.js";

describe("runIfEntryPoint", () => {
  const argv = [...process.argv];
  let script: string;
  let url: string;
  let stderr: string[];
  const listeners = () => process.listenerCount("SIGINT") + process.listenerCount("SIGTERM");

  beforeEach(() => {
    script = path.join(mkdtempSync(path.join(os.tmpdir(), "totewatch-main-")), "cli.ts");
    writeFileSync(script, "");
    url = pathToFileURL(script).href;
    stderr = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    process.argv.splice(0, process.argv.length, ...argv);
    process.exitCode = undefined;
  });

  it("does nothing when the module is only imported", () => {
    process.argv.splice(1, process.argv.length - 1, path.join(path.dirname(script), "other.ts"));
    const main = vi.fn(async () => 0);
    expect(runIfEntryPoint(url, "cli", main)).toBeNull();
    expect(main).not.toHaveBeenCalled();
  });

  it("runs main with the user's arguments, sets the exit code and removes its signal handlers", async () => {
    process.argv.splice(1, process.argv.length - 1, script, "--", "replay", "--db", "x.db");
    const before = listeners();
    let seen: { args: string[]; aborted: boolean; handlers: number } | undefined;
    const done = runIfEntryPoint(url, "cli", async (args, signal) => {
      seen = { args, aborted: signal.aborted, handlers: listeners() };
      return 3;
    });
    await done;
    expect(seen).toEqual({ args: ["replay", "--db", "x.db"], aborted: false, handlers: before + 2 });
    expect(process.exitCode).toBe(3);
    expect(listeners()).toBe(before);
    expect(stderr).toEqual([]);
  });

  it("turns SIGTERM into the stop signal and says so", async () => {
    process.argv.splice(1, process.argv.length - 1, script);
    const done = runIfEntryPoint(url, "ingest", async (_args, signal) => {
      process.kill(process.pid, "SIGTERM");
      await once(signal, "abort");
      return 0;
    });
    await done;
    expect(stderr).toEqual(["ingest: SIGTERM received, finishing the current step\n"]);
    expect(process.exitCode).toBe(0);
  });

  it("prints a failure with its stack and exits 1, also when main throws before any await", async () => {
    process.argv.splice(1, process.argv.length - 1, script);
    await runIfEntryPoint(url, "alerts", async () => {
      throw new Error("database is locked");
    });
    expect(process.exitCode).toBe(1);
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(/^alerts: Error: database is locked\n {4}at /);

    stderr.length = 0;
    process.exitCode = undefined;
    const before = listeners();
    await runIfEntryPoint(url, "alerts", () => {
      throw "not an Error";
    });
    expect(stderr).toEqual(["alerts: not an Error\n"]);
    expect(process.exitCode).toBe(1);
    expect(listeners()).toBe(before);
  });
});
