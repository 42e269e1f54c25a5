/**
 * `totewatch demo --live`, the run: resets the database, starts the sample
 * tote, waits for the config it writes, writes the demo's own config beside
 * it, starts the poller, the alerts daemon and the dashboard, then supervises
 * them all until Ctrl-C (the plan is live-demo.ts).
 *
 * Invariants:
 * - The run ends for exactly one reason, the first of: a stop signal, a part
 *   ending on its own, or a setup step failing. Nothing starts after that
 *   (every start checks `halt`), and it returns only once every child it
 *   started has exited, so it leaves no process behind.
 * - Signals: SIGINT and SIGTERM are passed on to every live child each time
 *   (a terminal's Ctrl-C reaches them directly too; each counts repeats within
 *   a second as one keypress, cli-kit's stopOnSignals, so that is safe). The
 *   first stops the run (exit 0 once all are down, a part killed by a signal
 *   passed on counting as down); another more than a second later exits at
 *   once with 130, as every command does. SIGHUP stops it too (SIGTERM passed on).
 * - A part that ends on its own stops the rest with SIGTERM, and the run exits
 *   with that part's code (1 if it was 0: a daemon that stops has failed the demo).
 * - A part still running `graceMs` after the stop is killed (SIGKILL).
 * - Files: a config file it did not write (no header) is never overwritten.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { EXIT, stopOnSignals } from "@totewatch/cli-kit";
import { Children, type ChildEnd, type SpawnFn, type Started } from "./children.js";
import {
  LIVE_CONFIG_HEADER,
  liveConfigYaml,
  liveDemoFiles,
  liveDemoIntro,
  liveDemoPlan,
  shownPath,
  TOTE_CONFIG_HEADER,
  type LiveDemoOptions,
  type LiveDemoPlan,
  type LivePart,
} from "./live-demo.js";

export interface LiveRunIo {
  stdout: Pick<NodeJS.WritableStream, "write">;
  stderr: Pick<NodeJS.WritableStream, "write">;
  /** The user's folder: paths are shown relative to it. */
  cwd: string;
  spawn?: SpawnFn;
  /** How a second stop signal ends the process; default process.exit. */
  exit?: (code: number) => void;
  /** How long serve-sample may take to write its config; default 30 s. */
  configTimeoutMs?: number;
  /** How long the parts may take to stop before they are killed; default 20 s. */
  graceMs?: number;
  /** Tests: the plan instead of liveDemoPlan(options). */
  plan?: LiveDemoPlan;
}

type Ending =
  | { kind: "signal" }
  | { kind: "part"; part: Started; code: number; error?: Error }
  | { kind: "setup"; code: number; message: string };

const PREFIX = "totewatch demo --live";

