// Board odds as a tote board shows them (5-2, 9-5, 1-1 ...). @totewatch/tote
// owns the real parser/formatter; packages/db does not depend on it, so the
// demo carries this small copy of the usual North American ladder.

/** Board prices below 5-1 that are fractions, as [numerator, denominator]. */
const LADDER: Array<[number, number]> = [
  [1, 9],
  [1, 5],
  [2, 5],
  [1, 2],
  [3, 5],
  [4, 5],
  [1, 1],
  [6, 5],
  [7, 5],
  [3, 2],
  [8, 5],
  [9, 5],
  [2, 1],
  [5, 2],
  [3, 1],
  [7, 2],
  [4, 1],
  [9, 2],
];

/** Odds-to-1 as board odds: the largest ladder price not above it, then whole numbers, max 99-1. */
export function formatBoardOdds(oddsToOne: number): string {
  if (!(oddsToOne > 0) || !Number.isFinite(oddsToOne)) throw new RangeError(`not odds-to-1: ${oddsToOne}`);
  if (oddsToOne >= 5) return `${Math.min(99, Math.floor(oddsToOne + 1e-9))}-1`;
  let best = LADDER[0]!;
  for (const price of LADDER) if (price[0] / price[1] <= oddsToOne + 1e-9) best = price;
  return `${best[0]}-${best[1]}`;
}
