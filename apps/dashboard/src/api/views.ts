/**
 * Stored rows (from @totewatch/db) as the API's JSON (types.ts): instants as
 * ISO strings, odds beside their board text, a board's betting interests and
 * win probabilities computed as the alert rules compute them (@totewatch/tote),
 * so a number on the page is the number an alert would quote.
 *
 * Pure: no database, no clock.
 */
import type {
  AlertWithDeliveries,
  BoardRunner as StoredRunner,
  OddsPoint,
  RaceBoard,
  RaceOverview,
} from "@totewatch/db";
import {
  bettingInterestOf,
  boardOddsText,
  DEFAULT_CURRENCY,
  compareProgramNumbers,
  interestsOfRunners,
  oddsToDecimal,
  winProbabilities,
  type BoardOddsFormat,
} from "@totewatch/tote";
import type {
  AlertMark,
  AlertRow,
  BoardRunner,
  RaceHistoryResponse,
  RaceResponse,
  RaceRow,
} from "./types.js";

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

const oddsText = (odds: number | null, display: BoardOddsFormat): string | null =>
  odds === null ? null : boardOddsText(odds, display);

export function raceRow(race: RaceOverview, display: BoardOddsFormat): RaceRow {
  return {
    raceId: race.raceId,
    track: race.track,
    trackCode: race.trackCode,
    timezone: race.timezone,
    raceDate: race.raceDate,
    raceNumber: race.raceNumber,
    postTime: iso(race.postTime),
    offAt: iso(race.offAt),
    status: race.status,
    runners: race.runners,
    scratched: race.scratched,
    lastBoardAt: iso(race.lastBoardAt),
    totalWinPool: race.totalWinPool,
    totalExactaPool: race.totalExactaPool,
    favourite: race.favourite && {
      programNumber: race.favourite.programNumber,
      horse: race.favourite.horse,
      winOdds: race.favourite.winOdds,
      oddsText: boardOddsText(race.favourite.winOdds, display),
    },
    alerts: race.alerts,
    display: {
      oddsFormat: display.oddsFormat,
      dividendUnit: display.dividendUnit,
      currency: display.currency ?? DEFAULT_CURRENCY,
    },
  };
}

export function alertMark(
  alert: Pick<AlertWithDeliveries, "alertId" | "alertType" | "triggeredAt" | "subject">,
): AlertMark {
  return {
    alertId: alert.alertId,
    alertType: alert.alertType,
    triggeredAt: alert.triggeredAt.toISOString(),
    subject: alert.subject,
  };
}

/** Percent change of decimal odds from `before` to `after` (how the rules measure a move). */
function movePercent(before: number | null, after: number | null): number | null {
  if (before === null || after === null) return null;
  const from = oddsToDecimal(before);
  return ((oddsToDecimal(after) - from) / from) * 100;
}

/** Runners on the newest board that carry odds: what the interests and probabilities are read from. */
function pricedRunners(runners: readonly StoredRunner[]) {
  return runners.flatMap((runner) =>
    runner.winOdds === null || runner.scratched || runner.fetchedAt === null
      ? []
      : [
          {
            entryId: runner.entryId,
            programNumber: runner.programNumber,
            horse: runner.horse,
            morningLine: runner.morningLineOdds,
            winOdds: runner.winOdds,
            winPoolAmount: runner.winPoolAmount,
          },
        ],
  );
}

