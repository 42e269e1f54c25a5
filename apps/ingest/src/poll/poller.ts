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
 * track-lease.ts the track's lease; race-day.ts one track's race day;
 * race-book.ts what is known of each race;
 * race-poll.ts one poll of a race (status first); schedule.ts when to poll
 * (pure); http.ts fetching; page-fetch.ts the html, json and module endpoints
 * (browser-render.ts, `render: browser`); retention.ts the daily prune;
 * locked-writes.ts waiting out another process's write lock.
 *
 * Invariants:
 * - A track is polled only while this worker (`workerName`) holds its lease (track-lease.ts),
 *   so several workers on one database share the configured tracks; a lone worker takes every
 *   lease at once and polls as before. A lease lost to another worker (ours lapsed) stops that
 *   track after the request in flight and it waits for the lease again; stop() releases them.
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
 * - Module endpoints (format: module) are imported by run() before anything
 *   is fetched: one that cannot be is a ConfigError and nothing is polled.
 *   The browser of `render: browser` endpoints is launched at the first such
 *   fetch and closed when run() ends; a Chromium that cannot be launched
 *   stops every track (BrowserUnavailableError), as a database failure does.
 */
import os from "node:os";
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
import { loadAdapterModules, type ModuleRegistry } from "../adapters/module-adapter.js";
import { BrowserRenderer } from "./browser-render.js";
import type { PageRead, PollContext, PollerConfig } from "./context.js";
import { FeedHttpClient } from "./http.js";
import { PageFetcher } from "./page-fetch.js";
import { LockedWrites } from "./locked-writes.js";
import { nextCalendarDate, pollRaceDay, startOfDay } from "./race-day.js";
import { RetentionSchedule } from "./retention.js";
import { DEFAULT_GIVE_UP_AFTER_POST_MS } from "./schedule.js";
import { TrackLease, TRACK_LEASE_MS } from "./track-lease.js";

export type { PollerConfig } from "./context.js";

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
  /** The Chromium of `render: browser` endpoints; default TOTEWATCH_CHROMIUM, else /usr/bin/chromium. */
  chromiumPath?: string;
  /** This worker's name in the track leases (`--worker-name`); default `${os.hostname()}:${process.pid}`. */
  workerName?: string;
  /** How long a track lease lasts unless renewed (renewed every third of it); default TRACK_LEASE_MS. */
  leaseMs?: number;
  /**
   * Test hook: false leaves the leases in place when stopped, as a killed worker would (they
   * expire leaseMs after their last renewal); default true: stop() releases them.
   */
  releaseLeasesOnStop?: boolean;
}

/** The poll's counts, and the fields adapters could not read (`--strict` fails on them too). */
export type PollSummary = IngestSummary & { unreadable: number };

export interface Poller {
  /**
   * With a date, polls until every race of that day is finished; without,
   * until stop(). Resolves with the counts.
   */
  run(): Promise<PollSummary>;
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
  let modules: ModuleRegistry = new Map();
  let renderer: BrowserRenderer | undefined;
  const pages = new PageFetcher({
    http,
    renderer: () =>
      (renderer ??= new BrowserRenderer({
        http: config.http,
        executablePath: options.chromiumPath,
        logger,
        signal,
      })),
    modules: () => modules,
    logger,
    signal,
    timeoutMs: config.http.timeoutMs,
  });
  const locked = new LockedWrites({ file: db.path, clock, sleep, signal, logger, random: options.random });

  async function pollEndpoint(url: string, reader: string, page?: PageRead): Promise<boolean> {
    const fetchedAt = clock.now();
    // An endpoint's URL may carry a password (http.ts sends it as basic auth): logged only masked.
    const shown = redactUrl(url);
    const result = page
      ? await pages.fetch(url, page, fetchedAt, reader)
      : await http.fetchFeed(url, undefined, reader);
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

  const workerName = options.workerName ?? `${os.hostname()}:${process.pid}`;
  const leaseMs = options.leaseMs ?? TRACK_LEASE_MS;

  /**
   * Polls `track` while this worker holds its lease (track-lease.ts): waits for it, polls day
   * after day until stopped (or options.date is done), and goes back to waiting when it is lost.
   */
  async function pollLeasedTrack(track: TrackConfig): Promise<void> {
    const lease = new TrackLease({
      db,
      track: track.name,
      holder: workerName,
      ttlMs: leaseMs,
      clock,
      sleep,
      signal,
      logger,
      whileLocked: (what, work) => locked.run(what, work),
    });
    let failed = false;
    try {
      for (;;) {
        const held = await lease.acquire();
        if (held === null) return;
        const trackCtx: PollContext = {
          ...ctx,
          signal: held,
          sleep: lease.sleep,
          async pollEndpoint(url, reader, page) {
            await lease.renewIfDue();
            if (held.aborted) return false;
            return ctx.pollEndpoint(url, reader, page);
          },
        };
        await pollTrack(trackCtx, track);
        // Done (options.date) or stopped; otherwise the lease was lost: wait for it again.
        if (signal.aborted || !held.aborted) return;
      }
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      if (failed || !signal.aborted || options.releaseLeasesOnStop !== false) await lease.release();
    }
  }

  /** Polls `track` day after day (or only options.date) until `trackCtx.signal` (stop or a lost lease). */
  async function pollTrack(trackCtx: PollContext, track: TrackConfig): Promise<void> {
    const { signal, sleep } = trackCtx;
    let date = options.date ?? localDateOf(new Date(clock.now()), track.timezone);
    for (;;) {
      await pollRaceDay(trackCtx, track, date);
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
      // Every module endpoint imported before anything is fetched: a broken one is a ConfigError.
      modules = await loadAdapterModules(config, { only: (track) => track.enabled !== false });
      // Stored before any card arrives, so a card's local "HH:MM" post time is read in the configured zone.
      await locked.run("configured tracks", () => registerConfiguredTracks(db, tracks));
      // No retention here: a day replayed just before starting is not pruned at start (retention.ts).
      const results = await Promise.allSettled(
        tracks.map((track) =>
          pollLeasedTrack(track).catch((error: unknown) => {
            // One track's database failure stops them all rather than leaving the others running blind.
            controller.abort();
            throw error;
          }),
        ),
      );
      await renderer?.close();
      progress.finish();
      const failure = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
      if (failure) throw failure.reason;
      const summary = summarize(ingestor.stats, performance.now() - started, signal.aborted);
      return { ...summary, unreadable: pages.unreadable };
    },
  };
}
