/**
 * Feed message validation (docs/feed.md): schema, board odds (odds-to-1 or
 * decimal dividends), coupled entries, exacta keys and payouts, post times,
 * turned into the inputs of the @totewatch/db write helpers. Pure: no I/O
 * (db types only); what a track's board shows comes in as a lookup. Whether
 * the race and its runners exist is checked on write. An invalid message
 * gives one reason, `path: what is wrong`.
 */
import type {
  ExactaProbableInput,
  ExactaSnapshotInput,
  RaceCardInput,
  RaceKey,
  WinRunnerInput,
  WinSnapshotInput,
} from "@totewatch/db";
import {
  bettingInterestOf,
  DEFAULT_BOARD_ODDS_FORMAT,
  DEFAULT_TIME_ZONE,
  exactaPayoutForTwo,
  formatKeyPath,
  isIanaTimeZone,
  MIN_TWO_DOLLAR_PAYOUT,
  type BoardOddsFormat,
  type RaceStatus,
  parseBoardOdds,
  parseIsoInstant,
  parseOddsAs,
  resolvePostTime,
} from "@totewatch/tote";
import type { z } from "zod";
import { feedMessageSchema, type FeedMessage } from "./messages.js";
import { feedError, type FeedError, type FeedPosition } from "./position.js";

export type ParsedFeedMessage =
  | {
      kind: "card";
      position: FeedPosition;
      feed: FeedMessage & { kind: "card" };
      card: RaceCardInput;
      /**
       * A local "HH:MM" post time that still needs the track's stored zone
       * (the message named none); `card.postTime` is then unset.
       */
      localPostTime: string | null;
    }
  | { kind: "win"; position: FeedPosition; feed: FeedMessage & { kind: "win" }; snapshot: WinSnapshotInput }
  | {
      kind: "exacta";
      position: FeedPosition;
      feed: FeedMessage & { kind: "exacta" };
      snapshot: ExactaSnapshotInput;
    }
  | {
      kind: "status";
      position: FeedPosition;
      feed: FeedMessage & { kind: "status" };
      race: RaceKey;
      status: RaceStatus;
      /**
       * When the status was seen: the message's `at`; null without one (the
       * ingestor then fills in the observation time). Stored as the race's
       * off time when the status is "off".
       */
      at: Date | null;
    };

export type FeedParseResult = { ok: true; message: ParsedFeedMessage } | { ok: false; error: FeedError };

/**
 * How a track's board quotes win odds, by track name as messages spell it;
 * undefined (or no lookup): odds-to-1, the North American board.
 */
export type TrackOddsFormatLookup = (track: string) => BoardOddsFormat | undefined;

export interface FeedParseOptions {
  /** The track's default for a win message that gives no `odds_format` / `dividend_unit`. */
  oddsFormatOf?: TrackOddsFormatLookup;
}

class FieldError extends Error {
  constructor(
    readonly path: readonly PropertyKey[],
    message: string,
  ) {
    super(message);
  }
}

/**
 * Validates one raw message (a JSON value) and normalizes it for the database.
 * `options.oddsFormatOf` says how each track's board quotes win odds when a
 * message does not; without it every board is odds-to-1.
 */
export function parseFeedMessage(
  raw: unknown,
  position: FeedPosition,
  options: FeedParseOptions = {},
): FeedParseResult {
  const result = feedMessageSchema.safeParse(raw);
  if (!result.success) return { ok: false, error: feedError(position, describeZodError(result.error, raw)) };
  try {
    return { ok: true, message: normalize(result.data, position, options) };
  } catch (error) {
    if (error instanceof FieldError) {
      return { ok: false, error: feedError(position, `${formatKeyPath(error.path)}: ${error.message}`) };
    }
    throw error;
  }
}

function raceKeyOf(feed: FeedMessage): RaceKey {
  return { track: feed.track, raceDate: feed.date, raceNumber: feed.race };
}

/** Odds-to-1 from board odds (morning lines always; win odds on an odds-to-1 board). */
function odds(value: unknown, path: readonly PropertyKey[]): number | null {
  rejectBlank(value, path);
  const parsed = parseBoardOdds(value);
  if (!parsed.ok) throw new FieldError(path, parsed.error);
  return parsed.odds;
}

function rejectBlank(value: unknown, path: readonly PropertyKey[]): void {
  // The parsers read blank text as "no odds"; the feed names that "SCR" or null, so a
  // blank is more likely a source that lost the value than a runner without odds.
  if (typeof value === "string" && value.trim() === "") {
    throw new FieldError(path, `odds text is empty (${describeValue(value)}); use "SCR" or null for no odds`);
  }
}

