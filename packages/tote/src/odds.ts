/**
 * Tote board odds: parsing the forms a board (or a feed copying it) shows,
 * converting odds-to-1 into payouts and probabilities, and rounding a price
 * down to what a US tote board would display.
 *
 * Everything here works in "odds-to-1": 5-2 is 2.5, EVEN is 1, 3-5 is 0.6.
 */

export type OddsParse = { ok: true; odds: number | null } | { ok: false; error: string };

/** A board price as numerator-denominator; `value` is num/den so parse and ladder agree bit for bit. */
export interface BoardPrice {
  readonly numerator: number;
  readonly denominator: number;
  readonly value: number;
}

function price(numerator: number, denominator: number): BoardPrice {
  return { numerator, denominator, value: numerator / denominator };
}

/** The fractional prices a board shows below 10-1, ascending. Anything under 1-9 shows as 1-9. */
export const BOARD_ODDS_LADDER: readonly BoardPrice[] = [
  price(1, 9),
  price(1, 5),
  price(2, 5),
  price(1, 2),
  price(3, 5),
  price(4, 5),
  price(1, 1),
  price(6, 5),
  price(7, 5),
  price(3, 2),
  price(8, 5),
  price(9, 5),
  price(2, 1),
  price(5, 2),
  price(3, 1),
  price(7, 2),
  price(4, 1),
  price(9, 2),
  price(5, 1),
  price(6, 1),
  price(7, 1),
  price(8, 1),
  price(9, 1),
];

/** From this price up the board shows whole numbers only. */
const WHOLE_NUMBER_FROM = 10;
/** The highest price a board shows; longer odds still display as 99. */
export const MAX_BOARD_ODDS = 99;

/**
 * Odds that come out of pool arithmetic carry float noise (2.2 - 1 = 1.2000000000000002),
 * so comparisons against board prices allow this much slack.
 */
const EPSILON = 1e-9;

const NO_ODDS_WORDS = new Set(["", "SCR", "SCRATCHED"]);
const EVEN_WORDS = new Set(["EVEN", "EVN", "EVS"]);
const FRACTION = /^(\d+)\s*[-/]\s*(\d+)$/;
const PLAIN_NUMBER = /^\d+(?:\.\d+)?$/;
const EXPECTED_FORMS = 'expected e.g. "5-2", "5/2", "EVEN", "12" or a positive number';

/** Quotes any input for an error message without risking a throw on odd values. */
function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
    return `${typeof value} ${String(value)}`;
  }
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : typeof value;
}

function fail(error: string): OddsParse {
  return { ok: false, error };
}

function fromNumber(odds: number, input: unknown): OddsParse {
  if (!Number.isFinite(odds)) return fail(`odds must be a finite number, got ${describe(input)}`);
  if (odds < 0) return fail(`odds must not be negative, got ${describe(input)}`);
  if (odds === 0) return fail(`zero odds is not a board price, got ${describe(input)}`);
  return { ok: true, odds };
}

function fromString(raw: string): OddsParse {
  const text = raw.trim().toUpperCase();
  if (NO_ODDS_WORDS.has(text)) return { ok: true, odds: null };
  if (EVEN_WORDS.has(text)) return { ok: true, odds: 1 };

  const fraction = FRACTION.exec(text);
  if (fraction) {
    const numerator = Number(fraction[1]);
    const denominator = Number(fraction[2]);
    if (denominator === 0) return fail(`odds have a zero denominator: ${describe(raw)}`);
    if (numerator === 0) return fail(`zero odds is not a board price, got ${describe(raw)}`);
    return { ok: true, odds: numerator / denominator };
  }

  if (PLAIN_NUMBER.test(text)) return fromNumber(Number(text), raw);
  if (/^-\s*\d/.test(text)) return fail(`odds must not be negative, got ${describe(raw)}`);
  return fail(`not a board odds form: ${describe(raw)} (${EXPECTED_FORMS})`);
}

/**
 * Reads odds-to-1 as a tote board (or a feed copying one) shows it.
 * `{ ok: true, odds: null }` means "no odds now" (scratched, not yet posted).
 */
export function parseBoardOdds(value: unknown): OddsParse {
  if (value === null || value === undefined) return { ok: true, odds: null };
  if (typeof value === "number") return fromNumber(value, value);
  if (typeof value === "string") return fromString(value);
  return fail(`odds must be a string or a number, got ${describe(value)}`);
}

function assertOdds(oddsToOne: number, fn: string): void {
  if (!Number.isFinite(oddsToOne) || oddsToOne < 0) {
    throw new RangeError(`${fn}: odds-to-1 must be a finite number >= 0, got ${String(oddsToOne)}`);
  }
}

/** Payout per unit staked, stake included (5-2 -> 3.5). */
export function oddsToDecimal(oddsToOne: number): number {
  assertOdds(oddsToOne, "oddsToDecimal");
  return oddsToOne + 1;
}

/** The win probability the price implies, before removing takeout: 1/(odds+1). */
export function impliedProbability(oddsToOne: number): number {
  assertOdds(oddsToOne, "impliedProbability");
  return 1 / (oddsToOne + 1);
}

function boardPriceOf(oddsToOne: number): BoardPrice {
  assertOdds(oddsToOne, "boardOdds");
  if (oddsToOne + EPSILON >= WHOLE_NUMBER_FROM) {
    return price(Math.min(Math.floor(oddsToOne + EPSILON), MAX_BOARD_ODDS), 1);
  }
  let shown = BOARD_ODDS_LADDER[0]!;
  for (const rung of BOARD_ODDS_LADDER) {
    if (rung.value <= oddsToOne + EPSILON) shown = rung;
    else break;
  }
  return shown;
}

/**
 * The price a US tote board displays for these odds: rounded down to the ladder below 10-1,
 * floored to a whole number from 10-1 up, capped at 99; anything under 1-9 shows as 1-9.
 */
export function boardOdds(oddsToOne: number): number {
  return boardPriceOf(oddsToOne).value;
}

/** The board's text for these odds: "1-9", "EVEN", "5-2", "2", "12", "99". */
export function formatBoardOdds(oddsToOne: number): string {
  const { numerator, denominator } = boardPriceOf(oddsToOne);
  if (denominator === 1) return numerator === 1 ? "EVEN" : String(numerator);
  return `${numerator}-${denominator}`;
}
