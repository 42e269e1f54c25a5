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
 * - A poll whose status fetch failed still fetches its boards: recorded odds
 *   are never given up (a status outage through post drag would otherwise lose
 *   the heaviest money and the last board before the off). The off time the
 *   status brings when it recovers still marks the boards after it as late
 *   changes for a backtest; a daemon that evaluated them in between may have
 *   read one as pre-race money (logged once per race, as a warning).
 * - A track without a status endpoint polls its boards only (nothing to order).
 * - Nothing is fetched after stop(): the endpoint in flight finishes its write.
 */
import { fillEndpointTemplate, redactUrl, type Pool, type TrackConfig } from "@totewatch/config";
import { readerKey, type PageRead, type PollContext } from "./context.js";
import { isOff, type RacePollState } from "./schedule.js";

/** A track's per-race endpoint templates: status (if any) and one per configured pool, in pool order. */
export interface RaceEndpoints {
  /** The track's name: with the kind, who reads each endpoint (readerKey). */
  track: string;
  status: string | undefined;
  pools: { pool: Pool; template: string }[];
}

export function raceEndpointsOf(track: TrackConfig): RaceEndpoints {
  return {
    track: track.name,
    status: track.endpoints.status,
    pools: track.pools.flatMap((pool) => {
      const template = track.endpoints[pool];
      return template === undefined ? [] : [{ pool, template }];
    }),
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
  /** The page adapter of a pool's endpoint (html, json); undefined for the feed format. */
  pageOf: (pool: Pool) => PageRead | undefined = () => undefined,
): Promise<void> {
  if (endpoints.status !== undefined) {
    const url = fillEndpointTemplate(endpoints.status, values);
    const fetched = await ctx.pollEndpoint(url, readerKey({ name: endpoints.track }, "status"));
    if (!fetched && mayBeOffUnrecorded(race, now) && !ctx.signal.aborted && !warnedRaces.has(race)) {
      warnedRaces.add(race);
      ctx.logger?.warn(
        // The URL may carry a password (sent as basic auth): never logged unmasked.
        { source: redactUrl(url) },
        "status not fetched after post: boards are still recorded, but until the status is back " +
          "an off nothing has recorded cannot be told apart from post drag",
      );
    }
  }
  for (const { pool, template } of endpoints.pools) {
    if (ctx.signal.aborted) return;
    await ctx.pollEndpoint(
      fillEndpointTemplate(template, values),
      readerKey({ name: endpoints.track }, pool),
      pageOf(pool),
    );
  }
}

/** Races already warned about a failed status after post (once per race). */
const warnedRaces = new WeakSet<RacePollState>();

/** Past post and not stored off: the race may have gone off without anything recording it. */
function mayBeOffUnrecorded(race: RacePollState, now: number): boolean {
  return race.postTime !== null && now >= race.postTime && !isOff(race);
}