/** How a win message's odds are quoted: its own fields first, then the track's default, then odds-to-1. */
interface WinOddsFormat extends BoardOddsFormat {
  /** Where a decimal format came from, for error text. */
  source: string;
}

function winOddsFormat(feed: FeedMessage & { kind: "win" }, options: FeedParseOptions): WinOddsFormat {
  const track = options.oddsFormatOf?.(feed.track);
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

/** Odds-to-1 from a win message's odds, read as its board quotes them. */
function winOdds(value: unknown, path: readonly PropertyKey[], format: WinOddsFormat): number | null {
  rejectBlank(value, path);
  const parsed = parseOddsAs(value, format);
  if (parsed.ok) return parsed.odds;
  if (format.oddsFormat === "odds_to_one") throw new FieldError(path, parsed.error);
  const unit = format.dividendUnit === 1 ? "" : `, dividend_unit ${String(format.dividendUnit)}`;
  throw new FieldError(path, `${parsed.error} [decimal odds${unit}: ${format.source}]`);
}

function normalize(feed: FeedMessage, position: FeedPosition, options: FeedParseOptions): ParsedFeedMessage {
  switch (feed.kind) {
    case "card":
      return normalizeCard(feed, position);
    case "win": {
      const format = winOddsFormat(feed, options);
      const runners: WinRunnerInput[] = [];
      const seen = new Set<string>();
      /** The first member with odds of each betting interest, which the others must agree with. */
      const interests = new Map<string, { index: number; runner: WinRunnerInput }>();
      feed.horses.forEach((horse, i) => {
        if (seen.has(horse.program_number)) {
          throw new FieldError(["horses", i, "program_number"], `"${horse.program_number}" is listed twice`);
        }
        seen.add(horse.program_number);
        const price = winOdds(horse.win_odds, ["horses", i, "win_odds"], format);
        // No odds now (scratched or not yet posted): no row for this runner.
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
        kind: "win",
        position,
        feed,
        snapshot: {
          ...raceKeyOf(feed),
          fetchedAt: parseIsoInstant(feed.fetched_at),
          totalWinPool: feed.total_win_pool ?? null,
          runners,
        },
      };
    }
    case "exacta": {
      const probables: ExactaProbableInput[] = [];
      /** The first key of each combination of betting interests, which the others must agree with. */
      const combinations = new Map<string, { key: string; payout: number | null }>();
      for (const key in feed.probables) {
        const path = ["probables", key];
        const raw = feed.probables[key] ?? null;
        const dash = key.indexOf("-");
        const first = dash > 0 ? key.slice(0, dash) : "";
        const second = dash > 0 ? key.slice(dash + 1) : "";
        if (!first || !second || second.includes("-") || /\s/.test(key)) {
          throw new FieldError(path, `key is not "FIRST-SECOND" program numbers (e.g. "1-2")`);
        }
        if (first === second) throw new FieldError(path, `names runner "${first}" twice`);
        const [firstInterest, secondInterest] = [bettingInterestOf(first), bettingInterestOf(second)];
        if (firstInterest === secondInterest) {
          throw new FieldError(
            path,
            `"${first}" and "${second}" are one betting interest (a coupled entry); not an exacta`,
          );
        }
        const payout = twoDollarPayout(raw, feed.base_amount, path);
        const combination = `${firstInterest}-${secondInterest}`;
        const earlier = combinations.get(combination);
        if (earlier === undefined) combinations.set(combination, { key, payout });
        else if (earlier.payout !== payout) {
          throw new FieldError(
            path,
            `"${key}" and "${earlier.key}" are one combination (coupled entries bet as one) but pay ` +
              `differently: ${shown(raw)} here, ${shown(feed.probables[earlier.key] ?? null)} ` +
              `for "${earlier.key}"`,
          );
        }
        // No money on that combination: no probable to store.
        if (payout === null) continue;
        probables.push({ first, second, payout });
      }
      return {
        kind: "exacta",
        position,
        feed,
        snapshot: {
          ...raceKeyOf(feed),
          fetchedAt: parseIsoInstant(feed.fetched_at),
          totalExactaPool: feed.total_exacta_pool ?? null,
          probables,
        },
      };
    }
    case "status":
      return {
        kind: "status",
        position,
        feed,
        race: raceKeyOf(feed),
        status: feed.status,
        at: feed.at === undefined ? null : parseIsoInstant(feed.at),
      };
  }
}

/**
 * Members of one coupled entry listed each with odds: one interest, one price in the pool, so
 * the same odds and the same win_pool_amount (the interest's amount repeated, not split).
 */
function sameInterestAgrees(
  feed: FeedMessage & { kind: "win" },
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

/**
 * A probable as the payout of a $2 ticket, or null for no money (null or 0). Rescaled as
 * payout * 2 / base to the cent; below the US minimum ($2.10 on $2) is no real probable.
 */
function twoDollarPayout(
  raw: number | null,
  baseAmount: number,
  path: readonly PropertyKey[],
): number | null {
  if (raw === null || raw === 0) return null;
  const payout = exactaPayoutForTwo(raw, baseAmount);
  if (payout < MIN_TWO_DOLLAR_PAYOUT) {
    const quoted =
      baseAmount === 2
        ? `a probable payout of ${String(raw)} for a $2 ticket`
        : `a probable payout of ${String(raw)} for a ${money(baseAmount)} ticket (${money(payout)} for $2)`;
    throw new FieldError(
      path,
      `${quoted} is below the US minimum of ${money(MIN_TWO_DOLLAR_PAYOUT)}; 0 or null means no money on it`,
    );
  }
  return payout;
}

/** A value as the message wrote it: text quoted, numbers and null plain. */
function shown(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** Currency to the cent: $2.10, $1.00. */
function money(amount: number): string {
  return `$${amount.toFixed(2)}`;
}

const LOCAL_TIME = /^\d{1,2}:\d{2}(:\d{2})?$/;

function normalizeCard(feed: FeedMessage & { kind: "card" }, position: FeedPosition): ParsedFeedMessage {
  if (feed.timezone !== undefined && !isIanaTimeZone(feed.timezone)) {
    throw new FieldError(["timezone"], `"${feed.timezone}" is not an IANA time zone (e.g. America/New_York)`);
  }
  let postTime: Date | null = null;
  let localPostTime: string | null = null;
  if (feed.post_time != null) {
    try {
      // Checked with the default zone even when the real one comes from the database later.
      postTime = resolvePostTime(feed.post_time, feed.date, feed.timezone ?? DEFAULT_TIME_ZONE);
    } catch (error) {
      throw new FieldError(["post_time"], (error as Error).message);
    }
    if (feed.timezone === undefined && LOCAL_TIME.test(feed.post_time.trim())) {
      localPostTime = feed.post_time.trim();
      postTime = null;
    }
  }
  const entries = feed.entries.map((entry, i) => ({
    programNumber: entry.program_number,
    horse: entry.horse,
    morningLineOdds: odds(entry.morning_line, ["entries", i, "morning_line"]),
    jockey: entry.jockey ?? null,
    trainer: entry.trainer ?? null,
    scratched: entry.scratched ?? false,
  }));
  const seen = new Set<string>();
  entries.forEach((entry, i) => {
    if (seen.has(entry.programNumber)) {
      throw new FieldError(["entries", i, "program_number"], `"${entry.programNumber}" is listed twice`);
    }
    seen.add(entry.programNumber);
  });
  return {
    kind: "card",
    position,
    feed,
    card: {
      ...raceKeyOf(feed),
      trackCode: feed.track_code ?? null,
      timezone: feed.timezone ?? null,
      postTime,
      status: feed.status ?? null,
      entries,
    },
    localPostTime,
  };
}

// ------------------------------------------------------------------ zod issue wording

/** The first problem of a zod error as `path: reason` (one message, one reason). */
function describeZodError(error: z.ZodError, raw: unknown): string {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return `a message must be a JSON object with a "kind", got ${describeValue(raw)}`;
  }
  const issue = error.issues[0];
  if (!issue) return "invalid message";
  const path = formatKeyPath(issue.path);
  const reason = describeIssue(issue, valueAt(raw, issue.path));
  return path ? `${path}: ${reason}` : reason;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = raw;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  if (value === undefined && (issue.code === "invalid_type" || issue.code === "invalid_union"))
    return "required";
  switch (issue.code) {
    case "invalid_type":
      return `expected ${issue.expected === "int" ? "a whole number" : issue.expected}, got ${describeValue(value)}`;
    case "invalid_union":
      if (issue.path.at(-1) === "kind") {
        return `unknown kind ${describeValue(value)} (expected "card", "win", "exacta" or "status")`;
      }
      return `${describeValue(value)} is not allowed here`;
    case "invalid_value":
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, got ${describeValue(value)}`;
    default:
      return `${issue.message}${value === undefined || typeof value === "object" ? "" : ` (got ${describeValue(value)})`}`;
  }
}

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  return `${typeof value} ${String(value)}`;
}
