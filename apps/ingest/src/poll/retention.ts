/**
 * Retention while polling: old odds and alerts are pruned once a day at a
 * fixed local hour (04:00 by default, in the machine's zone), as the origin
 * did, never at start-up: a day just replayed from weeks ago is still there
 * when `ingest poll` starts, and goes only at the next scheduled hour.
 *
 * Invariants:
 * - The first run is the first scheduled hour strictly after start; each
 *   later run the first one strictly after the run before it (after a
 *   suspended machine: one run, then the next hour to come, no catch-up).
 * - A run that deletes something says so at info level: how many rows of
 *   each kind and the cut-off instants (everything fetched or raised before
 *   them went). A run that deletes nothing says so at debug level only.
 * - A failed run (a database locked past its busy timeout included) is
 *   logged and tried again at the next scheduled hour; it never stops polling.
 */
import type { Clock, Logger, TotewatchConfig } from "@totewatch/config";
import { pruneOldData, type Db } from "@totewatch/db";
import { localDateOf, resolvePostTime } from "@totewatch/tote";
import { nextCalendarDate } from "./race-day.js";
import { isDatabaseLocked } from "./locked-writes.js";

/** The local hour retention runs at unless told otherwise (the quiet hours between race days). */
export const DEFAULT_RETENTION_HOUR = 4;

const DAY_MS = 86_400_000;

/** The machine's own zone (TZ, else the system's), where the retention hour is read. */
export function machineTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/**
 * The first instant strictly after `now` at which the clock in `timeZone` reads `hour`:00 (a
 * day whose hour falls in a daylight-saving gap runs when the clock jumps past it).
 */
export function nextRetentionAt(now: number, hour: number, timeZone: string): number {
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) {
    throw new RangeError(`retention hour must be a whole number 0..23, got ${String(hour)}`);
  }
  const time = `${String(hour).padStart(2, "0")}:00`;
  let date = localDateOf(new Date(now), timeZone);
  // Today's hour, else tomorrow's; a third day only when a zone skips a whole day (Samoa, 2011).
  for (let day = 0; day < 3; day++) {
    const at = resolvePostTime(time, date, timeZone).getTime();
    if (at > now) return at;
    date = nextCalendarDate(date);
  }
  return now + DAY_MS;
}

export interface RetentionScheduleOptions {
  db: Db;
  policy: TotewatchConfig["retention"];
  clock: Clock;
  logger?: Logger;
  /** Local hour (0..23) of the daily run; default DEFAULT_RETENTION_HOUR. */
  hour?: number;
  /** Zone the hour is read in; default the machine's. */
  timeZone?: string;
  /** Off: never due (`ingest poll --no-retention`). */
  enabled: boolean;
  /** The prune itself (default pruneOldData); tests give one that fails as a locked database does. */
  prune?: typeof pruneOldData;
}

/** The poller's daily retention: when it is next due, and running it when it is. */
export class RetentionSchedule {
  private nextAt: number;
  private readonly hour: number;
  private readonly timeZone: string;

  constructor(private readonly options: RetentionScheduleOptions) {
    this.hour = options.hour ?? DEFAULT_RETENTION_HOUR;
    this.timeZone = options.timeZone ?? machineTimeZone();
    // Never at start: the first run is the next scheduled hour.
    this.nextAt = options.enabled
      ? nextRetentionAt(options.clock.now(), this.hour, this.timeZone)
      : Number.POSITIVE_INFINITY;
  }

  /** When the next run is due (epoch ms; +Infinity with retention off). */
  get dueAt(): number {
    return this.nextAt;
  }

  /** Prunes when the scheduled hour has come (never throws); otherwise does nothing. */
  async runIfDue(): Promise<void> {
    const { clock, db, logger, policy } = this.options;
    const now = clock.now();
    if (now < this.nextAt) return;
    this.nextAt = nextRetentionAt(now, this.hour, this.timeZone);
    const next = new Date(this.nextAt).toISOString();
    const oddsBefore = new Date(now - policy.oddsDays * DAY_MS).toISOString();
    const alertsBefore = new Date(now - policy.alertsDays * DAY_MS).toISOString();
    try {
      const removed = await (this.options.prune ?? pruneOldData)(db, { ...policy, now: new Date(now) });
      const total = removed.oddsSnapshots + removed.exactaProbables + removed.alerts;
      const fields = { ...removed, oddsBefore, alertsBefore, next };
      if (total === 0) {
        logger?.debug(fields, "retention: nothing older than the retention window");
        return;
      }
      logger?.info(
        fields,
        `retention: deleted ${total} rows: ${removed.oddsSnapshots} win odds and ${removed.exactaProbables} ` +
          `exacta rows fetched before ${oddsBefore} (oddsDays ${policy.oddsDays}), ${removed.alerts} ` +
          `alerts raised before ${alertsBefore} (alertsDays ${policy.alertsDays}); next run ${next}`,
      );
    } catch (error) {
      if (isDatabaseLocked(error)) {
        // A routine condition (a backup, a VACUUM): one line with the reason, no stack trace.
        logger?.warn(
          { error: (error as Error).message, next },
          `retention skipped: the database is locked by another process; will try again at ${next}`,
        );
      } else {
        logger?.error({ err: error, next }, `retention failed; will try again at ${next}`);
      }
    }
  }
}
