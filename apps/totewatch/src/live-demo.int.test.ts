// `totewatch demo --live` for real: the bin as a process, its parts as its children, its files in
// a scratch folder (--data-dir). Children are found with `ps` while it runs, so the test can
// check afterwards that none of them is left.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../bin/totewatch.js");
const DASHBOARD_LINE = /^Totewatch dashboard: (http:\/\/127\.0\.0\.1:\d+\/)$/m;

interface LiveRun {
  dataDir: string;
  stdout(): string;
  stderr(): string;
  /** Every child of the process seen so far (the parts, the db reset, tsx's esbuild): pid -> command line. */
  children: Map<number, string>;
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** To the whole process group it leads (it is started in a group of its own). */
  killGroup(signal: NodeJS.Signals): void;
}

function startLiveDemo(args: string[]): LiveRun {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "totewatch-live-int-"));
  const child = spawn(process.execPath, [bin, "demo", "--live", "--data-dir", dataDir, ...args], {
    cwd: dataDir,
    detached: true,
    env: { ...process.env, TOTEWATCH_CONFIG: "", DATABASE_URL: "", INIT_CWD: "" },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += String(chunk)));
  child.stderr.on("data", (chunk) => (stderr += String(chunk)));
  const children = new Map<number, string>();
  let running = true;
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => {
      running = false;
      resolve({ code, signal });
    }),
  );
  // Each child's command line as last seen running (a zombie's is "<defunct>"; a snapshot just after
  // the fork shows the parent's until the exec).
  void (async () => {
    while (running) {
      for (const [pid, { stat, args }] of childrenOf(child.pid!))
        if (!stat.startsWith("Z")) children.set(pid, args);
      await sleep(200);
    }
  })();
  return {
    dataDir,
    stdout: () => stdout,
    stderr: () => stderr,
    children,
    closed,
    killGroup: (signal) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // The group is gone already.
      }
    },
  };
}

/** The processes whose parent is `parent`, with their state and command line (ps: Linux and macOS). */
function childrenOf(parent: number): Map<number, { stat: string; args: string }> {
  const found = new Map<number, { stat: string; args: string }>();
  let table = "";
  try {
    table = execFileSync("ps", ["-A", "-o", "pid=,ppid=,stat=,args="], { encoding: "utf8" });
  } catch {
    return found;
  }
  for (const line of table.split("\n")) {
    const match = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line);
    if (match && Number(match[2]) === parent)
      found.set(Number(match[1]), { stat: match[3]!, args: match[4]! });
  }
  return found;
}

/**
 * The parts seen (children run as `node --import tsx ...`) that still run: alive, not a zombie
 * (exited; whoever inherited it reaps it), and still the same program (pids are reused, and soon
 * where pid_max is small). Not the esbuild service tsx starts in the totewatch process itself: it
 * is no part, and ends on its own a moment after that process.
 */
function leftBehind(live: LiveRun): { pid: number; args: string }[] {
  return [...live.children].flatMap(([pid, args]) => {
    if (!args.includes(" --import ")) return [];
    let now: string;
    try {
      now = execFileSync("ps", ["-o", "stat=,args=", "-p", String(pid)], { encoding: "utf8" }).trim();
    } catch {
      return []; // ps exits 1 when there is no such process
    }
    return now.startsWith("Z") || !now.endsWith(args) ? [] : [{ pid, args: now }];
  });
}

async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined> | T | undefined,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

/** The part of each kind among the children seen, by its command line. */
const PARTS = {
  tote: / serve-sample /,
  poller: /ingest\/src\/cli\.ts poll /,
  alerts: /alerts\/src\/cli\.ts run /,
  dashboard: /dashboard\/src\/cli\.ts /,
};

describe("totewatch demo --live", { timeout: 180_000 }, () => {
  it("records boards the dashboard shows; SIGINT stops every part, exit 0, none left", async () => {
    // --first-post 1: the sample's first board comes 60 simulated minutes before the first post,
    // which it puts on a whole minute, so at 60x it is up within a minute of the start.
    const live = startLiveDemo("--port 0 --speed 60 --tracks 1 --races 1 --first-post 1".split(" "));
    try {
      const url = await until(
        "the dashboard's address",
        60_000,
        () => DASHBOARD_LINE.exec(live.stdout())?.[1],
      );
      expect(live.stdout()).toMatch(/^Totewatch live demo: /);
      expect(live.stdout()).toMatch(/^Ctrl-C stops everything\.$/m);
      const race = await until("a race with a board", 90_000, async () => {
        const response = await fetch(new URL("api/races", url)).catch(() => undefined);
        if (!response?.ok) return undefined;
        const day = (await response.json()) as { races: { lastBoardAt: string | null }[] };
        return day.races.find((r) => r.lastBoardAt !== null);
      });
      expect(race.lastBoardAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      for (const [part, pattern] of Object.entries(PARTS))
        expect(
          [...live.children.values()].some((args) => pattern.test(args)),
          part,
        ).toBe(true);
      // The parts other than the sample read its config plus warn-level logs.
      expect(readFileSync(path.join(live.dataDir, "live-demo.yaml"), "utf8")).toMatch(
        /^log:\n {2}level: warn/m,
      );
      // To its process group, as a terminal's Ctrl-C: every part gets it directly and passed on.
      live.killGroup("SIGINT");
      const { code, signal } = await live.closed;
      expect(live.stderr()).not.toMatch(/totewatch demo --live:/);
      expect(signal).toBe(null);
      expect(code).toBe(0);
      expect(live.stdout()).toMatch(/^Everything stopped\. /m);
      expect(leftBehind(live)).toEqual([]);
    } finally {
      live.killGroup("SIGKILL");
      for (const { pid } of leftBehind(live)) process.kill(pid, "SIGKILL");
    }
  });

  it("a part failing stops the others and exits with its code, naming it; none left", async () => {
    // The dashboard's port taken: it refuses to start, and the demo must not run on without it.
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const live = startLiveDemo(["--port", String(port), "--tracks", "1", "--races", "1"]);
    try {
      const { code } = await live.closed;
      const failed = /the dashboard failed \(exit (\d+)\); stopping the rest/.exec(live.stderr());
      expect(failed, live.stderr()).not.toBe(null);
      expect(code).toBe(Number(failed![1]));
      expect(code).not.toBe(0);
      expect([...live.children.values()].some((args) => PARTS.tote.test(args))).toBe(true);
      expect(leftBehind(live)).toEqual([]);
    } finally {
      blocker.close();
      live.killGroup("SIGKILL");
      for (const { pid } of leftBehind(live)) process.kill(pid, "SIGKILL");
    }
  });
});
