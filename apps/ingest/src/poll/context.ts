/**
 * What one track's race-day loop is given by the poller (poller.ts) that owns
 * the shared pieces: the config, the database, the clock, the stop signal,
 * the endpoint fetch-and-commit, the retention schedule and the retries of
 * work that finds the database locked by another process.
 *
 * Invariants:
 * - One PollContext per poller, shared by every track: one stop signal, one
 *   HTTP client (per-host delays span tracks), one ingestor (one set of counts).
 * - Time is read only through `clock` and waited only through `sleep`, so
 *   tests drive the whole poller on a fake clock.
 */
import type {
  AdaptedKind,
  Clock,
  EndpointAdapter,
  Logger,
  Sleep,
  TotewatchConfig,
  TrackConfig,
} from "@totewatch/config";
import type { Db } from "@totewatch/db";
import type { LockedWriteResult } from "./locked-writes.js";

/**
 * `source`: the config file read (a LoadedConfig's), where a module endpoint's relative path
 * starts; absent or null, the working directory.
 */
export type PollerConfig = Pick<TotewatchConfig, "tracks" | "cadence" | "http" | "retention"> & {
  source?: string | null;
};

/** An endpoint whose format is html, json or module: its adapter and what it reads the body for. */
export interface PageRead {
  adapter: EndpointAdapter;
  track: TrackConfig;
  date: string;
  /** The {race} the URL was filled with, when it was. */
  race?: number;
}

/** Who reads an endpoint's body: `${track}:${kind}` (kind: card, status, win, exacta). */
export function readerKey(track: Pick<TrackConfig, "name">, kind: string): string {
  return `${track.name}:${kind}`;
}

/** The page read of `track`'s `kind` endpoint, or undefined when it is the feed format. */
export function pageReadOf(
  track: TrackConfig,
  kind: AdaptedKind,
  date: string,
  race?: number,
): PageRead | undefined {
  const adapter = track.adapters?.[kind];
  return adapter === undefined
    ? undefined
    : { adapter, track, date, ...(race === undefined ? {} : { race }) };
}

export interface PollContext {
  config: PollerConfig;
  db: Db;
  logger?: Logger;
  clock: Clock;
  sleep: Sleep;
  /** Aborted by stop() (or by a track's failure): every loop ends after the write in flight. */
  signal: AbortSignal;
  /** A race that never goes off is given up this long after post (schedule.ts). */
  giveUpAfterPostMs: number;
  /**
   * Fetches one endpoint and commits what it returned as one group commit, message by message;
   * true when the fetch succeeded (whatever its messages were), false when it failed or was stopped.
   * With `page`, the body is an html or json page its adapter turns into feed messages (adapters/),
   * or a module endpoint's body its module reads; an html page with `render: browser` is loaded
   * in Chromium (page-fetch.ts). Throws only when the browser cannot be launched at all.
   * `reader` names the endpoint (readerKey: track and kind): a URL's conditional-request
   * validators are kept per reader, so endpoints sharing a URL each get its body.
   */
  pollEndpoint(url: string, reader: string, page?: PageRead): Promise<boolean>;
  /** Prunes old data when the daily retention hour has come (never throws; retention.ts). */
  pruneIfDue(): Promise<void>;
  /** When pruneIfDue will next prune (epoch ms; +Infinity with retention off). */
  nextPruneAt(): number;
  /**
   * Runs database work, retrying it with backoff while another process holds the database
   * locked past the busy timeout (locked-writes.ts); `{ ok: false }` when stop() ended the wait.
   */
  whileLocked<T>(
    what: string,
    work: () => Promise<T>,
    kind?: "write" | "read",
  ): Promise<LockedWriteResult<T>>;
}