/** Runs the live demo until it is stopped; resolves with the exit code. */
export async function runLiveDemo(options: LiveDemoOptions, io: LiveRunIo): Promise<number> {
  const files = liveDemoFiles(options.dataDir);
  const shown = (file: string) => shownPath(file, io.cwd);
  const say = (line: string) => io.stderr.write(`${PREFIX}: ${line}\n`);
  for (const [file, header] of [
    [files.toteConfig, TOTE_CONFIG_HEADER],
    [files.config, LIVE_CONFIG_HEADER],
  ] as const) {
    if (writtenBy(file, header)) continue;
    say(`${shown(file)} exists and was not written by it: move it, or choose another --data-dir`);
    return EXIT.usage;
  }
  let plan: LiveDemoPlan;
  try {
    plan = io.plan ?? liveDemoPlan(options);
  } catch (error) {
    say(`cannot run: ${(error as Error).message}`);
    return EXIT.failed;
  }
  io.stdout.write(liveDemoIntro(options, io.cwd));

  const children = new Children(io.spawn);
  const started: Started[] = [];
  const halt = new AbortController();
  let endWith!: (ending: Ending) => void;
  const ended = new Promise<Ending>((resolve) => (endWith = resolve));
  const end = (ending: Ending) => {
    if (halt.signal.aborted) return;
    halt.abort();
    endWith(ending);
  };

  // Registered before stopOnSignals: on a second signal the children hear it before we exit.
  const forwardInt = () => children.signal("SIGINT");
  const forwardTerm = () => children.signal("SIGTERM");
  const hangUp = () => {
    children.signal("SIGTERM");
    end({ kind: "signal" });
  };
  process.on("SIGINT", forwardInt);
  process.on("SIGTERM", forwardTerm);
  process.on("SIGHUP", hangUp);
  const stop = stopOnSignals({ exit: io.exit });
  stop.signal.addEventListener("abort", () => end({ kind: "signal" }), { once: true });

  /** Starts a long-running part; its ending on its own ends the run. */
  const startPart = (part: LivePart): Started | undefined => {
    if (halt.signal.aborted) return undefined;
    const running = children.start(part.name, part.launch, { hideStdout: part.hideStdout });
    started.push(running);
    void running.exited.then(({ code, error }) => end({ kind: "part", part: running, code, error }));
    return running;
  };

  const setup = async (): Promise<Ending | undefined> => {
    const reset = children.start("the database reset", plan.reset, { capture: true });
    started.push(reset);
    const { code, error } = await reset.exited;
    if (halt.signal.aborted) return undefined;
    if (code !== EXIT.ok) {
      io.stderr.write(reset.output());
      const why = error ? error.message : `exit ${code}`;
      return {
        kind: "setup",
        code: code || EXIT.failed,
        message: `resetting ${shown(files.db)} failed (${why})`,
      };
    }
    // Gone first, so the file that appears is this run's (serve-sample wrote any earlier one).
    rmSync(files.toteConfig, { force: true });
    if (!startPart(plan.tote)) return undefined;
    const toteYaml = await waitForConfig(files.toteConfig, halt.signal, io.configTimeoutMs ?? 30_000);
    if (toteYaml === undefined) return undefined;
    if (toteYaml === null) {
      const seconds = (io.configTimeoutMs ?? 30_000) / 1000;
      const message = `the sample tote did not write ${shown(files.toteConfig)} within ${seconds} s`;
      return { kind: "setup", code: EXIT.failed, message };
    }
    try {
      writeFileSync(files.config, liveConfigYaml(toteYaml));
    } catch (error) {
      const message = `cannot write ${shown(files.config)}: ${(error as Error).message}`;
      return { kind: "setup", code: EXIT.failed, message };
    }
    for (const part of plan.watchers) startPart(part);
    return undefined;
  };

  try {
    const setupEnding = setup().catch((error: Error): Ending => ({
      kind: "setup",
      code: EXIT.failed,
      message: error.message,
    }));
    const failed = await Promise.race([setupEnding, ended.then(() => undefined)]);
    if (failed) end(failed);
    const ending = await ended;
    const code = announce(ending, say);
    // A signal reached every child already; anything else, tell the rest to stop.
    if (ending.kind !== "signal") children.signal("SIGTERM");
    const killer = setTimeout(() => {
      say(`${children.names().join(", ")} did not stop within ${(io.graceMs ?? 20_000) / 1000} s: killing`);
      children.signal("SIGKILL");
    }, io.graceMs ?? 20_000);
    const ends = await Promise.all(started.map((s) => s.exited));
    clearTimeout(killer);
    if (ending.kind !== "signal") return code;
    // Stopped on request: each part should have stopped cleanly too.
    const index = ends.findIndex((e) => !stoppedCleanly(e));
    if (index >= 0) {
      const { code, signal } = ends[index]!;
      say(`${started[index]!.name} exited with code ${code}${signal ? ` (${signal})` : ""} while stopping`);
      return code;
    }
    io.stdout.write(
      `Everything stopped. The day stays in ${shown(files.db)}: ` +
        `totewatch alerts list --db ${shown(files.db)}\n`,
    );
    return EXIT.ok;
  } finally {
    process.off("SIGINT", forwardInt);
    process.off("SIGTERM", forwardTerm);
    process.off("SIGHUP", hangUp);
    stop.dispose();
  }
}

/** Says why the run ended (nothing for a stop signal); returns the exit code it implies. */
function announce(ending: Ending, say: (line: string) => void): number {
  switch (ending.kind) {
    case "signal":
      return EXIT.ok;
    case "setup":
      say(`${ending.message}; stopping`);
      return ending.code;
    case "part": {
      const what = ending.part.name;
      if (ending.error) say(`cannot start ${what}: ${ending.error.message}; stopping the rest`);
      else if (ending.code === EXIT.ok) say(`${what} stopped on its own; stopping the rest`);
      else say(`${what} failed (exit ${ending.code}); stopping the rest`);
      return ending.code || EXIT.failed;
    }
  }
}

/**
 * Exit 0, or killed by a signal passed on to it. A Ctrl-C reaches a part twice, from the terminal
 * and through here; when the part has already finished, cli-kit has removed its handlers and the
 * later copy ends it the default way (killed by SIGINT) — done all the same, not a failure.
 */
function stoppedCleanly(end: ChildEnd): boolean {
  return end.code === EXIT.ok || end.signal === "SIGINT" || end.signal === "SIGTERM";
}

/** Whether `file` is absent or begins with `header` (so it may be rewritten). */
function writtenBy(file: string, header: string): boolean {
  if (!existsSync(file)) return true;
  try {
    return readFileSync(file, "utf8").startsWith(header);
  } catch {
    return false;
  }
}

/**
 * The config serve-sample writes to `file`, once it is there whole: its header, ending in a
 * newline. Null after `timeoutMs`; undefined when `halt` aborts first.
 */
async function waitForConfig(
  file: string,
  halt: AbortSignal,
  timeoutMs: number,
): Promise<string | null | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (!halt.aborted) {
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      // Not written yet.
    }
    if (text.startsWith(TOTE_CONFIG_HEADER) && text.endsWith("\n")) return text;
    if (Date.now() >= deadline) return null;
    try {
      await sleep(100, undefined, { signal: halt });
    } catch {
      return undefined;
    }
  }
  return undefined;
}
