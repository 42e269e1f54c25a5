/**
 * One poll of one race: its status endpoint first, then its pool boards
 * (win, exacta), each fetched and committed as its own group commit.
 *
 * Invariants:
 * - Status first: every board a poll commits was fetched after the status
 *   fetched in the same poll was committed, so a race that went off before
 *   the poll is stored "off" (with its off time) before any board fetched
 *   after the off. The alerts daemon reads a board as pre-race money unless
 *   the race is stored off by its fetch time; boards first would let a
 *   post-off board be evaluated as pre-race money until the status caught up.
 * - A poll whose status fetch failed skips its boards from post time on,
 *   while the race is not already stored off: such a board may be fetched
 *   after an off nothing has recorded. Before post (races do not go off
 *   before post) and once the race is stored off, the boards are fetched.
 * - A track without a status endpoint polls its boards only (nothing to order).
 * - Nothing is fetched after stop(): the endpoint in flight finishes its write.
 */
import { fillEndpointTemplate, type TrackConfig } from "@totewatch/config";
import type { PollContext } from "./context.js";
import { isOff, type RacePollState } from "./schedule.js";

/** A track's per-race endpoint templates: status (if any) and one per configured pool, in pool order. */
export interface RaceEndpoints {
  status: string | undefined;
  pools: string[];
}

export function raceEndpointsOf(track: TrackConfig): RaceEndpoints {
  return {
    status: track.endpoints.status,
    pools: track.pools
      .map((pool) => track.endpoints[pool])
      .filter((template): template is string => template !== undefined),
  };
}

/** Placeholder values a race's endpoint templates are filled with. */
export type TemplateValues = Parameters<typeof fillEndpointTemplate>[1];

/**
 * Polls `race` once, status first (see the invariants above). `race` is its state before this
 * poll; `now` is the poll's start.
 */
export async function pollRace(
  ctx: PollContext,
  endpoints: RaceEndpoints,
  race: RacePollState,
  values: TemplateValues,
  now: number,
): Promise<void> {
  if (endpoints.status !== undefined) {
    const url = fillEndpointTemplate(endpoints.status, values);
    const fetched = await ctx.pollEndpoint(url);
    if (!fetched && mayBeOffUnrecorded(race, now)) {
      if (!ctx.signal.aborted)
        ctx.logger?.debug({ source: url }, "status not fetched after post: this poll's boards skipped");
      return;
    }
  }
  for (const template of endpoints.pools) {
    if (ctx.signal.aborted) return;
    await ctx.pollEndpoint(fillEndpointTemplate(template, values));
  }
}

/** Past post and not stored off: the race may have gone off without anything recording it. */
function mayBeOffUnrecorded(race: RacePollState, now: number): boolean {
  return race.postTime !== null && now >= race.postTime && !isOff(race);
}
