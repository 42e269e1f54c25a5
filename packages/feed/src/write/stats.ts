/**
 * What a run of the write path counts (messages applied, unchanged, invalid;
 * rows written) and where it reports progress. How progress is shown to a
 * person is the CLI's business (cli-kit's createProgressDisplay).
 */

export interface IngestStats {
  applied: number;
  unchanged: number;
  invalid: number;
  /** Rows inserted or updated. */
  rows: number;
}

export function emptyStats(): IngestStats {
  return { applied: 0, unchanged: 0, invalid: 0, rows: 0 };
}

export function addStats(into: IngestStats, from: IngestStats): void {
  into.applied += from.applied;
  into.unchanged += from.unchanged;
  into.invalid += from.invalid;
  into.rows += from.rows;
}

/** Every message seen, whatever became of it. */
export function countMessages(stats: IngestStats): number {
  return stats.applied + stats.unchanged + stats.invalid;
}

export interface IngestSummary extends IngestStats {
  messages: number;
  elapsedMs: number;
  messagesPerSecond: number;
  /** True when the run was stopped before its input ended. */
  interrupted: boolean;
  /** Messages written to a feed file (simulate --out). */
  recorded?: number;
  /** Input files that held no message at all (replay); absent when none. */
  emptyFiles?: number;
}

export function summarize(stats: IngestStats, elapsedMs: number, interrupted = false): IngestSummary {
  const messages = countMessages(stats);
  return {
    ...stats,
    messages,
    elapsedMs,
    messagesPerSecond: elapsedMs > 0 ? (messages * 1000) / elapsedMs : 0,
    interrupted,
  };
}

/** Called after every message; must be cheap, so it only looks at the clock. */
export interface ProgressSink {
  update(stats: IngestStats): void;
  finish(): void;
}

export const silentProgress: ProgressSink = { update() {}, finish() {} };
