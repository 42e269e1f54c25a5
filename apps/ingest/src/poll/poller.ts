/**
 * `ingest poll`: per enabled track, refresh the card endpoint and poll each
 * race's win / exacta / status endpoints on a cadence that tightens toward
 * post; keep polling a race that is off at the final interval (its late odds
 * changes: US pools keep merging after the gates open) until it is official
 * or cancelled or `cadence.afterOffSeconds` after its off (schedule.ts), and
 * give up on one that never goes off a while after post; prune old data
 * once a day. Without a fixed date it is a daemon: when a track's local race
 * day is done it waits for the next one (its local midnight) and goes on
 * until stopped. Clock, sleep and fetch are injected so tests control time.
 */
import {
  fillEndpointTemplate,
  realSleep,
  systemClock,
  type Clock,
  type Logger,
  type Sleep,
  type TotewatchConfig,
  type TrackConfig,
} from "@totewatch/config";
import { findRace, pruneOldData, racesOnDate, type Db, type RaceSummary } from "@totewatch/db";
import { localDateOf, resolvePostTime } from "@totewatch/tote";
import {
  FeedIngestor,
  silentProgress,
  summarize,
  type ApplyMessage,
  type IngestSummary,
  type ProgressSink,
} from "@totewatch/feed";
import { oddsFormatLookup, registerConfiguredTracks } from "../tracks.js";
import { FeedHttpClient } from "./http.js";
import { DEFAULT_GIVE_UP_AFTER_POST_MS, isOff, nextPollAt, type RacePollState } from "./schedule.js";

const DAY_MS = 86_400_000;

export type PollerConfig = Pick<TotewatchConfig, "tracks" | "cadence" | "http" | "retention">;

export interface PollerOptions {
  config: PollerConfig;
  db: Db;
  logger?: Logger;
  /**
   * Race date for every track: poll that day, then return. Default: today in
   * each track's zone, then each following day, until stop().
   */
  date?: string;
  clock?: Clock;
  sleep?: Sleep;
  fetch?: typeof fetch;
  random?: () => number;
  apply?: ApplyMessage;
  progress?: ProgressSink;
  /** Run retention (pruneOldData) at start and once a day; default true. */
  retention?: boolean;
  giveUpAfterPostMs?: number;
}

export interface Poller {
  /**
   * With a date, polls until every race of that day is finished; without,
   * until stop(). Resolves with the counts.
   */
  run(): Promise<IngestSummary>;
  /** Stops after the write in flight; run() then resolves. */
  stop(): void;
}

interface RaceState extends RacePollState {
  race: number;
  /** When this poller first saw the race "off": its off time when the database has none. */
  seenOffAt: number | null;
}

