/**
 * Where a feed message came from, and what was wrong with it: every invalid
 * message is reported as `source:line: reason` (files) or `url#index: reason`.
 */

export interface FeedPosition {
  /** File path as given by the user, URL, or a name such as "simulator". */
  source: string;
  /** 1-based line in a JSON Lines file. */
  line?: number;
  /** 0-based index in a JSON array (or in a stream without lines). */
  index?: number;
}

export interface FeedError {
  source: string;
  /** `day.jsonl:17`, `day.json#3`, `http://host/win#0`. */
  position: string;
  reason: string;
}

export function formatPosition(position: FeedPosition): string {
  if (position.line !== undefined) return `${position.source}:${position.line}`;
  if (position.index !== undefined) return `${position.source}#${position.index}`;
  return position.source;
}

export function feedError(position: FeedPosition, reason: string): FeedError {
  return { source: position.source, position: formatPosition(position), reason };
}

/** One line for a log or a terminal: `day.jsonl:17: horses[2].win_odds: ...`. */
export function formatFeedError(error: FeedError): string {
  return `${error.position}: ${error.reason}`;
}

/** A message that parsed but that the database refused (unknown race or runner, bad input). */
export class FeedMessageError extends Error {
  override readonly name = "FeedMessageError";
  constructor(readonly feedError: FeedError) {
    super(formatFeedError(feedError));
  }
}
