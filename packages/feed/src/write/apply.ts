/**
 * One parsed message onto the database: each kind maps to the @totewatch/db
 * helper that writes it, in that helper's one transaction (a savepoint when
 * a group commit is open). A repeat changes nothing and says "unchanged";
 * what the database refuses becomes a FeedMessageError with the message's
 * position. Sources go through FeedIngestor (ingestor.ts), which validates
 * and counts around it; tests and benches call it to set up a database.
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
  type SnapshotInput,
  type SnapshotPipeline,
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
 * Writes one message; "unchanged" (0 rows) when the database already held it.
 * Throws FeedMessageError (with the message's position) when the database
 * refuses it: no card for the race, a program number not on the card, bad input.
 */
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
  return applyResultOf(result);
}

/** A helper's WriteResult as a message's outcome: "unchanged" when the database already held it. */
const applyResultOf = (result: WriteResult): ApplyResult => ({
  outcome: result.changed ? "applied" : "unchanged",
  rows: result.rows,
});

/** A win board or an exacta grid: what sendFeedSnapshots takes. */
export type SnapshotMessage = Extract<ParsedFeedMessage, { kind: "win" | "exacta" }>;

export const isSnapshotMessage = (message: ParsedFeedMessage): message is SnapshotMessage =>
  message.kind === "win" || message.kind === "exacta";

/**
 * Sends snapshots through a pipeline (db's snapshotPipeline) as one group; resolves, once sent,
 * with each one's outcome to come, as writeFeedMessage would give it. A group that would be
 * refused throws the database's refusal as is, with nothing of it sent (no position: the caller
 * writes them one at a time to find which, as FeedIngestor does).
 */
export async function sendFeedSnapshots(
  pipeline: SnapshotPipeline,
  messages: readonly SnapshotMessage[],
): Promise<{ applied: Promise<ApplyResult[]> }> {
  const { written } = await pipeline.send(
    messages.map((message): SnapshotInput =>
      message.kind === "win"
        ? { kind: "win", snapshot: message.snapshot }
        : { kind: "exacta", snapshot: message.snapshot },
    ),
  );
  const applied = written.then((results) => results.map(applyResultOf));
  // The pipeline throws its failures; this copy is only read when they do not happen.
  applied.catch(() => {});
  return { applied };
}

async function write(db: Db, message: ParsedFeedMessage): Promise<WriteResult> {
  switch (message.kind) {
    case "card": {
      if (message.localPostTime === null) return applyRaceCard(db, message.card);
      // A local "HH:MM" without a zone in the message: the track's stored zone reads it.
      const zone = (await trackTimeZone(db, message.card.track)) ?? DEFAULT_TIME_ZONE;
      const postTime = resolvePostTime(message.localPostTime, message.card.raceDate, zone);
      return applyRaceCard(db, { ...message.card, postTime });
    }
    case "win":
      return recordWinSnapshot(db, message.snapshot);
    case "exacta":
      return recordExactaSnapshot(db, message.snapshot);
    case "status":
      // `at` (the message's own, else when it was observed): the race's off time for "off".
      return setRaceStatus(db, message.race, message.status, message.at);
  }
}
