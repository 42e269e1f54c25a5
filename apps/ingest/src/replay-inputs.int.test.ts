/**
 * Replay's inputs as they come (issue 12, second review): a pipe or FIFO (read once, held, so it
 * replays as the same file would); many files recording at once (each kept open, read about once
 * per block, not per message); a file read back out of file order (blocks on a grid, kept, so its
 * bytes are read about once); a file edited or deleted during the replay (an error naming it); a
 * stop while the files are ordered. Reads are counted through replayInOrder's onFileRead.
 */
import { dumpTables, createTestDb } from "@totewatch/test-utils";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Db } from "@totewatch/db";
import { writeFeedMessage, type ApplyMessage } from "@totewatch/feed";
import { afterEach, describe, expect, it } from "vitest";
import { replayFiles } from "./replay.js";
import { planReplay, type ReplayPlan } from "./replay/plan.js";
import { replayInOrder } from "./replay/stream.js";

const opened: Db[] = [];
function freshDb(): Db {
  const db = createTestDb("ingest-replay-inputs");
  opened.push(db);
  return db;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
});
const tmp = () => mkdtempSync(path.join(os.tmpdir(), "ingest-replay-inputs-"));

const card = (track: string, race: number) => ({
  kind: "card",
  track,
  date: "2025-09-12",
  race,
  timezone: "America/Chicago",
  post_time: "13:00",
  entries: [
    { program_number: "1", horse: `${track} One ${race}` },
    { program_number: "2", horse: `${track} Two ${race}` },
  ],
});
/** A win board at minute `minute`, second `second` of 17:00Z, padded with a field the format ignores. */
const win = (track: string, race: number, minute: number, second: number, pad = 0) => ({
  kind: "win",
  track,
  date: "2025-09-12",
  race,
  fetched_at: `2025-09-12T17:${String(minute).padStart(2, "0")}:${String(second).padStart(2, "0")}Z`,
  horses: [
    { program_number: "1", win_odds: `${minute + 2}-1` },
    { program_number: "2", win_odds: "8-5" },
  ],
  ...(pad > 0 ? { note: "x".repeat(pad) } : {}),
});
const jsonl = (messages: unknown[]) => messages.map((m) => JSON.stringify(m)).join("\n");

/** Reads the plan back, counting reads from the files and their bytes. */
async function readBack(plan: ReplayPlan) {
  const count = { reads: 0, bytes: 0, messages: 0 };
  const onFileRead = (_file: number, bytes: number) => {
    count.reads++;
    count.bytes += bytes;
  };
  for await (const _ of replayInOrder(plan, { oddsFormatOf: undefined, onFileRead })) count.messages++;
  return count;
}
const plan = (files: string[], signal?: AbortSignal) =>
  planReplay(files, { oddsFormatOf: undefined, onEmptyFile: () => undefined, holdBytes: 0, signal });

