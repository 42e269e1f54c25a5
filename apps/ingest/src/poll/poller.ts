/**
 * `ingest poll`: per enabled track, refresh the card endpoint and poll each
 * race's status, then win / exacta endpoints on a cadence that tightens
 * toward post; keep polling a race that is off at the final interval (its
 * late odds changes: US pools keep merging after the gates open) until it is
 * official or cancelled or its after-off window closes (schedule.ts), and
 * give up on one that never goes off a while after post; prune old data once
 * a day at a fixed local hour (retention.ts), never at start. Without a fixed date it is a daemon: when a track's local race day
 * is done it waits for the next one (its local midnight) and goes on until
 * stopped. Clock, sleep and fetch are injected so tests control time.
 *
 * Modules: this one owns the shared pieces (HTTP client, ingestor, retention,
 * locked-database retries, stop) and the day-after-day loop per track;
 * race-day.ts one track's race day; race-book.ts what is known of each race;
 * race-poll.ts one poll of a race (status first); schedule.ts when to poll
 * (pure); http.ts fetching; retention.ts the daily prune; locked-writes.ts
 * waiting out another process's write lock.
 *
 * Invariants:
 * - Every endpoint response is written as its own group commit, message by
 *   message; stop() ends everything after the message being written.
 * - Tracks run concurrently; one track's failure (a database error) stops
 *   every track, and run() rejects with it. A database locked by another
 *   process past the busy timeout is not a failure: the fetched batch is
 *   kept and its write retried with backoff until the lock is gone
 *   (locked-writes.ts), logged once when it starts and once on recovery.
 * - An endpoint's password (a URL's `user:password@`) is never logged: every
 *   line naming an endpoint names it through redactUrl.
 * - Retention never runs at start; it runs once a day at retentionHour local
 *   time, also while tracks wait for their next race day.
 */
import {
  realSleep,
  redactUrl,
  systemClock,
  type Logger,
  type Sleep,
  type Clock,
  type TrackConfig,
} from "@totewatch/config";
import type { Db } from "@totewatch/db";
import { localDateOf } from "@totewatch/tote";
import {
  FeedIngestor,
  silentProgress,
  summarize,
  type ApplyMessage,
  type IngestSummary,
  type ProgressSink,
} from "@totewatch/feed";
import { oddsFormatLookup, registerConfiguredTracks } from "../tracks.js";
import { adaptBody, describeProblem } from "../adapters/adapt.js";
import type { PageRead, PollContext, PollerConfig } from "./context.js";
import { FeedHttpClient, type BodyDecoder } from "./http.js";
import { LockedWrites } from "./locked-writes.js";
import { nextCalendarDate, pollRaceDay, startOfDay } from "./race-day.js";
import { RetentionSchedule } from "./retention.js";
import { DEFAULT_GIVE_UP_AFTER_POST_MS } from "./schedule.js";

export type { PollerConfig } from "./context.js";

/** Unreadable-field lines remembered as warned (then forgotten, so a daemon's memory stays flat). */
const MAX_WARNED_PROBLEMS = 10_000;

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
  /** Run retention (pruneOldData) once a day at retentionHour; default true. Never at start. */
  retention?: boolean;
  /** Local hour (0..23) of the daily retention run; default 4 (04:00). */
  retentionHour?: number;
  /** Zone retentionHour is read in; default the machine's. */
  retentionTimeZone?: string;
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

export function createPoller(options: PollerOptions): Poller {
  const { config, db, logger } = options;
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const progress = options.progress ?? silentProgress;
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
  const retention = new RetentionSchedule({
    db,
    policy: config.retention,
    clock,
    logger,
    hour: options.retentionHour,
    timeZone: options.retentionTimeZone,
    enabled: options.retention !== false,
  });
  const locked = new LockedWrites({ file: db.path, clock, sleep, signal, logger, random: options.random });

  async function pollEndpoint(url: string, page?: PageRead): Promise<boolean> {
    const fetchedAt = clock.now();
    // An endpoint's URL may carry a password (http.ts sends it as basic auth): logged only masked.
    const shown = redactUrl(url);
    const result = await http.fetchFeed(url, page && pageDecoder(page, fetchedAt));
    if (!result.ok) {
      if (!result.stopped) logger?.debug({ source: shown, error: result.error }, "poll gave up for now");
      return false;
    }
    if (result.records.length === 0 || signal.aborted) return !signal.aborted;
    // The batch rolls back whole when the lock is not had, so the fetched records are simply written again.
    const written = await locked.run(shown, () =>
      ingestor.batch(async (batch) => {
        for (const record of result.records) {
          // Stop between messages, never inside one (each is its own savepoint); what is written commits.
          if (signal.aborted) return;
          await batch.ingestRecord(record, fetchedAt);
        }
      }),
    );
    if (!written.ok) return false;
    progress.update(ingestor.stats);
    return true;
  }

  /**
   * An html or json endpoint's body through its adapter (adapters/); every field it could not
   * read is warned about (URL, field, selector or path, the text seen) and the rest goes on,
   * as an invalid feed message is. The same problem again (the next poll of the page) is logged
   * at debug, not warned about on every poll.
   */
  const warnedProblems = new Set<string>();
  function pageDecoder(page: PageRead, fetchedAt: number): BodyDecoder {
    return (text, shown) => {
      const adapted = adaptBody(page.adapter, text, {
        url: shown,
        track: page.track,
        date: page.date,
        race: page.race,
        fetchedAt,
      });
      if (!adapted.ok) return adapted;
      for (const problem of adapted.problems) {
        const line = `unreadable field: ${describeProblem(problem)}`;
        // Warned once; the same field of the same page unreadable again (every poll) only at debug.
        if (warnedProblems.has(line)) {
          logger?.debug({ ...problem }, line);
          continue;
        }
        if (warnedProblems.size >= MAX_WARNED_PROBLEMS) warnedProblems.clear();
        warnedProblems.add(line);
        logger?.warn({ ...problem }, line);
      }
      return { ok: true, records: adapted.records };
    };
  }

  const ctx: PollContext = {
    config,
    db,
    logger,
    clock,
    sleep,
    signal,
    giveUpAfterPostMs: options.giveUpAfterPostMs ?? DEFAULT_GIVE_UP_AFTER_POST_MS,
    pollEndpoint,
    pruneIfDue: () => retention.runIfDue(),
    nextPruneAt: () => retention.dueAt,
    whileLocked: (what, work, kind) => locked.run(what, work, kind),
  };

  /** Polls `track` day after day (or only options.date) until stopped. */
  async function pollTrack(track: TrackConfig): Promise<void> {
    let date = options.date ?? localDateOf(new Date(clock.now()), track.timezone);
    for (;;) {
      await pollRaceDay(ctx, track, date);
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
        await sleep(Math.min(dayStart, retention.dueAt) - clock.now(), signal);
        await retention.runIfDue();
      }
      if (signal.aborted) return;
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
      await locked.run("configured tracks", () => registerConfiguredTracks(db, tracks));
      // No retention here: a day replayed just before starting is not pruned at start (retention.ts).
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
