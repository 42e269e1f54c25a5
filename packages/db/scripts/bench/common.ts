/** What the bench's parts share: the race shape, temp files, medians and progress lines. */
import { rmSync } from "node:fs";
import path from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import { freshDatabaseFile } from "../../testing/index.js";

/** Every bench race has twelve runners, "1".."12". */
export const RUNNERS = Array.from({ length: 12 }, (_, i) => String(i + 1));
export const START = Date.UTC(2025, 8, 13, 16, 0);

/** Progress for the person watching; stdout carries only `name: value` lines. */
export const progress = (text: string) => process.stderr.write(`${text}\n`);

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Fresh migrated database files in the OS temp folder, removed by `removeAll`. */
export class TempDatabases {
  private readonly dirs: string[] = [];

  create(label: string): string {
    const file = freshDatabaseFile(`bench-${label}`);
    this.dirs.push(path.dirname(file));
    return file;
  }

  removeAll(): void {
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/** Thrown between steps once the run was asked to stop (Ctrl-C). */
export class BenchStopped extends Error {
  override name = "BenchStopped";
}

/**
 * Stops the run if it was asked to. The bench's steps never wait on I/O, so
 * without this turn of the event loop a Ctrl-C would not reach its handler
 * (cli-kit's stopOnSignals) until the whole run was over.
 */
export async function stopIfAsked(signal: AbortSignal): Promise<void> {
  await nextTurn();
  if (signal.aborted) throw new BenchStopped("stopped before the end; the figures printed so far stand");
}
