/**
 * `ingest replay`: recorded feed files applied in observation-time order,
 * as fast as possible or at N times real time, in group commits. A file that
 * holds no message at all (empty, blank lines only, `[]`) is warned about by
 * name and counted (`emptyFiles`): a recording that came out empty is not
 * passed over in silence (`--strict` then exits 1).
 *
 * Invariants:
 * - A refused message (not JSON, or failing validation: a bad card, a
 *   `fetched_at` or `at` outside the feed's years) is known as refused while
 *   the files are ordered, and nothing it says places it: it takes the latest
 *   time above it in its file, so it goes after every line above it and
 *   refused lines are warned about in line order. Its time never paces a
 *   `--speed` replay (a 1970 `fetched_at` would otherwise drive the clock).
 * - Messages are validated here as the write validates them (the same track
 *   lookup), so what is refused here is exactly what validation on write
 *   would refuse, with the same position and reason. A valid message the
 *   database then refuses (an unknown race or runner) is placed by its time.
 */
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "@totewatch/config";
import type { Db } from "@totewatch/db";
import {
  ingestTimedStream,
  isFeedFile,
  parseFeedMessage,
  peekKind,
  peekObservedAt,
  peekRaceKey,
  readFeedFile,
  type FeedIngestorOptions,
  type FeedRecord,
  type IngestRunOptions,
  type ParsedFeedMessage,
  type IngestSummary,
} from "@totewatch/feed";
import { oddsFormatLookup, registerConfiguredTracks, type ConfiguredTrack } from "./tracks.js";

export interface ReplayOptions extends IngestRunOptions {
  /**
   * Registered (name, code, zone) before any message is applied: their zones read local "HH:MM"
   * post times, and their `oddsFormat` / `dividendUnit` read win odds that do not say their format.
   */
  tracks?: readonly ConfiguredTrack[];
}

/** Files named on the command line: files as given, folders expanded to their feed files, sorted. */
export async function expandFeedInputs(inputs: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    let info;
    try {
      info = await stat(input);
    } catch {
      throw new Error(`cannot read ${input}: no such file or folder`);
    }
    if (!info.isDirectory()) {
      files.push(input);
      continue;
    }
    const inside = (await readdir(input, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile() && isFeedFile(entry.name))
      .map((entry) => path.join(entry.parentPath, entry.name))
      .sort();
    if (inside.length === 0) throw new Error(`${input}: no .jsonl or .json feed files inside`);
    files.push(...inside);
  }
  return files;
}

/** A message validated once, while the files are ordered, or its refusal. */
type Checked = { ok: true; message: ParsedFeedMessage } | Extract<FeedRecord, { ok: false }>;

/** A message with the place it takes in the replay. */
interface Ordered {
  /** Not ok when refused (its validation error, warned about when its turn comes). */
  checked: Checked;
  /** Its race (peekRaceKey) and whether it is a card, for pulling cards before their races. */
  race: string | null;
  card: boolean;
  /**
   * Observation instant (epoch ms); cards borrow one from their neighbours, refused messages the
   * latest one above them. Only a message that is not refused is paced by it.
   */
  time: number;
  /**
   * 0 for valid messages without a time of their own (cards, statuses without `at`), so they go
   * before snapshots at equal time; 1 for the rest, refused ones included (they keep their file order).
   */
  rank: 0 | 1;
  /** The time is the message's own (not borrowed from the line above). */
  timed: boolean;
  seq: number;
}

/**
 * Reads every file and puts its messages in observation order. A message
 * without a time of its own (a card, a status without `at`) takes the time of
 * the previous timed message in its file (-infinity at the top), so it keeps
 * its place after what came before it; at equal times it goes first. A card
 * also goes no later than the earliest later message of its race in the file:
 * a snapshot written after its card but observed before the line above it
 * would otherwise be applied before the card it needs. A refused message
 * takes the latest time above it in its file, so it goes after every line
 * above it (see the invariants above).
 */
