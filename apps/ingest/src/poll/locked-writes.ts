/**
 * Waiting out another process's write lock. A VACUUM, a `.backup`, or a
 * `BEGIN` left open in the sqlite3 shell can hold the database's write lock
 * longer than the connection's busy timeout (packages/db: 15 s); the write
 * then fails with SQLITE_BUSY ("database is locked"). The poller must not die
 * of that, as the alerts daemon does not: it keeps what it fetched, retries
 * the write with backoff until the lock is gone, and says so once when writes
 * start failing and once when they go through again.
 *
 * On PostgreSQL the same holds for a server that restarts or drops the connection: the
 * fetched batch is kept and written once it answers again.
 *
 * Invariants:
 * - Only a locked or unreachable database is retried; any other error propagates at once.
 * - The work is run again whole: it must be a batch that commits whole or not
 *   at all (FeedIngestor.batch rolls a failed batch back), so a retry never
 *   writes anything twice.
 * - One warning when the first write fails on the lock, one info line at the
 *   first write that goes through after it, whatever the number of tracks
 *   and retries in between. A read that goes through says nothing of the
 *   lock (reads pass a writer's lock in WAL mode), so it never logs recovery.
 * - stop() ends the wait: the held work is dropped (nothing of it was written).
 */
import { backoffDelayMs, type Clock, type Logger, type Sleep } from "@totewatch/config";
import { retriableDatabaseError } from "@totewatch/db";

/** Retry delays while the database is locked: 1 s doubling up to 30 s (plus each attempt's busy wait). */
export const LOCKED_BACKOFF = { backoffBaseMs: 1000, backoffMaxMs: 30_000 } as const;

/**
 * A database that may take the write if asked again: SQLite locked by another process, or a
 * PostgreSQL server restarting or out of reach (@totewatch/db retriableDatabaseError).
 */
export function isDatabaseLocked(error: unknown): boolean {
  return retriableDatabaseError(error) !== null;
}

export interface LockedWritesOptions {
  /** The database file, for the log lines. */
  file: string;
  clock: Clock;
  sleep: Sleep;
  signal: AbortSignal;
  logger?: Logger;
  random?: () => number;
}

export type LockedWriteResult<T> = { ok: true; value: T } | { ok: false };

/** Runs writes, retrying each while the database is locked by another process; shared by every track. */
export class LockedWrites {
  /** When writes started failing on the lock; null while they go through. */
  private lockedSince: number | null = null;
  /** Failed attempts since lockedSince. */
  private failures = 0;

  constructor(private readonly options: LockedWritesOptions) {}

  /**
   * `work()`, again and again with backoff while it fails on the lock; `{ ok: false }` when
   * stop() ended the wait. Any other failure is thrown. `kind` "read": its success is no sign
   * that writes go through again.
   */
  async run<T>(
    what: string,
    work: () => Promise<T>,
    kind: "write" | "read" = "write",
  ): Promise<LockedWriteResult<T>> {
    const { sleep, signal, random } = this.options;
    for (let attempt = 0; ; attempt++) {
      let value: T;
      try {
        value = await work();
      } catch (error) {
        if (!isDatabaseLocked(error)) throw error;
        this.failed(what, error);
        // Capped well before 2^attempt could overflow; the cap is reached at attempt 5 anyway.
        await sleep(backoffDelayMs(Math.min(attempt, 16), LOCKED_BACKOFF, random ?? Math.random), signal);
        if (signal.aborted) return { ok: false };
        continue;
      }
      if (kind === "write") this.succeeded(what);
      return { ok: true, value };
    }
  }

  private failed(what: string, error: unknown): void {
    this.failures++;
    if (this.lockedSince !== null) {
      this.options.logger?.debug({ file: this.options.file, what, failures: this.failures }, "still locked");
      return;
    }
    this.lockedSince = this.options.clock.now();
    this.options.logger?.warn(
      { file: this.options.file, what, error: (error as Error).message },
      retriableDatabaseError(error) === "unreachable"
        ? `database ${this.options.file} cannot be reached (${(error as Error).message}): keeping what was ` +
            "fetched and retrying the write until the server answers"
        : `database ${this.options.file} is locked by another process (a VACUUM, a backup, an open ` +
            `transaction?): keeping what was fetched and retrying the write until the lock is released`,
    );
  }

  private succeeded(what: string): void {
    if (this.lockedSince === null) return;
    const seconds = Math.round((this.options.clock.now() - this.lockedSince) / 1000);
    this.options.logger?.info(
      { file: this.options.file, what, failures: this.failures, lockedSeconds: seconds },
      `database ${this.options.file} is writable again after ${seconds} s ` +
        `(${this.failures} failed attempts); held data written`,
    );
    this.lockedSince = null;
    this.failures = 0;
  }
}
