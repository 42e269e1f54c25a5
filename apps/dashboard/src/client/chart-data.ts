/**
 * The numbers the race charts plot, derived from a race history: odds per
 * runner (as the board quotes them), win probability per runner and time,
 * each runner's share of the win pool, and the marker lines (post, off,
 * alerts). Pure: no DOM and no uPlot, so the rules are easy to read in one place.
 */
import { interestKeyOf } from "@totewatch/tote";
import type { RaceHistoryResponse } from "../api/types.js";
import { alertTypeLabel, dividendOf, toMs } from "./format.js";

export type Values = Array<number | null>;

/** Odds per runner in the board's own terms: odds-to-1, or the decimal dividend on a decimal board. */
export function oddsSeries(history: RaceHistoryResponse): Values[] {
  const decimal = history.display.oddsFormat === "decimal";
  return history.odds.map((row) =>
    row.map((v) => (v === null || !(v > 0) ? null : decimal ? dividendOf(v, history.display) : v)),
  );
}

export interface Probabilities {
  values: Values[];
  /** How many boards were judged by pool shares, and how many by odds. */
  byPool: number;
  byOdds: number;
}

/**
 * Win probability per runner and board. Per board, each betting interest
 * counts once (a coupled entry's members share one price and one pool
 * amount): its pool share when every interest on the board has an amount,
 * else 1/(odds+1) normalised over the interests. Members of an entry plot the
 * entry's probability.
 */
export function probabilitySeries(history: RaceHistoryResponse): Probabilities {
  const keys = history.runners.map((r) => interestKeyOf(r.programNumber));
  const values: Values[] = history.runners.map(() => []);
  let byPool = 0;
  let byOdds = 0;
  history.times.forEach((_, t) => {
    // The first member with odds speaks for its interest on this board.
    const lead = new Map<string, number>();
    history.runners.forEach((_r, r) => {
      const odds = history.odds[r]?.[t];
      const key = keys[r] as string;
      if (odds !== null && odds !== undefined && odds > 0 && !lead.has(key)) lead.set(key, r);
    });
    const amounts = [...lead.values()].map((r) => history.pool[r]?.[t] ?? null);
    const usePool = amounts.length > 0 && amounts.every((a) => a !== null && a > 0);
    const weight = new Map<string, number>();
    for (const [key, r] of lead) {
      weight.set(
        key,
        usePool ? (history.pool[r]?.[t] as number) : 1 / ((history.odds[r]?.[t] as number) + 1),
      );
    }
    const total = [...weight.values()].reduce((a, b) => a + b, 0);
    if (lead.size > 0) {
      if (usePool) byPool++;
      else byOdds++;
    }
    history.runners.forEach((_r, r) => {
      const w = weight.get(keys[r] as string);
      const own = history.odds[r]?.[t];
      // A runner with no price on this board (scratched, not yet posted) gets no point.
      values[r]?.push(w !== undefined && total > 0 && own !== null && own !== undefined ? w / total : null);
    });
  });
  return { values, byPool, byOdds };
}

/** Each runner's share of the win pool per board: pool[r][t] / totalPool[t]. */
export function flowSeries(history: RaceHistoryResponse): Values[] {
  return history.pool.map((row) =>
    row.map((amount, t) => {
      const total = history.totalPool[t];
      return amount === null || total === null || total === undefined || total <= 0 ? null : amount / total;
    }),
  );
}

/** True when some board recorded a pool amount (else the money-flow chart has nothing to say). */
export function hasPoolData(history: RaceHistoryResponse): boolean {
  return history.pool.some((row) => row.some((v) => v !== null));
}

export interface Marker {
  /** Epoch seconds (the charts' x unit). */
  t: number;
  label: string;
  kind: "post" | "off" | "alert";
}

/** Scheduled post, the off and every alert, in time order. */
export function markersOf(history: RaceHistoryResponse): Marker[] {
  const markers: Marker[] = [];
  const post = toMs(history.postTime);
  if (post !== null) markers.push({ t: post / 1000, label: "post", kind: "post" });
  const off = toMs(history.offAt);
  if (off !== null) markers.push({ t: off / 1000, label: "off", kind: "off" });
  for (const alert of history.alerts) {
    const at = toMs(alert.triggeredAt);
    if (at === null) continue;
    const label = `${alertTypeLabel(alert.alertType)}${alert.subject ? ` #${alert.subject}` : ""}`;
    markers.push({ t: at / 1000, label, kind: "alert" });
  }
  return markers.sort((a, b) => a.t - b.t);
}

/** How far past the boards a post or off marker may stretch the time axis (seconds). */
const MARKER_REACH_S = 30 * 60;

/**
 * The x range: the boards' span, widened to show post and the off when they
 * fall near it (not hours away, which would squash the boards into a sliver).
 */
export function xRange(times: number[], markers: Marker[]): [number, number] | null {
  const first = times[0];
  const last = times.at(-1);
  if (first === undefined || last === undefined) return null;
  let min = first / 1000;
  let max = last / 1000;
  for (const m of markers) {
    if (m.kind === "alert") continue;
    if (m.t >= min - MARKER_REACH_S && m.t <= max + MARKER_REACH_S) {
      min = Math.min(min, m.t);
      max = Math.max(max, m.t);
    }
  }
  if (max - min < 60) {
    // One board (or all at one instant): a few minutes either side so the point is not on the edge.
    min -= 150;
    max += 150;
  }
  const pad = (max - min) * 0.02;
  return [min - pad, max + pad];
}
