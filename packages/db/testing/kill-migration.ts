/**
 * Killing a migrating process on purpose, for packages/db's crash tests
 * (migrate-kill.int.test.ts, compact-storage.int.test.ts): the migration
 * runs in its own OS process (scripts/migrate-worker.ts) and is sent
 * SIGKILL a chosen time after it starts writing.
 */
import { spawn } from "node:child_process";
import { statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";

const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm")).href;
const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "scripts", "migrate-worker.ts");

// One call, not exists-then-stat: the worker may remove its -wal or -journal in between.
const sizeOf = (file: string) => statSync(file, { throwIfNoEntry: false })?.size ?? 0;

/** The worker migrating `file` with `folder`'s migrations, as its own OS process. */
const startWorker = (file: string, folder: string, stdio: "ignore" | "pipe") =>
  spawn(process.execPath, ["--import", tsxLoader, worker, file, folder], { stdio });

/** Runs the worker to its end; resolves with its exit code. */
export function migrateInChild(file: string, folder: string): Promise<number | null> {
  const child = startWorker(file, folder, "ignore");
  return new Promise((resolve) => child.on("exit", (code) => resolve(code)));
}

/**
 * Starts the worker on `file` and SIGKILLs it `delayMs` after it starts writing (its journal or
 * WAL grows); resolves with whether it was killed before finishing.
 */
export async function killWhileMigrating(file: string, folder: string, delayMs: number): Promise<boolean> {
  const child = startWorker(file, folder, "pipe");
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += String(chunk)));
  child.stderr?.on("data", (chunk: Buffer) => (output += String(chunk)));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  let running = true;
  void exited.then(() => (running = false));
  const walAtStart = sizeOf(`${file}-wal`);
  while (running && sizeOf(`${file}-journal`) === 0 && sizeOf(`${file}-wal`) <= walAtStart) await sleep(2);
  if (running) await sleep(delayMs);
  const killed = running && child.kill("SIGKILL");
  const code = await exited;
  if (!killed && code !== 0) throw new Error(`worker failed (exit ${code}): ${output}`);
  return killed;
}
