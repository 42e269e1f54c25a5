/**
 * The alerts engine: evaluates every snapshot ingest wrote since the last
 * pass, exactly once.
 *
 * A pass (pass.ts) decides in a READ transaction: it reads what is pending
 * after the high-water marks, evaluates it, and keeps the surviving alerts
 * and the moved marks in memory (dry-run.ts memoryWriter). Then ONE short
 * write transaction (@totewatch/db commitEvaluation) stores the alerts with
 * their delivery rows and moves both marks, unless a mark moved since the
 * pass read it (another daemon's pass committed first): then nothing is
 * stored and the pass decides again on what that one stored. Ingest never
 * waits while a pass reads, on either engine. A pass refused
 * DECISIONS_BEFORE_LOCKED times runs as one write transaction instead,
 * where nothing can overtake it. A crash anywhere before the commit leaves
 * everything as it was (the pass runs again after a restart); after it,
 * nothing is evaluated again. Each alert's dedupe key is a second line of
 * defence: re-evaluating a snapshot (e.g. a cursor reset by hand) inserts
 * nothing.
 *
 * A dry run (`dryRun`) evaluates the same passes in READ transactions and
 * writes nothing; each would-be alert is returned for the dry-run channels
 * to show.
 */
import type { Logger, TotewatchConfig } from "@totewatch/config";
import {
  commitEvaluation,
  evaluationReadTransaction,
  evaluationTransaction,
  type AlertInput,
  type Db,
  type PassLimits,
  type StoredAlert,
} from "@totewatch/db";
import { dryRunWriter, memoryWriter, PassMemory, type DryRun } from "./dry-run.js";
import { addStats, emptyStats, settingsResolver, type EvaluationStats } from "./evaluate-units.js";
import { runPass, type PassContext, type PassResult } from "./pass.js";

/** Decisions refused in a row (other daemons committed first each time) before a pass takes the writers' lock. */
export const DECISIONS_BEFORE_LOCKED = 3;

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
  /**
   * Awaited inside each pass's read transaction once the pass has decided, before its commit
   * (tests: what ingest or another daemon commits meanwhile).
   */
  whileDeciding?: () => Promise<void>;
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
      : await committedPass(db, config, context, options.whileDeciding);
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

/** One pass: decided in a read transaction, then committed (see the header). */
async function committedPass(
  db: Db,
  config: TotewatchConfig,
  context: PassContext,
  whileDeciding: (() => Promise<void>) | undefined,
): Promise<PassResult> {
  for (let decisions = 0; decisions < DECISIONS_BEFORE_LOCKED; decisions++) {
    const memory = new PassMemory();
    const alerts: AlertInput[] = [];
    const pass = await evaluationReadTransaction(db, async (tx) => {
      const decided = await runPass(
        memoryWriter(tx, memory, (input) => void alerts.push(input)),
        config,
        context,
      );
      await whileDeciding?.();
      return decided;
    });
    // Nothing evaluated: nothing to store (a pass that raises an alert moves the marks).
    if (memory.cursors.size === 0 && alerts.length === 0) return pass;
    const committed = await commitEvaluation(db, {
      marksRead: memory.marksRead,
      marks: memory.cursors,
      alerts,
      channels: context.channels,
      now: context.now,
    });
    if (committed) return { ...pass, alertIds: committed.alertIds };
  }
  return evaluationTransaction(db, (tx) => runPass(tx, config, context));
}