export function raceResponse(
  board: RaceBoard,
  overview: RaceOverview,
  alerts: readonly AlertWithDeliveries[],
  display: BoardOddsFormat,
): RaceResponse {
  // Only runners on the newest board itself: one left over from an earlier board (scratched
  // since, or dropped) would skew the probabilities of those that are priced now.
  const onBoard = board.runners.filter(
    (runner) => board.fetchedAt !== null && runner.fetchedAt?.getTime() === board.fetchedAt.getTime(),
  );
  const probabilities =
    onBoard.length > 0 ? winProbabilities(interestsOfRunners(pricedRunners(onBoard))) : null;
  const total = board.totalWinPool;
  const runners: BoardRunner[] = board.runners.map((runner) => {
    const interest = bettingInterestOf(runner.programNumber);
    const current = onBoard.includes(runner);
    // The move over the longest span the board has: 15 minutes, or 5 when the race's boards
    // began less than 15 minutes before the newest.
    const oldest = [...runner.earlier].reverse().find((earlier) => earlier.winOdds !== null)?.winOdds ?? null;
    const runnerAlerts = alerts.filter(
      (alert) =>
        alert.runner?.entryId === runner.entryId ||
        // An alert on an interest without a runner row names it by program number; "1-4" is an exacta.
        (alert.runner === null &&
          alert.subject !== null &&
          !alert.subject.includes("-") &&
          bettingInterestOf(alert.subject) === interest),
    );
    return {
      entryId: runner.entryId,
      programNumber: runner.programNumber,
      interest,
      horse: runner.horse,
      jockey: runner.jockey,
      trainer: runner.trainer,
      morningLine: runner.morningLineOdds,
      morningLineText: oddsText(runner.morningLineOdds, { oddsFormat: "odds_to_one", dividendUnit: 1 }),
      scratched: runner.scratched,
      scratchedAt: iso(runner.scratchedAt),
      fetchedAt: iso(runner.fetchedAt),
      winOdds: runner.winOdds,
      oddsText: oddsText(runner.winOdds, display),
      earlier: runner.earlier.map((earlier) => ({
        minutesAgo: earlier.minutesAgo,
        fetchedAt: iso(earlier.fetchedAt),
        winOdds: earlier.winOdds,
        oddsText: oddsText(earlier.winOdds, display),
      })),
      movePercent: current ? movePercent(oldest, runner.winOdds) : null,
      probability: current && !runner.scratched ? (probabilities?.byKey.get(interest) ?? null) : null,
      poolAmount: current ? runner.winPoolAmount : null,
      poolShare:
        current && runner.winPoolAmount !== null && total !== null && total > 0
          ? runner.winPoolAmount / total
          : null,
      alerts: runnerAlerts.map(alertMark),
    };
  });
  return {
    race: raceRow(overview, display),
    board: {
      fetchedAt: iso(board.fetchedAt),
      totalWinPool: total,
      probabilitySource: probabilities?.source ?? null,
      runners,
    },
  };
}

/** A race's stored boards as columns: one time axis, one odds and one pool row per runner. */
export function raceHistory(
  board: RaceBoard,
  points: readonly OddsPoint[],
  alerts: readonly AlertWithDeliveries[],
  display: BoardOddsFormat,
): RaceHistoryResponse {
  const runners = [...board.runners].sort((a, b) => compareProgramNumbers(a.programNumber, b.programNumber));
  const row = new Map(runners.map((runner, index) => [runner.entryId, index]));
  const times: number[] = [];
  const column = new Map<number, number>();
  for (const point of points) {
    const at = point.fetchedAt.getTime();
    if (!column.has(at)) {
      column.set(at, times.length);
      times.push(at);
    }
  }
  // Points come oldest first (oddsHistoryForRace), so `times` is already ascending.
  const empty = () => times.map((): number | null => null);
  const odds = runners.map(empty);
  const pool = runners.map(empty);
  const totalPool = empty();
  for (const point of points) {
    const r = row.get(point.entryId);
    const t = column.get(point.fetchedAt.getTime())!;
    if (r === undefined) continue;
    odds[r]![t] = point.winOdds;
    pool[r]![t] = point.winPoolAmount;
    totalPool[t] ??= point.totalWinPool;
  }
  return {
    raceId: board.race.raceId,
    postTime: iso(board.race.postTime),
    offAt: iso(board.race.offAt),
    runners: runners.map(({ entryId, programNumber, horse, scratched }) => ({
      entryId,
      programNumber,
      horse,
      scratched,
    })),
    times,
    odds,
    pool,
    totalPool,
    alerts: alerts.map(alertMark),
    display: {
      oddsFormat: display.oddsFormat,
      dividendUnit: display.dividendUnit,
      currency: display.currency ?? DEFAULT_CURRENCY,
    },
  };
}

export function alertRow(alert: AlertWithDeliveries): AlertRow {
  const strength = alert.details?.strength;
  return {
    alertId: alert.alertId,
    triggeredAt: alert.triggeredAt.toISOString(),
    alertType: alert.alertType,
    subject: alert.subject,
    message: alert.message,
    strength: typeof strength === "number" ? strength : null,
    race: alert.race && {
      raceId: alert.race.raceId,
      track: alert.race.track,
      raceDate: alert.race.raceDate,
      raceNumber: alert.race.raceNumber,
      timezone: alert.race.timezone,
    },
    runner: alert.runner && { programNumber: alert.runner.programNumber, horse: alert.runner.horse },
    delivery: alert.delivery,
    deliveries: alert.deliveries.map((delivery) => ({
      channel: delivery.channel,
      attempts: delivery.attempts,
      lastError: delivery.lastError,
      deliveredAt: iso(delivery.deliveredAt),
      nextAttemptAt: iso(delivery.nextAttemptAt),
    })),
  };
}
