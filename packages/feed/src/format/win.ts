/**
 * Win messages normalized (docs/feed.md, `win`): the board's odds read in its
 * own format, coupled entries checked, scratches picked out.
 *
 * Invariants:
 * - Odds are read as the board quotes them (the message's `odds_format` /
 *   `dividend_unit`, else the track's default, else odds-to-1) and come out
 *   odds-to-1; blank text is refused, and so are odds outside 1-9999..9999-1,
 *   a fraction part that is not a safe integer, and text over 32 characters
 *   (bounds.ts).
 * - A runner with odds is one WinRunnerInput. "SCR" or "SCRATCHED" (text, any
 *   letter case) is a scratch: no runner row, its program number in
 *   `scratched` (the card learns it on write, known since `fetched_at`).
 *   null is "no odds now" and nothing else: neither a row nor a scratch.
 * - A program number appears once; members of one betting interest listed
 *   with odds agree on odds and amount (a member without odds is not compared).
 * - Pure: whether the race and its runners exist is checked on write.
 */
import type { WinRunnerInput, WinSnapshotInput } from "@totewatch/db";
import {
  bettingInterestOf,
  DEFAULT_BOARD_ODDS_FORMAT,
  parseIsoInstant,
  parseOddsAs,
  type BoardOddsFormat,
} from "@totewatch/tote";
import { checkFractionParts, checkOddsRange, checkOddsText } from "./bounds.js";
import { FieldError, rejectBlank, shown } from "./field-error.js";
import type { FeedMessage } from "./messages.js";

type WinMessage = FeedMessage & { kind: "win" };

/**
 * How a track's board quotes win odds, by track name as messages spell it;
 * undefined (or no lookup): odds-to-1, the North American board.
 */
export type TrackOddsFormatLookup = (track: string) => BoardOddsFormat | undefined;

/** The words a board shows for a scratched runner (as tote's parsers read them: trimmed, any case). */
const SCRATCH_WORDS: ReadonlySet<string> = new Set(["SCR", "SCRATCHED"]);

/** Whether a win_odds value says the runner is scratched (text only: null says no odds, not why). */
function isScratch(value: unknown): boolean {
  return typeof value === "string" && SCRATCH_WORDS.has(value.trim().toUpperCase());
}

/** A win message as the db's WinSnapshotInput; `oddsFormatOf` gives the track's default format. */
export function normalizeWin(
  feed: WinMessage,
  oddsFormatOf: TrackOddsFormatLookup | undefined,
): Omit<WinSnapshotInput, "track" | "raceDate" | "raceNumber"> {
  const format = winOddsFormat(feed, oddsFormatOf);
  const runners: WinRunnerInput[] = [];
  const scratched: string[] = [];
  const seen = new Set<string>();
  /** The first member with odds of each betting interest, which the others must agree with. */
  const interests = new Map<string, { index: number; runner: WinRunnerInput }>();
  feed.horses.forEach((horse, i) => {
    if (seen.has(horse.program_number)) {
      throw new FieldError(["horses", i, "program_number"], `"${horse.program_number}" is listed twice`);
    }
    seen.add(horse.program_number);
    // The parsers read "SCR" as no odds, like null: tell them apart first.
    if (isScratch(horse.win_odds)) {
      scratched.push(horse.program_number);
      return;
    }
    const price = winOdds(horse.win_odds, ["horses", i, "win_odds"], format);
    // No odds now (not yet posted, or the source does not say): no row, no scratch.
    if (price === null) return;
    const runner: WinRunnerInput = {
      programNumber: horse.program_number,
      winOdds: price,
      winPoolAmount: horse.win_pool_amount ?? null,
    };
    const interest = bettingInterestOf(horse.program_number);
    const first = interests.get(interest);
    if (first === undefined) interests.set(interest, { index: i, runner });
    else sameInterestAgrees(feed, first, { index: i, runner });
    runners.push(runner);
  });
  return {
    fetchedAt: parseIsoInstant(feed.fetched_at),
    totalWinPool: feed.total_win_pool ?? null,
    runners,
    scratched,
  };
}

/** How a win message's odds are quoted: its own fields first, then the track's default, then odds-to-1. */
interface WinOddsFormat extends BoardOddsFormat {
  /** Where a decimal format came from, for error text. */
  source: string;
}

function winOddsFormat(feed: WinMessage, oddsFormatOf: TrackOddsFormatLookup | undefined): WinOddsFormat {
  const track = oddsFormatOf?.(feed.track);
  const oddsFormat = feed.odds_format ?? track?.oddsFormat ?? DEFAULT_BOARD_ODDS_FORMAT.oddsFormat;
  const dividendUnit = feed.dividend_unit ?? track?.dividendUnit ?? DEFAULT_BOARD_ODDS_FORMAT.dividendUnit;
  // A unit on odds-to-1 odds would change nothing, so a source sending one has its format wrong.
  if (oddsFormat === "odds_to_one" && feed.dividend_unit !== undefined && feed.dividend_unit !== 1) {
    throw new FieldError(
      ["dividend_unit"],
      `applies only to decimal odds (odds_format "decimal"); this message's odds are odds-to-1` +
        (feed.odds_format === undefined ? " (the track's default)" : ""),
    );
  }
  const source = feed.odds_format !== undefined ? "this message's odds_format" : "the track's default";
  return { oddsFormat, dividendUnit, source };
}

/** Odds-to-1 from a win message's odds, read as its board quotes them; null: no odds now. */
function winOdds(value: unknown, path: readonly PropertyKey[], format: WinOddsFormat): number | null {
  rejectBlank(value, path);
  checkOddsText(value, path);
  if (format.oddsFormat === "odds_to_one") checkFractionParts(value, path);
  const parsed = parseOddsAs(value, format);
  if (parsed.ok) {
    if (parsed.odds !== null) {
      const note = format.oddsFormat === "decimal" ? "a decimal dividend" : undefined;
      checkOddsRange(parsed.odds, value, path, note);
    }
    return parsed.odds;
  }
  if (format.oddsFormat === "odds_to_one") throw new FieldError(path, parsed.error);
  const unit = format.dividendUnit === 1 ? "" : `, dividend_unit ${String(format.dividendUnit)}`;
  throw new FieldError(path, `${parsed.error} [decimal odds${unit}: ${format.source}]`);
}

/**
 * Members of one coupled entry listed each with odds: one interest, one price in the pool, so
 * the same odds and the same win_pool_amount (the interest's amount repeated, not split).
 */
function sameInterestAgrees(
  feed: WinMessage,
  first: { index: number; runner: WinRunnerInput },
  member: { index: number; runner: WinRunnerInput },
): void {
  const [firstHorse, horse] = [feed.horses[first.index]!, feed.horses[member.index]!];
  const coupled = `"${horse.program_number}" and "${firstHorse.program_number}" are one betting interest (a coupled entry)`;
  if (member.runner.winOdds !== first.runner.winOdds) {
    throw new FieldError(
      ["horses", member.index, "win_odds"],
      `${coupled}, one price in the pool, but the odds differ: ${shown(horse.win_odds)} here, ` +
        `${shown(firstHorse.win_odds)} for "${firstHorse.program_number}"`,
    );
  }
  if (member.runner.winPoolAmount !== first.runner.winPoolAmount) {
    throw new FieldError(
      ["horses", member.index, "win_pool_amount"],
      `${coupled}: each member shows the interest's whole amount, but they differ: ` +
        `${shown(member.runner.winPoolAmount)} here, ${shown(first.runner.winPoolAmount)} ` +
        `for "${firstHorse.program_number}"`,
    );
  }
}
