/**
 * `ingest replay`: recorded feed files applied in observation-time order,
 * as fast as possible or at N times real time, in group commits. A file that
 * holds no message at all (empty, blank lines only, `[]`) is warned about by
 * name and counted (`emptyFiles`): a recording that came out empty is not
 * passed over in silence (`--strict` then exits 1).
 *
 * It streams (issue 12): the files are read twice, never held. The first
 * pass (replay/plan.ts) reads each file a line at a time and keeps a few
 * numbers per message: its place in the replay and where its line lies. The
 * second (replay/stream.ts) reads each message back when its turn comes and
 * hands it to the group commits, so a day's memory does not grow with its
 * messages: it holds one message at a time, plus the READ_AHEAD next ones
 * read while the database writes it (replay/read-ahead.ts) (and, if asked, the first
 * `holdBytes` of lines kept parsed from the first pass). A JSON array file
 * counts only as a whole (docs/feed.md), and an input that is not a regular
 * file (a pipe, `<(cat day.jsonl)`, a FIFO) cannot be read twice, so their
 * messages are held from the first pass until their turns: all such files'
 * messages at once (each dropped as it is applied), not just the largest
 * file's, so a day recorded as arrays or piped in is held as before streaming.
 *
 * Invariants:
 * - A refused message (not JSON, or failing validation: a bad card, a
 *   `fetched_at` or `at` outside the feed's years) is known as refused while
 *   the files are ordered, and nothing it says places it: it takes the latest
 *   time above it in its file, so it goes after every line above it and
 *   refused lines are warned about in line order. Its time never paces a
 *   `--speed` replay (a 1970 `fetched_at` would otherwise drive the clock).
 * - Messages are validated as the write validates them (the same track
 *   lookup), so what is refused is exactly what validation on write would
 *   refuse, with the same position and reason. A valid message the database
 *   then refuses (an unknown race or runner) is placed by its time.
 */
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "@totewatch/config";
import type { Db } from "@totewatch/db";
import {
  ingestTimedStream,
  isFeedFile,
  type FeedPosition,
  type IngestRunOptions,
  type IngestSummary,
  type TimedMessage,
} from "@totewatch/feed";
import { planReplay } from "./replay/plan.js";
import { readAhead } from "./replay/read-ahead.js";
import { replayInOrder } from "./replay/stream.js";
import { oddsFormatLookup, registerConfiguredTracks, type ConfiguredTrack } from "./tracks.js";

export interface ReplayOptions extends IngestRunOptions {
  /**
   * Registered (name, code, zone) before any message is applied: their zones read local "HH:MM"
   * post times, and their `oddsFormat` / `dividendUnit` read win odds that do not say their format.
   */
  tracks?: readonly ConfiguredTrack[];
  /**
   * Bytes of JSON Lines messages kept parsed from the first pass to the second; the rest are read
   * again when their turn comes. 0: hold none. Default: all of a day within HOLD_WHOLE_DAY_BYTES,
   * none of a larger one.
   */
  holdBytes?: number;
  /**
   * Called as each message is read to be applied: from its line when its turn comes, or, for a
   * message held, while the files are ordered. Lets a caller (a test) see how many messages are
   * held at once.
   */
  onMessageRead?: (position: FeedPosition) => void;
}

/**
 * None by default: past what it holds, a message is validated twice (once to order it, once to
 * apply it; some 15% more replay time), but a parsed message takes about 25 times its line (an
 * exacta grid's rows) and the heap grows about twice what is held, so holding costs more than it
 * saves: 1 MiB held measured 50 MB more peak RSS (235 against 185 MB on the 100-race day, flat
 * with the day's size either way) and 8 MiB over 150 MB more, past the 300 MB of issue 12.
 */
export const DEFAULT_HOLD_BYTES = 0;

/**
 * A day whose files together are at most this many bytes is held parsed from the first pass (read
 * and validated once, as before streaming: about 20% faster), when `holdBytes` is not given. Held,
 * such a day peaks near 250 MB (the 9 MiB bench day: 212 MB); a larger one streams and stays flat
 * (a 110 MB day: about 225 MB instead of 950).
 */
export const HOLD_WHOLE_DAY_BYTES = 16 * 1024 * 1024;

/** `holdBytes` when not given: everything for a day within HOLD_WHOLE_DAY_BYTES, else DEFAULT_HOLD_BYTES. */
async function defaultHoldBytes(files: readonly string[]): Promise<number> {
  let total = 0;
  for (const file of files) {
    const info = await stat(file).catch(() => null);
    if (info?.isFile()) total += info.size;
  }
  return total <= HOLD_WHOLE_DAY_BYTES ? Number.POSITIVE_INFINITY : DEFAULT_HOLD_BYTES;
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
  const onRead = options.onMessageRead;
  const plan = await planReplay(files, {
    oddsFormatOf,
    onEmptyFile: (file) => {
      emptyFiles++;
      warnEmptyFile(options.logger, file);
    },
    holdBytes: options.holdBytes ?? (await defaultHoldBytes(files)),
    onHeld: onRead && ((checked) => onRead(checked.ok ? checked.message.position : checked.position)),
    signal: options.signal,
  });
  await registerConfiguredTracks(db, options.tracks ?? []);
  // Read ahead: the next messages are read and validated while the database writes this one.
  const summary = await ingestTimedStream(readAhead(replayInOrder(plan, { oddsFormatOf, onRead })), {
    ...options,
    oddsFormatOf,
    db,
    startedAt,
    // A refused message's time (a 1970 fetched_at) is never waited for.
    timeOf: (item) => (item.checked.ok ? item.time : Number.NaN),
    write: async ({ checked, time }, batch) => {
      await (checked.ok ? batch?.ingestParsed(checked.message, time) : batch?.ingestRecord(checked, time));
    },
    // Valid messages together (their snapshots sent as groups, answered while the next are
    // read); a refused one alone.
    writeAll: async (items, batch) => {
      if (!batch) return;
      let valid: TimedMessage[] = [];
      for (const { checked, time } of items) {
        if (checked.ok) {
          valid.push({ message: checked.message, observedAt: time });
          continue;
        }
        await batch.ingestParsedAll(valid);
        valid = [];
        await batch.ingestRecord(checked, time);
      }
      await batch.ingestParsedAll(valid);
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
