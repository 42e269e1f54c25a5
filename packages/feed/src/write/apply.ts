/**
 * The one write path for feed messages: every source (replay, poll,
 * simulator) applies a parsed message here. Each message is one transaction
 * inside the @totewatch/db helper it maps to, and a repeat changes nothing.
 */
import {
  applyRaceCard,
  InvalidInputError,
  recordExactaSnapshot,
  recordWinSnapshot,
  setRaceStatus,
  trackTimeZone,
  UnknownRaceError,
  UnknownRunnerError,
  type Db,
  type WriteResult,
} from "@totewatch/db";
import { DEFAULT_TIME_ZONE, resolvePostTime } from "@totewatch/tote";
import type { ParsedFeedMessage } from "../format/parse.js";
import { feedError, FeedMessageError } from "../format/position.js";

export type ApplyOutcome = "applied" | "unchanged";

export interface ApplyResult {
  outcome: ApplyOutcome;
  /** Rows inserted or updated. */
  rows: number;
}

/**
 * Writes one message; "unchanged" when the database already held it.
 * Throws FeedMessageError (with the message's position) when the database
 * refuses it: no card for the race, a program number not on the card, bad input.
 */
export async function applyFeedMessage(db: Db, message: ParsedFeedMessage): Promise<ApplyOutcome> {
  return (await writeFeedMessage(db, message)).outcome;
}

/** applyFeedMessage with the number of rows written. */
export async function writeFeedMessage(db: Db, message: ParsedFeedMessage): Promise<ApplyResult> {
  let result: WriteResult;
  try {
    result = await write(db, message);
  } catch (error) {
    if (
      error instanceof UnknownRaceError ||
      error instanceof UnknownRunnerError ||
      error instanceof InvalidInputError
    ) {
      throw new FeedMessageError(feedError(message.position, error.message));
    }
    throw error;
  }
  return { outcome: result.changed ? "applied" : "unchanged", rows: result.rows };
}

async function write(db: Db, message: ParsedFeedMessage): Promise<WriteResult> {
  switch (message.kind) {
    case "card": {
      if (message.localPostTime === null) return applyRaceCard(db, message.card);
      const zone = (await trackTimeZone(db, message.card.track)) ?? DEFAULT_TIME_ZONE;
      const postTime = resolvePostTime(message.localPostTime, message.card.raceDate, zone);
      return applyRaceCard(db, { ...message.card, postTime });
    }
    case "win":
      return recordWinSnapshot(db, message.snapshot);
    case "exacta":
      return recordExactaSnapshot(db, message.snapshot);
    case "status":
      return setRaceStatus(db, message.race, message.status);
  }
}
