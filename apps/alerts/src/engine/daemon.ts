/**
 * `alerts run`: evaluate what ingest wrote, deliver what is due, sleep, repeat.
 * A stop request (signal) lets the current step finish, then the loop ends.
 *
 * Several daemons (or `run --once` beside `run`) may share one file: each
 * delivery is claimed right before it is sent (deliverDue's claimForMs), so
 * exactly one of them sends it.
 *
 * Dry run (dry-run channels, `--dry-run`): evaluation runs in read
 * transactions and stores nothing, cursors included (dry-run.ts DryRun);
 * what each channel would send - the would-be alerts and the stored ones
 * still due - is shown through the dry-run channels, each (alert, channel)
 * pair once per run (the dry-run state remembers what was shown; stored rows
 * stay due, so every turn reads them again). The file is left as it was.
 */
import { realSleep, type Logger, type TotewatchConfig } from "@totewatch/config";
import { retriableDatabaseError, watchCommits, type Db } from "@totewatch/db";
import {
  channelTakes,
  claimDurationMs,
  deliverDue,
  dryRunChannel,
  type Channel,
  type DeliverDueResult,
} from "../delivery/index.js";
import { DryRunShown } from "../delivery/deliver.js";
import { DryRun } from "./dry-run.js";
import { processPending, type ProcessPendingResult } from "./process.js";

export interface RunDaemonOptions {
  config: TotewatchConfig;
  logger: Logger;
  /** The delivery channels (createChannels); their names get a delivery row per new alert. */
  channels: readonly Channel[];
  /**
   * Store nothing, send nothing: show what would be sent. Default: whether the
   * channels are dry-run stand-ins (createChannels with dryRun).
   */
  dryRun?: boolean;
  /** Process everything pending (evaluation, then delivery of what is due now) and return. */
  once?: boolean;
  /** Stops the loop after the step in progress. */
  signal?: AbortSignal;
  /** Default config.alerts.pollIntervalMs. */
  pollIntervalMs?: number;
  /** Evaluation passes per loop turn before delivery gets a turn (default 1: alerts go out during a backlog). */
  passesPerTurn?: number;
  /** Clock for evaluation and delivery; default the wall clock. */
  now?: () => Date;
  /** Called after each turn (tests, benchmarks). */
  onTurn?: (turn: DaemonTurn) => void;
  /**
   * Wake up as soon as another client commits to the database (watchCommits
   * of @totewatch/db), not only every poll interval. Default true; the poll
   * stays as the fallback when commits cannot be watched.
   */
  wakeOnWrite?: boolean;
}

export interface DaemonTurn {
  evaluation: ProcessPendingResult;
  delivery: DeliverDueResult;
}

export interface DaemonSummary {
  turns: number;
  winSnapshots: number;
  exactaGrids: number;
  raised: number;
  delivered: number;
  failed: number;
  gaveUp: number;
  /** Dry run: would-be sends shown, each (alert, channel) pair once however many turns it stays due. */
  dryRun: number;
  errors: number;
}

/** Delivery rows looked at per deliverDue call. */
const DELIVERY_BATCH = 200;
/** `--once`: at most this many delivery rounds (each retries nothing that failed in it: backoff). */
const ONCE_DELIVERY_ROUNDS = 1000;

