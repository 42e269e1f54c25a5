/**
 * One local race day of one track: refresh its card, poll each race when
 * schedule.ts says it is due (race-poll.ts: status first, then the boards),
 * and return once every race of the day is done (or on stop()).
 *
 * Invariants:
 * - One request at a time per track: card refreshes and race polls never
 *   overlap, so a race's requests within a poll keep their order.
 * - The card is looked at at least once before the day can end, and is
 *   refreshed every cadence.cardRefreshSeconds while any race is live.
 * - A race's state is read back from the database after each of its polls
 *   and after each card refresh (race-book.ts), never taken from a response.
 * - The day ends once every race it knows is done, or, knowing none, at the
 *   end of the local day; the loop only sleeps until the next due race, card
 *   refresh, prune or the end of the day, whichever comes first.
 */
import { fillEndpointTemplate, type TrackConfig } from "@totewatch/config";
import { resolvePostTime } from "@totewatch/tote";
import { pageReadOf, readerKey, type PollContext } from "./context.js";
import { RaceBook, type RaceState } from "./race-book.js";
import { pollRace, raceEndpointsOf } from "./race-poll.js";

/** Polls one local race day of `track` until every race of it is done (or stop()). */
export async function pollRaceDay(ctx: PollContext, track: TrackConfig, date: string): Promise<void> {
  const { config, clock, signal, logger } = ctx;
  const values = (race?: number) => ({ track: track.name, code: track.code, date, race });
  // Races without a post time (never carded) are not polled past the end of the local race day.
  const dayEnd = startOfDay(nextCalendarDate(date), track.timezone);
  const book = new RaceBook({
    db: ctx.db,
    logger,
    track: track.name,
    date,
    cadence: config.cadence,
    giveUpAfterPostMs: ctx.giveUpAfterPostMs,
    dayEnd,
    configuredRaces: track.races ?? 0,
  });
  const cardTemplate = track.endpoints.card;
  let nextCardAt = cardTemplate ? clock.now() : Number.POSITIVE_INFINITY;
  let cardFetched = !cardTemplate;
  const endpoints = raceEndpointsOf(track);

  // Reads too wait out a database locked by another process (a restore into the file can block them);
  // false: stop() ended the wait.
  const where = `${track.name} ${date}`;
  const refresh = async () => (await ctx.whileLocked(where, () => book.refresh(clock.now()), "read")).ok;
  const reread = async (state: RaceState, polledAt: number) =>
    (await ctx.whileLocked(`${where} race ${state.race}`, () => book.reread(state, polledAt), "read")).ok;
  if (!(await refresh())) return;
  logger?.info({ track: track.name, date, races: book.size }, "polling track");

  while (!signal.aborted) {
    await ctx.pruneIfDue();
    if (signal.aborted) break;
    const now = clock.now();
    const { due, dueAt, live } = book.nextDue(now);
    // The day is over once every race it knows is done (or, knowing none, once the day has ended),
    // having looked at the card at least once.
    if (cardFetched && live === 0 && (book.size > 0 || now >= dayEnd)) break;
    if (cardTemplate && now >= nextCardAt) {
      nextCardAt = now + config.cadence.cardRefreshSeconds * 1000;
      if (cardTemplate.includes("{race}")) {
        for (const race of book.raceNumbers())
          await ctx.pollEndpoint(
            fillEndpointTemplate(cardTemplate, values(race)),
            readerKey(track, "card"),
            pageReadOf(track, "card", date, race),
          );
      } else {
        await ctx.pollEndpoint(
          fillEndpointTemplate(cardTemplate, values()),
          readerKey(track, "card"),
          pageReadOf(track, "card", date),
        );
      }
      cardFetched = true;
      if (!(await refresh())) break;
      continue;
    }
    if (due && dueAt <= now) {
      due.lastPolledAt = now;
      await pollRace(ctx, endpoints, due, values(due.race), now, (kind) =>
        pageReadOf(track, kind, date, due.race),
      );
      if (!(await reread(due, now))) break;
      if (book.nextPollOf(due, clock.now()) === null)
        logger?.info({ track: track.name, race: due.race, status: due.status }, "race done");
      continue;
    }
    const wakeAt = Math.min(dueAt, nextCardAt, ctx.nextPruneAt(), dayEnd > now ? dayEnd : Infinity);
    if (!Number.isFinite(wakeAt)) break;
    await ctx.sleep(wakeAt - clock.now(), signal);
  }
}

/** The calendar date after `date` (YYYY-MM-DD). */
export function nextCalendarDate(date: string): string {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day + 1)).toISOString().slice(0, 10);
}

/** The instant `date` begins (local midnight) in `timeZone`. */
export function startOfDay(date: string, timeZone: string): number {
  return resolvePostTime("00:00", date, timeZone).getTime();
}
