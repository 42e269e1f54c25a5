/**
 * A race's win boards rebuilt from stored rows, for the win rules (history
 * windows) and the cross-pool rules (the latest board at an instant). Pure:
 * the rows come in as values.
 */
import type { EvaluationRace, WinOddsRow } from "@totewatch/db";
import { lastListingIn, type RunnerOdds, type WinSnapshot } from "../rules/index.js";

const MS_PER_MINUTE = 60_000;

/**
 * A race's win boards, oldest first, built from stored rows. A board lists the
 * runners that have a row at that instant (a scratched runner has none), so
 * it reads the same whenever it is evaluated.
 */
export class RaceHistory {
  readonly snapshots: WinSnapshot[];
  private readonly indexByTime = new Map<number, number>();

  constructor(race: Pick<EvaluationRace, "entries">, rows: readonly WinOddsRow[]) {
    const byTime = new Map<number, WinSnapshot>();
    // Callers read overlapping ranges (a window, the board before it, the last board before the off).
    const seen = new Set<number>();
    for (const row of rows) {
      const entry = race.entries.get(row.entryId);
      if (entry === undefined || !(row.winOdds > 0) || seen.has(row.snapshotId)) continue;
      seen.add(row.snapshotId);
      const at = row.fetchedAt.getTime();
      let snapshot = byTime.get(at);
      if (!snapshot) {
        snapshot = { fetchedAt: row.fetchedAt, totalWinPool: row.totalWinPool, runners: [] };
        byTime.set(at, snapshot);
      }
      if (snapshot.totalWinPool === null) snapshot.totalWinPool = row.totalWinPool;
      const runner: RunnerOdds = {
        entryId: row.entryId,
        programNumber: entry.programNumber,
        horse: entry.horse,
        morningLine: entry.morningLineOdds,
        fetchedAt: row.fetchedAt,
        winOdds: row.winOdds,
        winPoolAmount: row.winPoolAmount,
        totalWinPool: row.totalWinPool,
      };
      snapshot.runners.push(runner);
    }
    this.snapshots = [...byTime.values()].sort((a, b) => a.fetchedAt.getTime() - b.fetchedAt.getTime());
    this.snapshots.forEach((snapshot, i) => this.indexByTime.set(snapshot.fetchedAt.getTime(), i));
  }

  /**
   * The history the win rules need for the board at `at`: the boards of the
   * last `windowMinutes` (steam, drift) and at least the one before it (crossings,
   * changes), ending with the board at `at`. Null when there is no board at `at`.
   */
  historyFor(at: Date, windowMinutes: number): WinSnapshot[] | null {
    const index = this.indexByTime.get(at.getTime());
    if (index === undefined) return null;
    const windowStart = at.getTime() - windowMinutes * MS_PER_MINUTE;
    let start = index;
    while (start > 0 && this.snapshots[start - 1]!.fetchedAt.getTime() >= windowStart) start--;
    return this.snapshots.slice(Math.max(0, Math.min(start, index - 1)), index + 1);
  }

  /** The board fetched exactly at `at`, or null. */
  boardAt(at: Date): WinSnapshot | null {
    const index = this.indexByTime.get(at.getTime());
    return index === undefined ? null : this.snapshots[index]!;
  }

  /** The newest board before `before` listing `interest` (any member), or null (see scratch rule). */
  lastListing(interest: string, before: Date): WinSnapshot | null {
    return lastListingIn(this.snapshots)(interest, before);
  }

  /** The newest board at or before `at` (for the cross-pool rules), or null. */
  latestAtOrBefore(at: Date): WinSnapshot | null {
    const t = at.getTime();
    let low = 0;
    let high = this.snapshots.length - 1;
    let found: WinSnapshot | null = null;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const snapshot = this.snapshots[mid]!;
      if (snapshot.fetchedAt.getTime() <= t) {
        found = snapshot;
        low = mid + 1;
      } else high = mid - 1;
    }
    return found;
  }
}
