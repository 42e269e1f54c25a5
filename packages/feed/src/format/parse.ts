/**
 * Feed message validation (docs/feed.md): the entry of format/. A raw message
 * is checked against its schema (messages.ts, refusals worded by
 * zod-wording.ts), then normalized into the inputs of the @totewatch/db write
 * helpers: cards and statuses here, win boards in win.ts (board odds formats,
 * coupled entries, scratches), exacta grids in exacta.ts (keys, interests,
 * the minimum, the $2 rescale).
 *
 * Invariants: pure (no I/O; db types only); what a track's board shows comes
 * in as a lookup; whether the race and its runners exist is checked on
 * write. An invalid message gives one reason, `path: what is wrong`: the
 * first FieldError (field-error.ts) any normalizer throws.
 */
import type { ExactaSnapshotInput, RaceCardInput, RaceKey, WinSnapshotInput } from "@totewatch/db";
import {
  DEFAULT_TIME_ZONE,
  isIanaTimeZone,
  parseBoardOdds,
  parseIsoInstant,
  resolvePostTime,
  type RaceStatus,
} from "@totewatch/tote";
import {
  checkFractionParts,
  checkOddsRange,
  checkOddsText,
  OUT_OF_YEARS,
  withinFeedYears,
} from "./bounds.js";
import { normalizeExacta } from "./exacta.js";
import { FieldError, formatShortKeyPath, rejectBlank, shown } from "./field-error.js";
import { feedMessageSchema, type FeedMessage } from "./messages.js";
import { feedError, type FeedError, type FeedPosition } from "./position.js";
import { normalizeWin, type TrackOddsFormatLookup } from "./win.js";
import { describeZodError } from "./zod-wording.js";

export type { TrackOddsFormatLookup } from "./win.js";

export type ParsedFeedMessage =
  | {
      kind: "card";
      position: FeedPosition;
      card: RaceCardInput;
      /**
       * A local "HH:MM" post time that still needs the track's stored zone
       * (the message named none); `card.postTime` is then unset.
       */
      localPostTime: string | null;
    }
  | {
      kind: "win";
      position: FeedPosition;
      /** Its runners with odds, and (`scratched`) the program numbers the board shows "SCR". */
      snapshot: WinSnapshotInput;
    }
  | {
      kind: "exacta";
      position: FeedPosition;
      snapshot: ExactaSnapshotInput;
    }
  | {
      kind: "status";
      position: FeedPosition;
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

export interface FeedParseOptions {
  /** The track's default for a win message that gives no `odds_format` / `dividend_unit`. */
  oddsFormatOf?: TrackOddsFormatLookup;
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
      return { ok: false, error: feedError(position, `${formatShortKeyPath(error.path)}: ${error.message}`) };
    }
    throw error;
  }
}

function raceKeyOf(feed: FeedMessage): RaceKey {
  return { track: feed.track, raceDate: feed.date, raceNumber: feed.race };
}

function normalize(feed: FeedMessage, position: FeedPosition, options: FeedParseOptions): ParsedFeedMessage {
  switch (feed.kind) {
    case "card":
      return normalizeCard(feed, position);
    case "win":
      return {
        kind: "win",
        position,
        snapshot: { ...raceKeyOf(feed), ...normalizeWin(feed, options.oddsFormatOf) },
      };
    case "exacta":
      return { kind: "exacta", position, snapshot: { ...raceKeyOf(feed), ...normalizeExacta(feed) } };
    case "status":
      return {
        kind: "status",
        position,
        race: raceKeyOf(feed),
        status: feed.status,
        at: feed.at === undefined ? null : parseIsoInstant(feed.at),
      };
  }
}

/** Odds-to-1 from a morning line (always board odds-to-1, whatever the track's win odds format). */
function morningLine(value: unknown, path: readonly PropertyKey[]): number | null {
  rejectBlank(value, path);
  checkOddsText(value, path);
  checkFractionParts(value, path);
  const parsed = parseBoardOdds(value);
  if (!parsed.ok) throw new FieldError(path, parsed.error);
  if (parsed.odds !== null) checkOddsRange(parsed.odds, value, path);
  return parsed.odds;
}

const LOCAL_TIME = /^\d{1,2}:\d{2}(:\d{2})?$/;

function normalizeCard(feed: FeedMessage & { kind: "card" }, position: FeedPosition): ParsedFeedMessage {
  if (feed.timezone !== undefined && !isIanaTimeZone(feed.timezone)) {
    throw new FieldError(
      ["timezone"],
      `${shown(feed.timezone)} is not an IANA time zone (e.g. America/New_York)`,
    );
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
    const local = LOCAL_TIME.test(feed.post_time.trim());
    // A local time is on `date`, already in range; an instant is checked on its own.
    if (!local && !withinFeedYears(postTime.getTime())) {
      throw new FieldError(["post_time"], `${shown(feed.post_time)} ${OUT_OF_YEARS}`);
    }
    if (feed.timezone === undefined && local) {
      localPostTime = feed.post_time.trim();
      postTime = null;
    }
  }
  const entries = feed.entries.map((entry, i) => ({
    programNumber: entry.program_number,
    horse: entry.horse,
    morningLineOdds: morningLine(entry.morning_line, ["entries", i, "morning_line"]),
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
