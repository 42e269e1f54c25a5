/**
 * When to poll a race next. Pure: post time, status, off time, the last poll
 * and the cadence in, an instant (or "stop") out; no clock of its own.
 *
 * Cadence zones by time to post: the default interval far out, the
 * near-post interval inside nearPostThreshold, the final interval inside
 * finalThreshold (and after post until the race goes off).
 *
 * After the off: US races go off minutes after scheduled post and the pools
 * keep merging after the gates open, so the final odds differ from the last
 * board a player could bet into. A race that is off is still polled at the
 * final interval until it is official or cancelled, or afterOffSeconds after
 * its off (0: stop at the off). A race that never reports "off" is given up
 * a while after post (giveUpAfterPostMs).
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
   * Epoch ms the race went off: its stored off time, else when the poller first
   * saw it "off"; null while it is not known to be off.
   */
  offAt: number | null;
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
  if (isOff(race)) return nextPollAfterOff(race, now, cadence);
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

/**
 * A race that is off: every final interval from the last poll, as long as that
 * falls within afterOffSeconds of the off (inclusive). Without an off time the
 * window runs from the last poll (the poller passes when it first saw the off).
 */
function nextPollAfterOff(race: RacePollState, now: number, cadence: Cadence): number | null {
  const windowMs = cadence.afterOffSeconds * 1000;
  if (windowMs <= 0) return null;
  const end = (race.offAt ?? race.lastPolledAt ?? now) + windowMs;
  if (now > end) return null;
  const next = race.lastPolledAt === null ? now : race.lastPolledAt + cadence.finalIntervalSeconds * 1000;
  return next <= end ? next : null;
}
