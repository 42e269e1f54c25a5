/**
 * Track leases (`track_lease`): several `ingest poll` workers share the configured
 * tracks, each track polled only by the worker holding its lease. A holder renews
 * its lease well before expires_at; a lease whose expires_at has come (<= now) is
 * free for any worker to take, since its holder died or hung.
 *
 * Invariants: one row per track; every read-then-write runs in one write
 * transaction (serialized on both engines), so two workers never both hold a
 * track; `now` is the caller's clock (the poller's, so tests control time), never
 * the database's.
 */
import type { Db } from "../client.js";
import { InvalidInputError } from "../errors.js";
import type { TrackLease } from "../generated/prisma/client.js";
import { readRaw, writeTransaction, type SqlRow } from "../sql.js";
import { fromDbTime, toDbTime } from "../time.js";

export type { TrackLease } from "../generated/prisma/client.js";

export interface AcquireTrackLeaseInput {
  track: string;
  /** The worker asking (e.g. "host:pid"). */
  holder: string;
  /** The caller's clock. */
  now: Date;
  /** How long the lease lasts from `now` (ms, > 0). */
  ttlMs: number;
}

export interface TrackLeaseResult {
  /** Whether `holder` holds the lease now (taken, renewed or taken over). */
  held: boolean;
  /** Who holds it now: the caller when held, else the other worker. */
  holder: string;
  /** When the current holder's lease expires. */
  expiresAt: Date;
  /** The previous holder, when we took over another worker's expired lease; else null. */
  takenOverFrom: string | null;
}

const LEASE_COLUMNS = `track, holder, acquired_at AS "acquiredAt", expires_at AS "expiresAt"`;

function checkName(what: string, value: string): void {
  if (!value.trim()) throw new InvalidInputError(`track lease: ${what} is empty`);
}

/**
 * Takes the lease of `track` for `holder` when there is none, when it has expired
 * (expires_at <= now), or when it is already `holder`'s (then it is renewed to now + ttl,
 * acquired_at kept); otherwise leaves it and reports who holds it.
 */
export async function acquireTrackLease(db: Db, input: AcquireTrackLeaseInput): Promise<TrackLeaseResult> {
  const { track, holder, now, ttlMs } = input;
  checkName("track", track);
  checkName("holder", holder);
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new InvalidInputError(`track lease ${track}: ttlMs must be > 0, got ${ttlMs}`);
  }
  const at = toDbTime(now);
  const until = at + Math.ceil(ttlMs);
  return writeTransaction(db, async (sql) => {
    const row = await sql.get<Pick<SqlRow<TrackLease>, "holder" | "expiresAt">>(
      `SELECT holder, expires_at AS "expiresAt" FROM track_lease WHERE track = ?`,
      track,
    );
    if (!row) {
      await sql.run(
        `INSERT INTO track_lease (track, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?)`,
        track,
        holder,
        at,
        until,
      );
      return { held: true, holder, expiresAt: fromDbTime(until), takenOverFrom: null };
    }
    const expiresAt = Number(row.expiresAt);
    if (row.holder === holder) {
      await sql.run(`UPDATE track_lease SET expires_at = ? WHERE track = ?`, until, track);
      return { held: true, holder, expiresAt: fromDbTime(until), takenOverFrom: null };
    }
    if (expiresAt > at) {
      return { held: false, holder: row.holder, expiresAt: fromDbTime(expiresAt), takenOverFrom: null };
    }
    await sql.run(
      `UPDATE track_lease SET holder = ?, acquired_at = ?, expires_at = ? WHERE track = ?`,
      holder,
      at,
      until,
      track,
    );
    return { held: true, holder, expiresAt: fromDbTime(until), takenOverFrom: row.holder };
  });
}

/** Gives up `holder`'s lease of `track`; another worker's lease is left alone. True when one was deleted. */
export async function releaseTrackLease(db: Db, input: { track: string; holder: string }): Promise<boolean> {
  const rows = await writeTransaction(db, (sql) =>
    sql.run(`DELETE FROM track_lease WHERE track = ? AND holder = ?`, input.track, input.holder),
  );
  return rows > 0;
}

/** Every lease, by track (for logs and tests). */
export async function trackLeases(db: Db): Promise<TrackLease[]> {
  const rows = await readRaw(db, (sql) =>
    sql.all<SqlRow<TrackLease>>(`SELECT ${LEASE_COLUMNS} FROM track_lease ORDER BY track`),
  );
  return rows.map((row) => ({
    track: row.track,
    holder: row.holder,
    acquiredAt: fromDbTime(Number(row.acquiredAt)),
    expiresAt: fromDbTime(Number(row.expiresAt)),
  }));
}
