/** What the dashboard bench's parts share: progress lines, percentiles, stopping on Ctrl-C. */
import { setImmediate as nextTurn } from "node:timers/promises";

/** Progress for the person watching; stdout carries only `name: value` lines. */
export const progress = (text: string) => process.stderr.write(`${text}\n`);

/** Nearest-rank percentile of ascending `sorted` (NaN when empty). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export const ascending = (values: readonly number[]) => [...values].sort((a, b) => a - b);

/** Thrown between steps once the run was asked to stop (Ctrl-C). */
export class BenchStopped extends Error {
  override name = "BenchStopped";
}

/**
 * Stops the run if it was asked to. The fill never waits on I/O, so without
 * this turn of the event loop a Ctrl-C would not reach cli-kit's handler
 * until the whole fill was over.
 */
export async function stopIfAsked(signal: AbortSignal): Promise<void> {
  await nextTurn();
  if (signal.aborted) throw new BenchStopped("stopped before the end; the figures printed so far stand");
}

/** "10m", "1.5m", "200k", "999": how a row count names a figure (latest_odds_ms_1m in the db bench). */
export function countLabel(count: number): string {
  if (count >= 1_000_000) return `${Number((count / 1_000_000).toFixed(2))}m`;
  if (count >= 1_000) return `${Number((count / 1_000).toFixed(1))}k`;
  return String(count);
}
