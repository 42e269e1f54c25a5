/**
 * Feed message validation (docs/feed.md): schema, board odds, exacta keys
 * and post times, turned into the inputs of the @totewatch/db write helpers.
 * Pure: no I/O (db types only). Whether the race and its runners exist is
 * checked on write. An invalid message gives one reason, `path: what is wrong`.
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
  DEFAULT_TIME_ZONE,
  formatKeyPath,
  isIanaTimeZone,
  type RaceStatus,
  parseBoardOdds,
  parseIsoInstant,
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
      at: Date | null;
    };

export type FeedParseResult = { ok: true; message: ParsedFeedMessage } | { ok: false; error: FeedError };

class FieldError extends Error {
  constructor(
    readonly path: readonly PropertyKey[],
    message: string,
  ) {
    super(message);
  }
}

/** Validates one raw message (a JSON value) and normalizes it for the database. */
export function parseFeedMessage(raw: unknown, position: FeedPosition): FeedParseResult {
  const result = feedMessageSchema.safeParse(raw);
  if (!result.success) return { ok: false, error: feedError(position, describeZodError(result.error, raw)) };
  try {
    return { ok: true, message: normalize(result.data, position) };
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

function odds(value: unknown, path: readonly PropertyKey[]): number | null {
  // parseBoardOdds reads blank text as "no odds"; the feed names that "SCR" or null, so a
  // blank is more likely a source that lost the value than a runner without odds.
  if (typeof value === "string" && value.trim() === "") {
    throw new FieldError(path, `odds text is empty (${describeValue(value)}); use "SCR" or null for no odds`);
  }
  const parsed = parseBoardOdds(value);
  if (!parsed.ok) throw new FieldError(path, parsed.error);
  return parsed.odds;
}

function normalize(feed: FeedMessage, position: FeedPosition): ParsedFeedMessage {
  switch (feed.kind) {
    case "card":
      return normalizeCard(feed, position);
    case "win": {
      const runners: WinRunnerInput[] = [];
      const seen = new Set<string>();
      feed.horses.forEach((horse, i) => {
        if (seen.has(horse.program_number)) {
          throw new FieldError(["horses", i, "program_number"], `"${horse.program_number}" is listed twice`);
        }
        seen.add(horse.program_number);
        const winOdds = odds(horse.win_odds, ["horses", i, "win_odds"]);
        // No odds now (scratched or not yet posted): no row for this runner.
        if (winOdds === null) return;
        runners.push({
          programNumber: horse.program_number,
          winOdds,
          winPoolAmount: horse.win_pool_amount ?? null,
        });
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
      // Probables are stored as $2 payouts whatever base the source quotes.
      const scale = 2 / feed.base_amount;
      for (const key in feed.probables) {
        const payout = feed.probables[key];
        const dash = key.indexOf("-");
        const first = dash > 0 ? key.slice(0, dash) : "";
        const second = dash > 0 ? key.slice(dash + 1) : "";
        if (!first || !second || second.includes("-") || /\s/.test(key)) {
          throw new FieldError(["probables", key], `key is not "FIRST-SECOND" program numbers (e.g. "1-2")`);
        }
        if (first === second) throw new FieldError(["probables", key], `names runner "${first}" twice`);
        // null: no money on that combination, so no probable to store.
        if (payout === null || payout === undefined) continue;
        probables.push({ first, second, payout: payout * scale });
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