export async function runDaemon(db: Db, options: RunDaemonOptions): Promise<DaemonSummary> {
  const { config, logger, signal } = options;
  const now = options.now ?? (() => new Date());
  const pollIntervalMs = options.pollIntervalMs ?? config.alerts.pollIntervalMs;
  const dryRun = options.dryRun ?? options.channels.some((channel) => channel.dryRun);
  // A dry run never hands an alert to a real channel.
  const channels = dryRun
    ? options.channels.map((channel) => (channel.dryRun ? channel : dryRunChannel(channel.name, logger)))
    : options.channels;
  const channelNames = channels.map((channel) => channel.name);
  // A dry run's memory across turns: evaluation's marks and would-be alerts, and every
  // (alert, channel) pair shown so far, so nothing due is shown or counted twice.
  const dryRunState = dryRun ? { evaluation: new DryRun(), shown: new DryRunShown() } : undefined;
  const summary: DaemonSummary = {
    turns: 0,
    winSnapshots: 0,
    exactaGrids: 0,
    raised: 0,
    delivered: 0,
    failed: 0,
    gaveUp: 0,
    dryRun: 0,
    errors: 0,
  };
  if (channelNames.length === 0) {
    logger.warn("no alert channel is enabled: alerts are stored but not delivered (alerts.channels)");
  }
  // Longer than any send may take, so a claim only lapses when its holder died (then the row is retried).
  const claimForMs = dryRun ? undefined : claimDurationMs(channels);
  const deliver = () =>
    deliverDue(db, channels, {
      now,
      delivery: config.alerts.delivery,
      logger,
      limit: DELIVERY_BATCH,
      claimForMs,
      dryRunShown: dryRunState?.shown,
    });
  const count = (delivery: DeliverDueResult) => {
    summary.delivered += delivery.delivered;
    summary.failed += delivery.failed;
    summary.gaveUp += delivery.gaveUp;
    summary.dryRun += delivery.dryRun;
  };
  /** Dry run: the alerts evaluation would have stored, through every (dry-run) channel. */
  const showUnstored = async (evaluation: ProcessPendingResult) => {
    if (!dryRunState) return;
    for (const alert of evaluation.unstored) {
      for (const channel of channels) {
        // A channel's `only:` decides here as in deliverDue: a dry run shows what would really go.
        if (!channelTakes(channel, alert)) continue;
        if (!dryRunState.shown.add(channel.name, alert.dedupeKey)) continue;
        await channel.send(alert);
        summary.dryRun += 1;
      }
    }
  };

  const waker = options.once || options.wakeOnWrite === false ? null : wakeOnCommit(db, logger);
  try {
    await loop();
  } finally {
    await waker?.close();
  }
  return summary;

  async function loop(): Promise<void> {
    while (!signal?.aborted) {
      let caughtUp = true;
      try {
        const evaluation = await processPending(db, config, {
          now,
          logger,
          channels: channelNames,
          maxPasses: options.once ? undefined : (options.passesPerTurn ?? 1),
          dryRun: dryRunState?.evaluation,
        });
        caughtUp = evaluation.caughtUp;
        summary.winSnapshots += evaluation.winSnapshots;
        summary.exactaGrids += evaluation.exactaGrids;
        summary.raised += evaluation.raised;
        await showUnstored(evaluation);
        // A dry run's deliverDue reads every due row at once (it moves nothing, so there are no rounds)
        // and shows those not shown in an earlier turn.
        let delivery = await deliver();
        count(delivery);
        if (options.once && !dryRun) {
          // Everything due now, in batches; a failure is not due again until its backoff has passed,
          // and rows another deliverer holds are left to it.
          for (
            let round = 1;
            round < ONCE_DELIVERY_ROUNDS &&
            delivery.delivered + delivery.failed + delivery.gaveUp + delivery.alreadyDelivered > 0;
            round++
          ) {
            if (signal?.aborted) break;
            delivery = await deliver();
            count(delivery);
          }
        }
        summary.turns++;
        options.onTurn?.({ evaluation, delivery });
      } catch (error) {
        if (options.once) throw error;
        summary.errors++;
        const retriable = retriableDatabaseError(error);
        if (retriable === null)
          logger.error({ err: error }, "alerts turn failed; retrying after the poll interval");
        else {
          // Nothing was stored of the turn's pass (its commit failed whole): the next turn does it.
          logger.warn(
            { error: (error as Error).message },
            retriable === "locked"
              ? "the database is busy (another process holds its write lock); retrying after the poll interval"
              : "the database cannot be reached; retrying after the poll interval",
          );
        }
        caughtUp = true;
      }
      if (options.once) break;
      // Behind (a backlog): go straight on; caught up: wait for new snapshots.
      if (caughtUp) await (waker ? waker.wait(pollIntervalMs, signal) : realSleep(pollIntervalMs, signal));
    }
  }
}

interface CommitWaker {
  /** Resolves at the next commit to the database, after `ms`, or when `signal` aborts. */
  wait(ms: number, signal?: AbortSignal): Promise<void>;
  /** Stops watching for commits. */
  close(): Promise<void>;
}

/**
 * Wakes a wait at every commit by any client (ingest in another process too).
 * When commits cannot be watched, a wait is the poll interval alone.
 */
function wakeOnCommit(db: Db, logger: Logger): CommitWaker {
  const stopWatching = new AbortController();
  // Set between a wait's start and its end; a commit seen in between wakes it.
  let wake: (() => void) | null = null;
  let committed = false;
  const watching = watchCommits(
    db,
    () => {
      committed = true;
      wake?.();
    },
    { signal: stopWatching.signal },
  ).catch((error: unknown) => {
    logger.debug({ err: error }, "cannot watch the database for writes; polling only");
  });
  return {
    wait(ms, signal) {
      // A commit during the last turn (not our own pass: it found nothing to do) may be new data.
      if (committed) {
        committed = false;
        return Promise.resolve();
      }
      const controller = new AbortController();
      const stop = () => controller.abort();
      signal?.addEventListener("abort", stop, { once: true });
      wake = stop;
      return realSleep(ms, controller.signal).finally(() => {
        wake = null;
        committed = false;
        signal?.removeEventListener("abort", stop);
      });
    },
    async close() {
      stopWatching.abort();
      await watching;
    },
  };
}
