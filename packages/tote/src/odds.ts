/**
 * Tote board odds: parsing the forms a board (or a feed copying it) shows,
 * converting odds-to-1 into payouts and probabilities, and rounding a price
 * down to what a US tote board would display.
 *
 * Everything here works in "odds-to-1": 5-2 is 2.5, EVEN is 1, 3-5 is 0.6. Boards outside
 * North America show decimal dividends instead (payout per unit stake, stake included: 3.5 is
 * 5-2); parseDecimalDividend reads those into the same odds-to-1.
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

// ------------------------------------------------------------------ decimal boards

/**
 * How a board quotes win prices: "odds_to_one" (North America: 5-2, 3-5, 12) or "decimal"
 * (elsewhere: the dividend per unit staked, stake included, so 3.5 is 5-2).
 */
export const ODDS_FORMATS = ["odds_to_one", "decimal"] as const;
export type OddsFormat = (typeof ODDS_FORMATS)[number];

/**
 * How one track's board quotes win prices. `dividendUnit` is the stake a decimal dividend is
 * quoted for (1 in most places; Hong Kong quotes per $10, so 35 there is 3.5 per 1); it means
 * nothing to an odds-to-1 board. `currency` (ISO 4217) is the money its pools and payouts are
 * in; absent, dollars (money.ts).
 */
export interface BoardOddsFormat {
  oddsFormat: OddsFormat;
  dividendUnit: number;
  currency?: string;
}

/** A board nobody described: North American odds-to-1. */
export const DEFAULT_BOARD_ODDS_FORMAT: Readonly<BoardOddsFormat> = {
  oddsFormat: "odds_to_one",
  dividendUnit: 1,
};

/** Odds-to-1 computed from a dividend lose their float noise at this grain (3.5 - 1 is 2.5 either way). */
const DIVIDEND_GRAIN = 1e9;

function assertDividendUnit(fn: string, unit: number): void {
  if (!Number.isFinite(unit) || unit <= 0) {
    throw new RangeError(`${fn}: dividend unit must be a finite number > 0, got ${String(unit)}`);
  }
}

/** dividend / unit - 1 without the float noise; not checked (NaN for NaN, <= 0 for no profit). */
function oddsOfDividend(dividend: number, unit: number): number {
  return Math.round((dividend / unit - 1) * DIVIDEND_GRAIN) / DIVIDEND_GRAIN;
}

/**
 * Odds-to-1 of a decimal dividend quoted per `unit` staked: dividend / unit - 1, rounded to
 * 1e-9 so float noise does not reach the stored odds (1.1 per 1 is 0.1, not
 * 0.10000000000000009; 35 per 10 is exactly 2.5). Throws a RangeError for a dividend that
 * returns no more than the stake (no decimal board shows one), judged after the rounding.
 */
export function decimalDividendToOdds(dividend: number, unit: number = 1): number {
  const fn = "decimalDividendToOdds";
  assertDividendUnit(fn, unit);
  const odds = oddsOfDividend(dividend, unit);
  if (!Number.isFinite(odds) || odds <= 0) {
    throw new RangeError(
      `${fn}: a dividend must be a finite number above the unit staked (${String(unit)}), got ${String(dividend)}`,
    );
  }
  return odds;
}

const DECIMAL_NUMBER = /^\d+(?:\.\d+)?$/;

/**
 * Reads a decimal dividend (per `unit` staked, stake included) as a decimal board shows it:
 * a number, as JSON or as text ("3.50"); "SCR", "SCRATCHED" or null mean no odds now. Answers
 * in odds-to-1, as parseBoardOdds does. A fraction ("5-2"), "EVEN", a dividend at or below the
 * unit (it would pay back no more than the stake) and anything else are refused.
 */
export function parseDecimalDividend(value: unknown, unit: number = 1): OddsParse {
  assertDividendUnit("parseDecimalDividend", unit);
  if (value === null || value === undefined) return { ok: true, odds: null };
  let dividend: number;
  if (typeof value === "number") {
    dividend = value;
  } else if (typeof value === "string") {
    const text = value.trim().toUpperCase();
    if (NO_ODDS_WORDS.has(text)) return { ok: true, odds: null };
    if (FRACTION.test(text) || EVEN_WORDS.has(text)) {
      return fail(
        `${describe(value)} is odds-to-1, but this board shows decimal dividends (e.g. 3.5 for 5-2)`,
      );
    }
    if (/^-\s*\d/.test(text)) return fail(`a dividend must not be negative, got ${describe(value)}`);
    if (!DECIMAL_NUMBER.test(text)) {
      return fail(`not a decimal dividend: ${describe(value)} (expected a number such as 3.5 or "3.50")`);
    }
    dividend = Number(text);
  } else {
    return fail(`a dividend must be a number or numeric text, got ${describe(value)}`);
  }
  if (!Number.isFinite(dividend)) return fail(`a dividend must be a finite number, got ${describe(value)}`);
  if (dividend < 0) return fail(`a dividend must not be negative, got ${describe(value)}`);
  const odds = oddsOfDividend(dividend, unit);
  // Judged after rounding too: a hair above the unit would otherwise be stored as odds of 0.
  if (dividend <= unit || !(odds > 0)) {
    return fail(
      `a decimal dividend of ${String(dividend)} per ${String(unit)} staked pays back no more than ` +
        `the stake (it includes the stake, so it must be more than ${String(unit)}), got ${describe(value)}`,
    );
  }
  return { ok: true, odds };
}

/** Reads board odds in the board's own format (odds-to-1 or decimal dividends per `dividendUnit`). */
export function parseOddsAs(value: unknown, format: BoardOddsFormat): OddsParse {
  return format.oddsFormat === "decimal"
    ? parseDecimalDividend(value, format.dividendUnit)
    : parseBoardOdds(value);
}

/**
 * Odds as a player should read them in an alert: the board's text when the price is one a US
 * board shows ("5-2", "EVEN", "12"), else the exact odds-to-1 to two decimals ("2.3-1"), never
 * rounded down to a rung it is not (a decimal tote's 3.30 dividend is 2.3-1, not 2-1).
 */
export function formatOdds(oddsToOne: number): string {
  const shown = boardPriceOf(oddsToOne);
  if (Math.abs(shown.value - oddsToOne) <= EPSILON) return formatBoardOdds(oddsToOne);
  return `${Number(oddsToOne.toFixed(2))}-1`;
}

/**
 * What a decimal board shows for odds-to-1: the dividend per `unit` staked, stake included, to
 * the cent ("3.50" for 5-2 per 1, "35.00" per 10), or to 4 places when the cent would misstate
 * it (a configured threshold of 2.345-1 is "3.345").
 */
export function dividendText(oddsToOne: number, unit: number): string {
  const dividend = Math.round((oddsToOne + 1) * unit * 1e9) / 1e9;
  const cents = dividend.toFixed(2);
  return Number(cents) === dividend ? cents : String(Number(dividend.toFixed(4)));
}

/** Odds as the track's board shows them: "5-2" (odds-to-1, see formatOdds) or "3.50" (decimal). */
export function boardOddsText(oddsToOne: number, board: BoardOddsFormat = DEFAULT_BOARD_ODDS_FORMAT): string {
  return board.oddsFormat === "decimal" ? dividendText(oddsToOne, board.dividendUnit) : formatOdds(oddsToOne);
}
