/**
 * When to poll a race next. Pure: post time, status, the last poll and the
 * cadence in, an instant (or "stop") out; no clock of its own.
 *
 * Cadence zones by time to post: the default interval far out, the
 * near-post interval inside nearPostThreshold, the final interval inside
 * finalThreshold (and after post until the race goes off).
 */

import { POOLS_CLOSED_STATUSES } from "@totewatch/tote";

export interface Cadence {
  defaultIntervalSeconds: number;
  nearPostIntervalSeconds: number;
  nearPostThresholdSeconds: number;
  finalIntervalSeconds: number;
  finalThresholdSeconds: number;
}

/** A race is no longer polled once its pools are closed (the off, official, cancelled). */
export const FINISHED_STATUSES = POOLS_CLOSED_STATUSES;

/** A race that never reports "off" is given up this long after its post time. */
export const DEFAULT_GIVE_UP_AFTER_POST_MS = 30 * 60_000;

export interface RacePollState {
  /** Epoch ms; null when the card has no post time (or there is no card yet). */
  postTime: number | null;
  status: string;
  /** Epoch ms of the start of the last poll; null before the first. */
  lastPolledAt: number | null;
}

/** The interval that applies at `msToPost` before post (negative after post). */
export function pollIntervalMs(msToPost: number | null, cadence: Cadence): number {
  if (msToPost === null) return cadence.defaultIntervalSeconds * 1000;
  if (msToPost <= cadence.finalThresholdSeconds * 1000) return cadence.finalIntervalSeconds * 1000;
  if (msToPost <= cadence.nearPostThresholdSeconds * 1000) return cadence.nearPostIntervalSeconds * 1000;
  return cadence.defaultIntervalSeconds * 1000;
}

export function isFinished(race: Pick<RacePollState, "status">): boolean {
  return FINISHED_STATUSES.has(race.status);
}

/**
 * The next instant to poll `race`, or null to stop (finished, or long past
 * post). The earliest t after the last poll with t - last >= the interval of
 * the zone t falls in: crossing into a faster zone polls at the crossing
 * (plus that zone's interval from the last poll) instead of a far-zone
 * interval later.
 */
export function nextPollAt(
  race: RacePollState,
  now: number,
  cadence: Cadence,
  giveUpAfterPostMs = DEFAULT_GIVE_UP_AFTER_POST_MS,
): number | null {
  if (isFinished(race)) return null;
  if (race.postTime !== null && now > race.postTime + giveUpAfterPostMs) return null;
  const last = race.lastPolledAt;
  if (last === null) return now;
  const post = race.postTime;
  if (post === null) return last + cadence.defaultIntervalSeconds * 1000;
  const nearStart = post - cadence.nearPostThresholdSeconds * 1000;
  const finalStart = post - cadence.finalThresholdSeconds * 1000;
  const zones: Array<[start: number, end: number, intervalMs: number]> = [
    [Number.NEGATIVE_INFINITY, nearStart, cadence.defaultIntervalSeconds * 1000],
    [nearStart, finalStart, cadence.nearPostIntervalSeconds * 1000],
    [finalStart, Number.POSITIVE_INFINITY, cadence.finalIntervalSeconds * 1000],
  ];
  let next = Number.POSITIVE_INFINITY;
  for (const [start, end, interval] of zones) {
    const candidate = Math.max(last + interval, start);
    if (candidate < end && candidate < next) next = candidate;
  }
  return next;
}
