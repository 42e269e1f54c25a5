/**
 * The alerts engine: evaluates every snapshot ingest wrote since the last
 * pass, exactly once.
 *
 * Each pass (pass.ts) is ONE transaction (@totewatch/db evaluationTransaction)
 * that reads what is pending, evaluates it, stores the surviving alerts with
 * their delivery rows, and moves both high-water marks. A crash anywhere before the commit leaves
 * everything as it was (the pass runs again after a restart); after it,
 * nothing is evaluated again. Each alert's dedupe key is a second line of
 * defence: re-evaluating a snapshot (e.g. a cursor reset by hand) inserts
 * nothing.
 *
 * On SQLite the pass holds the write lock while it evaluates; how much one
 * pass reads is the database's batching policy (@totewatch/db nextBatch), so
 * ingest never waits long. On PostgreSQL it reads without the lock and takes
 * it at its first write; a pass another daemon overtook runs again, so a pass
 * has no effect outside its transaction (its results are added up here, after
 * it commits).
 *
 * A dry run (`dryRun`, dry-run.ts) evaluates the same passes in READ
 * transactions and writes nothing; each would-be alert is returned for the
 * dry-run channels to show.
 */
import type { Logger, TotewatchConfig } from "@totewatch/config";
import {
  evaluationReadTransaction,
  evaluationTransaction,
  type Db,
  type PassLimits,
  type StoredAlert,
} from "@totewatch/db";
import { dryRunWriter, type DryRun } from "./dry-run.js";
import { addStats, emptyStats, settingsResolver, type EvaluationStats } from "./evaluate-units.js";
import { runPass } from "./pass.js";

export interface ProcessPendingOptions extends Partial<PassLimits> {
  /** Clock for created_at / cursor times; default the wall clock. Alerts are timed by their snapshot. */
  now?: Date | (() => Date);
  logger: Logger;
  /** Channels that get a delivery row per new alert; default the channels enabled in the config. */
  channels?: readonly string[];
  /** Stop after this many passes even if more is pending (default: until caught up). */
  maxPasses?: number;
  /** Evaluate without writing anything; the state carries over between calls (see DryRun). */
  dryRun?: DryRun;
}

export interface ProcessPendingResult extends EvaluationStats {
  passes: number;
  /** Nothing was pending when the last pass ended. */
  caughtUp: boolean;
  /** The new alerts' ids, in the order they were raised (none in a dry run). */
  alertIds: number[];
  /** Dry run: the alerts a real run would have stored, in the order they were raised, as they would read back. */
  unstored: StoredAlert[];
}

/** The names of the channels enabled in the config. */
export function enabledChannelNames(config: TotewatchConfig): string[] {
  // Every channel the config has, in its order, that is switched on.
  return Object.entries(config.alerts.channels)
    .filter(([, channel]) => channel.enabled)
    .map(([name]) => name);
}

/** Evaluates everything pending (in bounded passes) and stores the alerts it raises. */
export async function processPending(
  db: Db,
  config: TotewatchConfig,
  options: ProcessPendingOptions,
): Promise<ProcessPendingResult> {
  const clock =
    typeof options.now === "function" ? options.now : () => (options.now as Date | undefined) ?? new Date();
  const channels = options.channels ?? enabledChannelNames(config);
  const settings = settingsResolver(config);
  const limits: Partial<PassLimits> = {
    maxWinRows: options.maxWinRows,
    maxExactaGrids: options.maxExactaGrids,
    maxExactaRows: options.maxExactaRows,
  };
  const result: ProcessPendingResult = {
    ...emptyStats(),
    passes: 0,
    caughtUp: false,
    alertIds: [],
    unstored: [],
  };
  const maxPasses = options.maxPasses ?? Number.POSITIVE_INFINITY;
  const { dryRun } = options;

  while (result.passes < maxPasses) {
    const context = { channels, settings, limits, now: clock() };
    const pass = dryRun
      ? await evaluationReadTransaction(db, async (tx) =>
          runPass(dryRunWriter(tx, dryRun, result.unstored), config, context),
        )
      : await evaluationTransaction(db, async (tx) => runPass(tx, config, context));
    result.passes++;
    addStats(result, pass.stats);
    if (!dryRun) result.alertIds.push(...pass.alertIds);
    if (pass.stats.raised > 0 || pass.units > 0) {
      options.logger.debug(
        {
          units: pass.units,
          winSnapshots: pass.stats.winSnapshots,
          exactaGrids: pass.stats.exactaGrids,
          raised: pass.stats.raised,
          suppressed: pass.stats.suppressed,
        },
        "alerts pass",
      );
    }
    if (pass.caughtUp) {
      result.caughtUp = true;
      break;
    }
  }
  if (result.raised > 0) {
    options.logger.info(
      { raised: result.raised, winSnapshots: result.winSnapshots, exactaGrids: result.exactaGrids },
      dryRun ? `dry run: would raise ${result.raised} alert(s)` : `raised ${result.raised} alert(s)`,
    );
  }
  return result;
}
