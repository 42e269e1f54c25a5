/**
 * One track's lease (@totewatch/db track leases), so several `ingest poll` workers share the
 * configured tracks: a track is polled only while this worker holds its lease.
 *
 * Invariants:
 * - acquire() waits (the poller's sleep, clock and stop signal) until the lease is ours,
 *   logging once per other holder "track X is polled by worker Y; waiting"; taking over
 *   another worker's expired lease is logged at info.
 * - While held, the lease is renewed every ttl/3: the track's own waits never sleep past a
 *   renewal (sleep() cuts them there) and each endpoint request renews first when one is due,
 *   so renewals run on the track's own path, on the poller's clock, and never move a fake
 *   clock by themselves (a single worker waits and polls exactly as without leases).
 * - A renewal that finds the lease taken aborts the track's signal (chained to the poller's):
 *   the track stops after the request in flight and the caller goes back to acquire().
 */
import type { Clock, Logger, Sleep } from "@totewatch/config";
import { acquireTrackLease, releaseTrackLease, type Db, type TrackLeaseResult } from "@totewatch/db";
import type { LockedWriteResult } from "./locked-writes.js";

/** How long a track lease lasts unless renewed (ms); renewed every third of it. */
export const TRACK_LEASE_MS = 30_000;

export interface TrackLeaseOptions {
  db: Db;
  track: string;
  /** This worker's name (`--worker-name`). */
  holder: string;
  ttlMs: number;
  clock: Clock;
  sleep: Sleep;
  /** The poller's stop signal. */
  signal: AbortSignal;
  logger?: Logger;
  /** Database work retried while another process holds the file locked (PollContext.whileLocked). */
  whileLocked<T>(what: string, work: () => Promise<T>): Promise<LockedWriteResult<T>>;
}

export class TrackLease {
  private readonly renewEveryMs: number;
  private renewAt = Number.POSITIVE_INFINITY;
  private controller: AbortController | null = null;
  private detach: (() => void) | null = null;

  constructor(private readonly options: TrackLeaseOptions) {
    this.renewEveryMs = Math.max(1, Math.floor(options.ttlMs / 3));
  }

  /** The signal of the current hold: aborted by stop() or when the lease is lost. */
  get signal(): AbortSignal {
    return this.controller?.signal ?? this.options.signal;
  }

  /** Whether this worker holds the lease now (as far as its last renewal knows). */
  get held(): boolean {
    return this.controller !== null && !this.controller.signal.aborted;
  }

  /**
   * Waits until this worker holds the lease; resolves to the track's signal for this hold,
   * or null when stop() came first.
   */
  async acquire(): Promise<AbortSignal | null> {
    const { track, holder, ttlMs, clock, sleep, signal, logger } = this.options;
    this.end();
    let waitingFor: string | null = null;
    while (!signal.aborted) {
      const now = clock.now();
      const lease = await this.tryLease(now);
      if (lease === null) return null;
      if (lease.held) {
        if (lease.takenOverFrom !== null) {
          logger?.info(
            { track, worker: holder, from: lease.takenOverFrom },
            `took over track ${track} from worker ${lease.takenOverFrom} (its lease expired)`,
          );
        } else if (waitingFor !== null) {
          logger?.info({ track, worker: holder }, `track ${track} is free; polling it`);
        }
        return this.hold(now);
      }
      if (waitingFor !== lease.holder) {
        waitingFor = lease.holder;
        logger?.info(
          { track, worker: holder, holder: lease.holder, until: lease.expiresAt.toISOString() },
          `track ${track} is polled by worker ${lease.holder}; waiting`,
        );
      }
      // Retry at the holder's expiry, and meanwhile every ttl/3 (a released lease is free at once).
      const wait = Math.min(lease.expiresAt.getTime() - now, Math.floor(ttlMs / 3));
      await sleep(Math.max(1, wait), signal);
    }
    return null;
  }

  /** Renews the lease when a renewal is due; aborts the track's signal when it was lost. */
  async renewIfDue(): Promise<void> {
    const { track, holder, clock, logger } = this.options;
    if (!this.held) return;
    const now = clock.now();
    if (now < this.renewAt) return;
    const lease = await this.tryLease(now);
    if (lease === null) return; // stopped
    if (lease.held) {
      this.renewAt = now + this.renewEveryMs;
      return;
    }
    logger?.warn(
      { track, worker: holder, holder: lease.holder },
      `lost the lease of track ${track} to worker ${lease.holder}; stopping polling it`,
    );
    this.controller?.abort();
  }

  /** The track's sleep while held: the same wait, cut at each renewal (which may end it: lease lost). */
  readonly sleep: Sleep = async (ms, signal) => {
    const { clock, sleep } = this.options;
    const until = clock.now() + ms;
    for (;;) {
      const now = clock.now();
      if (!this.held || until <= this.renewAt) {
        await sleep(until - now, signal);
        return;
      }
      await sleep(this.renewAt - now, signal);
      if (signal?.aborted) return;
      await this.renewIfDue();
      if (signal?.aborted || !this.held) return;
    }
  };

  /** Gives the lease up (only ours is deleted); never throws: a lease not released just expires. */
  async release(): Promise<void> {
    const { db, track, holder, logger } = this.options;
    const hadHold = this.controller !== null;
    this.end();
    if (!hadHold) return;
    try {
      await releaseTrackLease(db, { track, holder });
    } catch (error) {
      logger?.warn(
        { track, worker: holder, error: String(error) },
        `could not release the lease of track ${track}`,
      );
    }
  }

  private async tryLease(now: number): Promise<TrackLeaseResult | null> {
    const { db, track, holder, ttlMs } = this.options;
    const result = await this.options.whileLocked(`lease of track ${track}`, () =>
      acquireTrackLease(db, { track, holder, now: new Date(now), ttlMs }),
    );
    return result.ok ? result.value : null;
  }

  private hold(now: number): AbortSignal {
    const controller = new AbortController();
    const onStop = () => controller.abort();
    if (this.options.signal.aborted) controller.abort();
    this.options.signal.addEventListener("abort", onStop, { once: true });
    this.detach = () => this.options.signal.removeEventListener("abort", onStop);
    this.controller = controller;
    this.renewAt = now + this.renewEveryMs;
    return controller.signal;
  }

  private end(): void {
    this.detach?.();
    this.detach = null;
    this.controller = null;
    this.renewAt = Number.POSITIVE_INFINITY;
  }
}
