/**
 * When to poll a race next. Pure: post time, status, off times, the last poll
 * and the cadence in, an instant (or "stop") out; no clock of its own.
 *
 * Cadence zones by time to post: the default interval far out, the
 * near-post interval inside nearPostThreshold, the final interval inside
 * finalThreshold (and after post until the race goes off).
 *
 * After the off: US races go off minutes after scheduled post and the pools
 * keep merging after the gates open, so the final odds differ from the last
 * board a player could bet into. A race that is off is still polled at the
 * final interval until it is official or cancelled, or until its after-off
 * window closes (afterOffSeconds 0: stop at the off). A race that never
 * reports "off" is given up a while after post (giveUpAfterPostMs).
 *
 * Invariants:
 * - The after-off window starts at the earlier of the stored off time (the
 *   feed's `at`, which may be wrong, even hours in the future) and when the
 *   poller first saw the race "off" (a fixed instant once seen). A feed's
 *   `at` can shorten the window, never lengthen it past what the poller saw.
 * - A race that is "off" with neither off time known is not polled (null):
 *   no window slides forward with the polls.
 * - Hard stop: a race with a post time is never polled after
 *   post + giveUpAfterPostMs + afterOffSeconds, whatever its off times say.
 * - Every race terminates: before the off the give-up limit (or, without a
 *   post time, the caller's end of day) ends it; after the off the window
 *   end is fixed (the stored off time only moves earlier) and each poll
 *   moves the next one on by the final interval (a positive number).
 */

import { RACE_STATUS_RANK, RACE_STATUSES } from "@totewatch/tote";

export interface Cadence {
  defaultIntervalSeconds: number;
  nearPostIntervalSeconds: number;
  nearPostThresholdSeconds: number;
  finalIntervalSeconds: number;
  finalThresholdSeconds: number;
  /** How long after its off a race is still polled (at the final interval); 0 stops at the off. */
  afterOffSeconds: number;
}

/** A race is no longer polled once it is past the off: official or cancelled. */
export const FINISHED_STATUSES: ReadonlySet<string> = new Set<string>(
  RACE_STATUSES.filter((status) => RACE_STATUS_RANK[status] > RACE_STATUS_RANK.off),
);

/** A race that never reports "off" is given up this long after its post time. */
export const DEFAULT_GIVE_UP_AFTER_POST_MS = 30 * 60_000;

export interface RacePollState {
  /** Epoch ms; null when the card has no post time (or there is no card yet). */
  postTime: number | null;
  status: string;
  /**
   * Epoch ms of the stored off time (from the feed: a status message's `at`, else when it was
   * observed); null when none is stored. Not trusted alone: a wrong `at` may lie far ahead.
   */
  offAt: number | null;
  /** Epoch ms this poller first saw the race "off" (a fixed instant once set); null until then. */
  seenOffAt: number | null;
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

/** Official or cancelled: nothing more to poll, whatever the cadence. */
export function isFinished(race: Pick<RacePollState, "status">): boolean {
  return FINISHED_STATUSES.has(race.status);
}

/** Off, with official or cancelled still to come. */
export function isOff(race: Pick<RacePollState, "status">): boolean {
  return race.status === "off";
}

/**
 * The last instant a race that is off may be polled: the earlier of its stored off time and
 * when it was first seen off, plus afterOffSeconds, and never past post + giveUpAfterPostMs +
 * afterOffSeconds. Null when neither off time is known (nothing to count a window from).
 */
export function afterOffWindowEnd(
  race: Pick<RacePollState, "postTime" | "offAt" | "seenOffAt">,
  cadence: Pick<Cadence, "afterOffSeconds">,
  giveUpAfterPostMs = DEFAULT_GIVE_UP_AFTER_POST_MS,
): number | null {
  const known = [race.offAt, race.seenOffAt].filter((at): at is number => at !== null);
  if (known.length === 0) return null;
  const windowMs = cadence.afterOffSeconds * 1000;
  const end = Math.min(...known) + windowMs;
  return race.postTime === null ? end : Math.min(end, race.postTime + giveUpAfterPostMs + windowMs);
}

/**
 * The next instant to poll `race`, or null to stop (official or cancelled,
 * past its after-off window, or long past post without going off). Before the
 * off: the earliest t after the last poll with t - last >= the interval of
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
  if (isOff(race)) return nextPollAfterOff(race, now, cadence, giveUpAfterPostMs);
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

/** A race that is off: every final interval from the last poll, up to its window end (inclusive). */
function nextPollAfterOff(
  race: RacePollState,
  now: number,
  cadence: Cadence,
  giveUpAfterPostMs: number,
): number | null {
  if (cadence.afterOffSeconds <= 0) return null;
  const end = afterOffWindowEnd(race, cadence, giveUpAfterPostMs);
  if (end === null || now > end) return null;
  const next = race.lastPolledAt === null ? now : race.lastPolledAt + cadence.finalIntervalSeconds * 1000;
  return next <= end ? next : null;
}
