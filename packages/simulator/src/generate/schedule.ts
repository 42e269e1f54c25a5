/** When a simulated tote is polled, and how much of a race's money has arrived by then. */

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/**
 * Snapshot times as milliseconds before post, earliest first: every 5 minutes from 60 down
 * to 10, every minute inside 10, every 20 seconds inside the last 2. The last is 20 s out;
 * at post the pools close and the race goes "off".
 */
export const SNAPSHOT_OFFSETS_MS: readonly number[] = (() => {
  const offsets: number[] = [];
  for (let m = 60; m >= 10; m -= 5) offsets.push(m * MINUTE);
  for (let m = 9; m >= 3; m--) offsets.push(m * MINUTE);
  for (let s = 120; s >= 20; s -= 20) offsets.push(s * SECOND);
  return offsets;
})();

export const FIRST_SNAPSHOT_MS_BEFORE_POST = SNAPSHOT_OFFSETS_MS[0]!;

/** The most often a simulated tote may be polled, and the least (one poll in the hour). */
export const POLL_EVERY_SECONDS_RANGE: readonly [number, number] = [5, 3600];

/**
 * A dense schedule: every `everySeconds` through the same last hour, 60 minutes out down to
 * `everySeconds` out (every 30 s gives 120 polls a race, a busy tote's cadence near post).
 */
export function evenSnapshotOffsetsMs(everySeconds: number): readonly number[] {
  const offsets: number[] = [];
  for (let s = FIRST_SNAPSHOT_MS_BEFORE_POST / SECOND; s >= everySeconds; s -= everySeconds) {
    offsets.push(s * SECOND);
  }
  return offsets;
}

/** A race's poll times: every `pollEverySeconds` through the last hour, or the standard schedule. */
export function snapshotOffsetsMs(pollEverySeconds?: number): readonly number[] {
  return pollEverySeconds === undefined ? SNAPSHOT_OFFSETS_MS : evenSnapshotOffsetsMs(pollEverySeconds);
}

/** Share of the day's money already in the pools when betting opens (advance wagering). */
const OPENING_SHARE = 0.06;
/** Money arrives at a rate proportional to 1 / (minutes to post + RATE_LAG). */
const RATE_LAG_MINUTES = 3;
const WINDOW_MINUTES = FIRST_SNAPSHOT_MS_BEFORE_POST / MINUTE;
const LOG_SPAN = Math.log((WINDOW_MINUTES + RATE_LAG_MINUTES) / RATE_LAG_MINUTES);

/**
 * Fraction of the final pool bet by `msBeforePost` (0 before betting opens, 1 at post):
 * the opening share plus the integral of the 1/(m+3) arrival rate.
 */
export function cumulativeMoneyShare(msBeforePost: number): number {
  const minutes = msBeforePost / MINUTE;
  if (minutes > WINDOW_MINUTES) return 0;
  const arrived = Math.log((WINDOW_MINUTES + RATE_LAG_MINUTES) / (Math.max(minutes, 0) + RATE_LAG_MINUTES));
  return OPENING_SHARE + (1 - OPENING_SHARE) * (arrived / LOG_SPAN);
}

export { MINUTE, SECOND };