export async function orderFeedFiles(
  files: readonly string[],
  onEmptyFile: (file: string) => void = () => undefined,
  oddsFormatOf?: FeedIngestorOptions["oddsFormatOf"],
): Promise<Ordered[]> {
  const all: Ordered[] = [];
  let seq = 0;
  for (const file of files) {
    const fromFile: Ordered[] = [];
    let previous = Number.NEGATIVE_INFINITY;
    let latest = Number.NEGATIVE_INFINITY;
    for await (const record of readFeedFile(file)) {
      const checked = check(record, oddsFormatOf);
      if (!checked.ok || !record.ok) {
        // The latest time, not the previous: a line above stamped later still goes first.
        const place = { race: null, card: false, time: latest, rank: 1 as const, timed: false };
        fromFile.push({ checked, ...place, seq: seq++ });
        continue;
      }
      // A valid message's time is its own (within the feed's years): a refused one's is not read.
      // Read from the raw message here, which is let go of once the parsed one is kept.
      const { raw } = record;
      const time = peekObservedAt(raw);
      fromFile.push({
        checked,
        race: peekRaceKey(raw),
        card: peekKind(raw) === "card",
        time: time ?? previous,
        rank: time === null ? 0 : 1,
        timed: time !== null,
        seq: seq++,
      });
      if (time !== null) {
        previous = time;
        latest = Math.max(latest, time);
      }
    }
    if (fromFile.length === 0) onEmptyFile(file);
    pullCardsBeforeTheirRaces(fromFile);
    all.push(...fromFile);
  }
  all.sort((a, b) => a.time - b.time || a.rank - b.rank || a.seq - b.seq);
  return all;
}

/**
 * The parsed message, or its refusal: the ingestor applies the one and warns about the other as
 * it would have (same position, same reason), without validating either again.
 */
function check(record: FeedRecord, oddsFormatOf: FeedIngestorOptions["oddsFormatOf"]): Checked {
  if (!record.ok) return record;
  const parsed = parseFeedMessage(record.raw, record.position, { oddsFormatOf });
  return parsed.ok
    ? { ok: true, message: parsed.message }
    : { ok: false, position: record.position, error: parsed.error };
}

/** Lowers each card's time to the earliest time of any later timed message of its race (one file, in file order). */
function pullCardsBeforeTheirRaces(fromFile: Ordered[]): void {
  const earliestLater = new Map<string, number>();
  for (let i = fromFile.length - 1; i >= 0; i--) {
    const item = fromFile[i]!;
    const race = item.race;
    if (race === null) continue;
    const later = earliestLater.get(race);
    if (item.card) {
      if (later !== undefined && later < item.time) item.time = later;
    } else if (item.timed && (later === undefined || item.time < later)) {
      earliestLater.set(race, item.time);
    }
  }
}

/** Applies feed files (or folders of them) to the database in observation-time order. */
export async function replayFiles(
  db: Db,
  inputs: readonly string[],
  options: ReplayOptions = {},
): Promise<IngestSummary> {
  // Reading and ordering the files is part of the replay's time.
  const startedAt = performance.now();
  const files = await expandFeedInputs(inputs);
  let emptyFiles = 0;
  const oddsFormatOf = options.oddsFormatOf ?? oddsFormatLookup(options.tracks ?? []);
  const ordered = await orderFeedFiles(
    files,
    (file) => {
      emptyFiles++;
      warnEmptyFile(options.logger, file);
    },
    oddsFormatOf,
  );
  await registerConfiguredTracks(db, options.tracks ?? []);
  const summary = await ingestTimedStream(releasing(ordered), {
    ...options,
    oddsFormatOf,
    db,
    startedAt,
    // A refused message's time (a 1970 fetched_at) is never waited for.
    timeOf: (item) => (item.checked.ok ? item.time : Number.NaN),
    write: async ({ checked, time }, batch) => {
      await (checked.ok ? batch?.ingestParsed(checked.message, time) : batch?.ingestRecord(checked, time));
    },
  });
  return emptyFiles > 0 ? { ...summary, emptyFiles } : summary;
}

function warnEmptyFile(logger: Logger | undefined, file: string): void {
  logger?.warn(
    { file },
    `${file}: no feed messages in it (empty, blank lines only, or an empty array); nothing replayed from it`,
  );
}

/** The items in order, letting go of each once taken: a big day is held once, not twice. */
function* releasing<T>(items: Array<T | undefined>): Generator<T> {
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    items[i] = undefined;
    yield item;
  }
}
