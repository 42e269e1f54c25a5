/**
 * The first pass of a replay: every file read once, a line at a time, into a
 * plan of where each message goes in the replay (docs/feed.md, "Replay
 * order") and where its line lies in its file. The plan keeps a few numbers
 * per message, not the message: the second pass (stream.ts) reads each
 * message again when its turn comes.
 *
 * Ordering (unchanged from when replay held the whole day):
 * - A message without a time of its own (a card, a status without `at`)
 *   takes the time of the previous timed message in its file (-infinity at
 *   the top), so it keeps its place after what came before it; at equal
 *   times it goes first.
 * - A card also goes no later than the earliest later message of its race in
 *   the file: a snapshot written after its card but observed before the line
 *   above it would otherwise be applied before the card it needs.
 * - A refused message (not JSON, or failing validation) takes the latest time
 *   above it in its file, so it goes after every line above it, and refused
 *   lines are warned about in line order; its own time is never read.
 * - Ties keep the file order, and files the order they were given in.
 *
 * Messages are validated here as the write validates them (the same track
 * lookup), so what is refused here is exactly what validation on write would
 * refuse, with the same position and reason.
 *
 * Each file is fstat'ed when opened and once read to its end: a regular
 * file's size, mtime and inode then are kept, so the second pass can tell
 * that it changed; a file that cannot
 * be read again (a pipe, `<(cat day.jsonl)`, a FIFO) has every message held,
 * as a JSON array file has, so it replays exactly as a held day did.
 */
import {
  indexFeedFile,
  parseFeedMessage,
  peekKind,
  peekObservedAt,
  peekRaceKey,
  type FeedIngestorOptions,
  type FeedLineReaderOptions,
  type FeedRecord,
  type ParsedFeedMessage,
} from "@totewatch/feed";
import type { Stats } from "node:fs";
import { Column } from "./columns.js";

/** A message validated, or its refusal. */
export type Checked = { ok: true; message: ParsedFeedMessage } | Extract<FeedRecord, { ok: false }>;

export type OddsFormatOf = FeedIngestorOptions["oddsFormatOf"];

/** A file's size, mtime and inode when the first pass read it. */
export type FeedFileIdentity = NonNullable<FeedLineReaderOptions["expect"]>;

/**
 * The parsed message, or its refusal: the ingestor applies the one and warns about the other as
 * it would have (same position, same reason), without validating either again.
 */
export function check(record: FeedRecord, oddsFormatOf: OddsFormatOf): Checked {
  if (!record.ok) return record;
  const parsed = parseFeedMessage(record.raw, record.position, { oddsFormatOf });
  return parsed.ok
    ? { ok: true, message: parsed.message }
    : { ok: false, position: record.position, error: parsed.error };
}

/** Where every message of the replay goes, by its number in file order across the files (seq). */
export interface ReplayPlan {
  files: readonly string[];
  /** Each file as it was read (size, mtime, inode); null for one not read back (all held). */
  identity: readonly (FeedFileIdentity | null)[];
  /** The seqs in replay order. */
  order: Uint32Array;
  /**
   * Observation instant (epoch ms) of each message: its own, or borrowed (see above). Only a
   * message that is not refused is paced by it; a card carries it as its as-of time.
   */
  time: Float64Array;
  /** Index in `files`, line, and the byte span of the line to read the message back from. */
  file: Uint32Array;
  line: Uint32Array;
  offset: Float64Array;
  length: Uint32Array;
  /** 1 when the message was valid in the first pass (the second pass must find it so again). */
  valid: Uint8Array;
  /**
   * Messages held from the first pass until their turn: the first ones read, up to the hold
   * budget (so a small day is read and validated once), and every message of every JSON array
   * file and of every input that is not a regular file (no lines to read back). Each is
   * dropped when its turn comes, so these grow with all such files' messages together, not
   * with the largest one: a day recorded as arrays is held whole until it is replayed.
   */
  held: Map<number, Checked>;
}

const CARD = 1;
const TIMED = 2;

export interface PlanOptions {
  oddsFormatOf: OddsFormatOf;
  /** Called for each file that holds no message. */
  onEmptyFile: (file: string) => void;
  /**
   * Bytes of JSON Lines messages kept parsed for the second pass: the first messages read, in
   * file order, while their lines fit (their parsed form takes a few times their bytes).
   */
  holdBytes: number;
  /** Called for each message held (kept parsed) until its turn. */
  onHeld?: (checked: Checked) => void;
  /** Aborting stops the reading: the plan is then empty (nothing is replayed). */
  signal?: AbortSignal;
}