export function createPoller(options: PollerOptions): Poller {
  const { config, db, logger } = options;
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const progress = options.progress ?? silentProgress;
  const giveUpAfterPostMs = options.giveUpAfterPostMs ?? DEFAULT_GIVE_UP_AFTER_POST_MS;
  const controller = new AbortController();
  const signal = controller.signal;
  const ingestor = new FeedIngestor(db, {
    logger,
    apply: options.apply,
    // Win odds that do not say their format are read as the track's board shows them.
    oddsFormatOf: oddsFormatLookup(config.tracks),
  });
  const http = new FeedHttpClient({
    http: config.http,
    clock,
    sleep,
    fetch: options.fetch,
    random: options.random,
    logger,
    signal,
  });
  let nextPruneAt = options.retention === false ? Number.POSITIVE_INFINITY : clock.now();

  async function pruneIfDue(): Promise<void> {
    if (clock.now() < nextPruneAt) return;
    nextPruneAt = clock.now() + DAY_MS;
    try {
      const removed = await pruneOldData(db, { ...config.retention, now: new Date(clock.now()) });
      logger?.info({ ...removed }, "retention: pruned old data");
    } catch (error) {
      logger?.error({ err: error }, "retention failed; will try again in a day");
    }
  }

  /** Fetches one endpoint and writes what it returned as one group commit, message by message. */
  async function pollEndpoint(url: string): Promise<void> {
    const fetchedAt = clock.now();
    const result = await http.fetchFeed(url);
    if (!result.ok) {
      if (!result.stopped) logger?.debug({ source: url, error: result.error }, "poll gave up for now");
      return;
    }
    if (result.records.length === 0 || signal.aborted) return;
    await ingestor.batch(async (batch) => {
      for (const record of result.records) {
        // Stop between messages, never inside one (each is its own savepoint); what is written commits.
        if (signal.aborted) return;
        await batch.ingestRecord(record, fetchedAt);
      }
    });
    progress.update(ingestor.stats);
  }

  /** Polls `track` day after day (or only options.date) until stopped. */
  async function pollTrack(track: TrackConfig): Promise<void> {
    let date = options.date ?? localDateOf(new Date(clock.now()), track.timezone);
    for (;;) {
      await pollTrackDay(track, date);
      if (options.date !== undefined || signal.aborted) return;
      // Normally the next day; after a long stall (a suspended machine), today rather than a day gone by.
      const today = localDateOf(new Date(clock.now()), track.timezone);
      date = [nextCalendarDate(date), today].sort().at(-1)!;
      const dayStart = startOfDay(date, track.timezone);
      if (clock.now() < dayStart) {
        logger?.info(
          { track: track.name, date, from: new Date(dayStart).toISOString() },
          "race day done; waiting for the next",
        );
      }
      // Retention stays due once a day while every track waits.
      while (!signal.aborted && clock.now() < dayStart) {
        await sleep(Math.min(dayStart, nextPruneAt) - clock.now(), signal);
        await pruneIfDue();
      }
      if (signal.aborted) return;
    }
  }

  /** Polls one local race day of `track` until every race of it is done (or stop()). */
  async function pollTrackDay(track: TrackConfig, date: string): Promise<void> {
    const values = (race?: number) => ({ track: track.name, code: track.code, date, race });
    // Races without a post time (never carded) are not polled past the end of the local race day.
    const dayEnd = startOfDay(nextCalendarDate(date), track.timezone);
    const races = new Map<number, RaceState>();
    const newState = (race: number): RaceState => ({
      race,
      postTime: null,
      status: "scheduled",
      offAt: null,
      seenOffAt: null,
      lastPolledAt: null,
    });
    for (let race = 1; race <= (track.races ?? 0); race++) races.set(race, newState(race));
    const cardTemplate = track.endpoints.card;
    let nextCardAt = cardTemplate ? clock.now() : Number.POSITIVE_INFINITY;
    let cardFetched = !cardTemplate;
    const raceEndpoints = [
      ...track.pools.map((pool) => track.endpoints[pool]),
      track.endpoints.status,
    ].filter((template): template is string => template !== undefined);

    /**
     * Takes a race's status and off time from the database (seen at `seenAt`): the stored off
     * time, else when this poller first saw the race off (a feed that does not time its "off").
     */
    const observe = (state: RaceState, summary: RaceSummary, seenAt: number) => {
      state.status = summary.status;
      if (isOff(state) && state.seenOffAt === null) {
        state.seenOffAt = seenAt;
        const offAt = summary.offAt?.getTime() ?? seenAt;
        const until = offAt + config.cadence.afterOffSeconds * 1000;
        if (until > seenAt) {
          logger?.info(
            {
              track: track.name,
              race: state.race,
              offAt: new Date(offAt).toISOString(),
              until: new Date(until).toISOString(),
            },
            "race off; polling its late odds",
          );
        }
      }
      state.offAt = summary.offAt?.getTime() ?? state.seenOffAt;
    };

    const refreshFromDb = async () => {
      const seenAt = clock.now();
      for (const summary of await racesOnDate(db, date, { track: track.name })) {
        const state = races.get(summary.raceNumber) ?? newState(summary.raceNumber);
        state.postTime = summary.postTime?.getTime() ?? null;
        observe(state, summary, seenAt);
        races.set(summary.raceNumber, state);
      }
    };

    /** Races without a post time are done at the end of the day, or once every race with one is. */
    const undatedRacesDone = (now: number) => {
      if (now >= dayEnd) return true;
      const dated = [...races.values()].filter((state) => state.postTime !== null);
      return (
        dated.length > 0 &&
        dated.every((state) => nextPollAt(state, now, config.cadence, giveUpAfterPostMs) === null)
      );
    };

    await refreshFromDb();
    logger?.info({ track: track.name, date, races: races.size }, "polling track");

    while (!signal.aborted) {
      await pruneIfDue();
      if (signal.aborted) break;
      const now = clock.now();
      const skipUndated = undatedRacesDone(now);
      let due: RaceState | null = null;
      let dueAt = Number.POSITIVE_INFINITY;
      let live = 0;
      for (const state of races.values()) {
        if (state.postTime === null && skipUndated) continue;
        const at = nextPollAt(state, now, config.cadence, giveUpAfterPostMs);
        if (at === null) continue;
        live++;
        if (at < dueAt) [due, dueAt] = [state, at];
      }
      // The day is over once every race it knows is done (or, knowing none, once the day has ended),
      // having looked at the card at least once.
      if (cardFetched && live === 0 && (races.size > 0 || now >= dayEnd)) break;
      if (cardTemplate && now >= nextCardAt) {
        nextCardAt = now + config.cadence.cardRefreshSeconds * 1000;
        if (cardTemplate.includes("{race}")) {
          for (const race of races.keys())
            await pollEndpoint(fillEndpointTemplate(cardTemplate, values(race)));
        } else {
          await pollEndpoint(fillEndpointTemplate(cardTemplate, values()));
        }
        cardFetched = true;
        await refreshFromDb();
        continue;
      }
      if (due && dueAt <= now) {
        due.lastPolledAt = now;
        for (const template of raceEndpoints) {
          if (signal.aborted) break;
          await pollEndpoint(fillEndpointTemplate(template, values(due.race)));
        }
        const summary = await findRace(db, { track: track.name, raceDate: date, raceNumber: due.race });
        if (summary) {
          due.postTime = summary.postTime?.getTime() ?? due.postTime;
          // Seen off during this poll: the poll's start is the nearest instant we know to the off.
          observe(due, summary, now);
        }
        if (nextPollAt(due, clock.now(), config.cadence, giveUpAfterPostMs) === null)
          logger?.info({ track: track.name, race: due.race, status: due.status }, "race done");
        continue;
      }
      const wakeAt = Math.min(dueAt, nextCardAt, nextPruneAt, dayEnd > now ? dayEnd : Infinity);
      if (!Number.isFinite(wakeAt)) break;
      await sleep(wakeAt - clock.now(), signal);
    }
  }

  return {
    stop() {
      controller.abort();
    },
    async run() {
      const started = performance.now();
      const tracks = config.tracks.filter((track) => track.enabled);
      if (tracks.length === 0) logger?.warn("no enabled tracks in the config: nothing to poll");
      // Stored before any card arrives, so a card's local "HH:MM" post time is read in the configured zone.
      await registerConfiguredTracks(db, tracks);
      await pruneIfDue();
      const results = await Promise.allSettled(
        tracks.map((track) =>
          pollTrack(track).catch((error: unknown) => {
            // One track's database failure stops them all rather than leaving the others running blind.
            controller.abort();
            throw error;
          }),
        ),
      );
      progress.finish();
      const failure = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
      if (failure) throw failure.reason;
      return summarize(ingestor.stats, performance.now() - started, signal.aborted);
    },
  };
}

/** The calendar date after `date` (YYYY-MM-DD). */
function nextCalendarDate(date: string): string {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day + 1)).toISOString().slice(0, 10);
}

/** The instant `date` begins (local midnight) in `timeZone`. */
function startOfDay(date: string, timeZone: string): number {
  return resolvePostTime("00:00", date, timeZone).getTime();
}