describe("replay inputs", () => {
  it("replays a FIFO (read once, held) as it replays the same content in a regular file", async () => {
    const dir = tmp();
    const messages = [
      card("Pipe Downs", 1),
      ...Array.from({ length: 30 }, (_, m) => win("Pipe Downs", 1, m, 0)),
    ];
    const regular = path.join(dir, "day.jsonl");
    writeFileSync(regular, jsonl(messages));
    const fifo = path.join(dir, "fifo.jsonl");
    execFileSync("mkfifo", [fifo]);
    // The writer: another process, as `replay <(cat day.jsonl)` has `cat`.
    const writer = spawn("sh", ["-c", 'cat "$1" > "$2"', "sh", regular, fifo], { stdio: "ignore" });
    const exited = new Promise((resolve) => writer.on("exit", resolve));
    const fromFifo = freshDb();
    const summary = await replayFiles(fromFifo, [fifo], { holdBytes: 0 });
    await exited;
    const fromFile = freshDb();
    expect(summary).toMatchObject({ messages: 31, applied: 31, invalid: 0 });
    const { messagesPerSecond: _rate, elapsedMs: _elapsed, ...counts } = summary;
    expect(await replayFiles(fromFile, [regular], { holdBytes: 0 })).toMatchObject(counts);
    expect(await dumpTables(fromFifo)).toEqual(await dumpTables(fromFile));
  }, 20_000);

  it("keeps 100 files recording at once open: one read per file, not one per message", async () => {
    const dir = tmp();
    const files: string[] = [];
    for (let f = 0; f < 100; f++) {
      const track = `Track ${f}`;
      // Every file's boards interleave with every other's: minute m, second f.
      const messages = [card(track, 1), ...Array.from({ length: 20 }, (_, m) => win(track, 1, m, f % 60))];
      files.push(path.join(dir, `t${String(f).padStart(3, "0")}.jsonl`));
      writeFileSync(files.at(-1)!, jsonl(messages));
    }
    const count = await readBack(await plan(files));
    expect(count.messages).toBe(100 * 21);
    // Each file is a few KiB, within one block: read once (64 files open at once read 2,000 times).
    expect(count.reads).toBe(100);
    expect(count.bytes).toBe(files.reduce((sum, file) => sum + statSync(file).size, 0));
  });

  it("reads a file grouped by race (read back out of file order) about once, not a block per jump", async () => {
    const file = path.join(tmp(), "by-race.jsonl");
    const races = 8;
    const messages = [];
    // Grouped by race in the file; in time the races' boards alternate, so each read jumps back.
    for (let race = 1; race <= races; race++) {
      messages.push(card("Grouped Park", race));
      for (let m = 0; m < 60; m++) messages.push(win("Grouped Park", race, m, race, 2_000));
    }
    writeFileSync(file, jsonl(messages));
    const size = statSync(file).size;
    expect(size).toBeGreaterThan(3 * 256 * 1024);
    const count = await readBack(await plan([file]));
    expect(count.messages).toBe(messages.length);
    // Blocks on a fixed grid and kept: each read about once (lines across two blocks read alone).
    expect(count.bytes).toBeLessThan(2 * size);
    expect(count.reads).toBeLessThan(40);
  });

  it("stops, naming the file, when a file is edited during the replay with every line the same length", async () => {
    const file = path.join(tmp(), "day.jsonl");
    const messages = [
      card("Edit Downs", 1),
      // More than the replay reads ahead of its writes (READ_AHEAD + DEFAULT_GROUP_SIZE = 32).
      ...Array.from({ length: 60 }, (_, m) => win("Edit Downs", 1, m, 0)),
    ];
    const text = jsonl(messages);
    writeFileSync(file, text);
    // Still valid, the same length: the last board, an hour earlier.
    const edited = text.replace("2025-09-12T17:59:00Z", "2025-09-12T16:59:00Z");
    expect(edited).not.toBe(text);
    let applied = 0;
    const apply: ApplyMessage = async (db, message) => {
      if (applied++ === 0) writeFileSync(file, edited);
      return writeFeedMessage(db, message);
    };
    await expect(replayFiles(freshDb(), [file], { apply, holdBytes: 0 })).rejects.toThrow(
      `${file}: the file changed while it was being replayed`,
    );
  });

  it("stops, naming the file, when a file is deleted between ordering and reading back", async () => {
    const file = path.join(tmp(), "day.jsonl");
    writeFileSync(file, jsonl([card("Gone Park", 1), win("Gone Park", 1, 0, 0)]));
    const planned = await plan([file]);
    unlinkSync(file);
    await expect(readBack(planned)).rejects.toThrow(`${file}: the file is gone`);
  });

  it("stops while the files are ordered when the stop signal is raised", async () => {
    const file = path.join(tmp(), "day.jsonl");
    writeFileSync(file, jsonl([card("Stop Park", 1), win("Stop Park", 1, 0, 0)]));
    const stop = new AbortController();
    stop.abort();
    expect((await plan([file], stop.signal)).order).toHaveLength(0);
    expect(await replayFiles(freshDb(), [file], { signal: stop.signal })).toMatchObject({ messages: 0 });
  });
});