/** Reads every file once and plans the replay. */
export async function planReplay(files: readonly string[], options: PlanOptions): Promise<ReplayPlan> {
  const { oddsFormatOf, onEmptyFile, onHeld = () => undefined, signal } = options;
  let holdBytes = options.holdBytes;
  const time = new Column(Float64Array);
  /** 0 for valid messages without a time of their own, so they go first at equal times; 1 for the rest. */
  const rank = new Column(Uint8Array);
  const fileOf = new Column(Uint32Array);
  const line = new Column(Uint32Array);
  const offset = new Column(Float64Array);
  const length = new Column(Uint32Array);
  const valid = new Column(Uint8Array);
  const held = new Map<number, Checked>();
  const identity: (FeedFileIdentity | null)[] = [];
  // One file's scratch, for pulling its cards before their races.
  const race = new Column(Int32Array);
  const flags = new Column(Uint8Array);
  for (let f = 0; f < files.length; f++) {
    const file = files[f]!;
    const first = time.length;
    const raceIds = new Map<string, number>();
    race.clear();
    flags.clear();
    let previous = Number.NEGATIVE_INFINITY;
    let latest = Number.NEGATIVE_INFINITY;
    let regular = false;
    const onOpen = (stats: Stats) => void (regular = stats.isFile());
    // What the file was once read to its end (a file still being appended to grew while read).
    identity.push(null);
    const onDone = (stats: Stats) => {
      if (regular) identity[f] = { size: stats.size, mtimeMs: stats.mtimeMs, ino: stats.ino };
    };
    for await (const record of indexFeedFile(file, { onOpen, onDone })) {
      if (signal?.aborted) return emptyPlan(files);
      const seq = time.length;
      const checked = check(record, oddsFormatOf);
      if (!checked.ok || !record.ok) {
        // The latest time, not the previous: a line above stamped later still goes first.
        time.push(latest);
        rank.push(1);
        race.push(-1);
        flags.push(0);
      } else {
        // A valid message's time is its own (within the feed's years): a refused one's is not read.
        const { raw } = record;
        const own = peekObservedAt(raw);
        const key = peekRaceKey(raw);
        let id = -1;
        if (key !== null) {
          id = raceIds.get(key) ?? raceIds.size;
          raceIds.set(key, id);
        }
        time.push(own ?? previous);
        rank.push(own === null ? 0 : 1);
        race.push(id);
        flags.push((peekKind(raw) === "card" ? CARD : 0) | (own === null ? 0 : TIMED));
        if (own !== null) {
          previous = own;
          latest = Math.max(latest, own);
        }
      }
      fileOf.push(f);
      valid.push(checked.ok ? 1 : 0);
      line.push(record.position.line ?? 0);
      offset.push(record.span?.offset ?? 0);
      length.push(record.span?.length ?? 0);
      // Once one line does not fit, none after it is held: the held ones are the first in file order.
      // A line of a file that cannot be read again (a pipe) is held whatever the budget.
      const span = regular ? record.span : null;
      const hold = span === null || span.length <= holdBytes;
      holdBytes = span === null ? holdBytes : hold ? holdBytes - span.length : 0;
      if (hold) {
        held.set(seq, checked);
        onHeld(checked);
      }
    }
    if (time.length === first) onEmptyFile(file);
    pullCardsBeforeTheirRaces(time.view(), first, race.view(), flags.view());
  }
  if (signal?.aborted) return emptyPlan(files);
  return {
    files,
    identity,
    order: replayOrder(time.view(), rank.view()),
    time: time.view(),
    file: fileOf.view(),
    line: line.view(),
    offset: offset.view(),
    length: length.view(),
    valid: valid.view(),
    held,
  };
}

function emptyPlan(files: readonly string[]): ReplayPlan {
  const none = new Uint32Array(0);
  return {
    files,
    identity: files.map(() => null),
    order: none,
    time: new Float64Array(0),
    file: none,
    line: none,
    offset: new Float64Array(0),
    length: none,
    valid: new Uint8Array(0),
    held: new Map(),
  };
}

/**
 * Lowers each card's time to the earliest time of any later timed message of its race, in one
 * file (its messages from `first` on; `race` and `flags` are the file's, from 0).
 */
function pullCardsBeforeTheirRaces(
  time: Float64Array,
  first: number,
  race: Int32Array,
  flags: Uint8Array,
): void {
  const earliestLater = new Map<number, number>();
  for (let i = race.length - 1; i >= 0; i--) {
    const id = race[i]!;
    if (id < 0) continue;
    const seq = first + i;
    const later = earliestLater.get(id);
    if ((flags[i]! & CARD) !== 0) {
      if (later !== undefined && later < time[seq]!) time[seq] = later;
    } else if ((flags[i]! & TIMED) !== 0 && (later === undefined || time[seq]! < later)) {
      earliestLater.set(id, time[seq]!);
    }
  }
}

/** The seqs ordered by time, then rank, then seq (file order, files in the order given). */
function replayOrder(time: Float64Array, rank: Uint8Array): Uint32Array {
  const order = new Uint32Array(time.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => {
    const ta = time[a]!;
    const tb = time[b]!;
    if (ta !== tb) return ta < tb ? -1 : 1;
    return rank[a]! - rank[b]! || a - b;
  });
}
