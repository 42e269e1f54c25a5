/**
 * Replay streams (issue 12): each message is read back from its file when its turn comes (past
 * the first `holdBytes`, kept parsed from the first pass), so a day is never held; the merge across files keeps observation order; positions stay exact
 * whatever the bytes of the lines (byte order mark, CRLF, multibyte names); a JSON array file
 * is the one thing held whole; a file changed under a replay stops it rather than feed it
 * something it did not order.
 */
import { captureLogs, countRows, dumpTables, createTestDb } from "@totewatch/test-utils";
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Db } from "@totewatch/db";
import {
  DEFAULT_GROUP_SIZE,
  writeFeedMessage,
  type ApplyMessage,
  type FeedMessageInput,
} from "@totewatch/feed";
import { simulateRaceDay } from "@totewatch/simulator";
import { afterEach, describe, expect, it } from "vitest";
import { READ_AHEAD } from "./replay/read-ahead.js";
import { HOLD_WHOLE_DAY_BYTES, replayFiles } from "./replay.js";
import { planReplay } from "./replay/plan.js";
import { replayInOrder } from "./replay/stream.js";

const opened: Db[] = [];
function freshDb(): Db {
  const db = createTestDb("ingest-replay-stream");
  opened.push(db);
  return db;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
});
const tmp = () => mkdtempSync(path.join(os.tmpdir(), "ingest-replay-stream-"));
/** Most messages read and not yet written: a group taken to be written, and the read-ahead behind it. */
const AHEAD = DEFAULT_GROUP_SIZE + READ_AHEAD;

/** Counts reads and applies: how many messages were read and not yet written at each write. */
function heldCounter() {
  let read = 0;
  let written = 0;
  const heldAtWrite: number[] = [];
  const times: number[] = [];
  const apply: ApplyMessage = async (db, message) => {
    heldAtWrite.push(read - written);
    written++;
    if (message.kind === "win") times.push(message.snapshot.fetchedAt.getTime());
    if (message.kind === "exacta") times.push(message.snapshot.fetchedAt.getTime());
    return writeFeedMessage(db, message);
  };
  return { apply, onMessageRead: () => void read++, heldAtWrite, times, reads: () => read };
}

const simulated = (): FeedMessageInput[] => [
  ...simulateRaceDay({ date: "2025-09-12", tracks: 2, racesPerTrack: 3, runners: 6, seed: 5, exacta: true }),
];

describe("a streamed replay", () => {
  it("holds a few messages at a time (a group and the read-ahead), merging files in observation order", async () => {
    const day = simulated();
    // One file per track, each in time order: the replay merges them.
    const dir = tmp();
    const byTrack = new Map<string, FeedMessageInput[]>();
    for (const message of day) byTrack.set(message.track, [...(byTrack.get(message.track) ?? []), message]);
    expect(byTrack.size).toBe(2);
    for (const [track, messages] of byTrack) {
      writeFileSync(path.join(dir, `${track}.jsonl`), messages.map((m) => `${JSON.stringify(m)}\n`).join(""));
    }
    const counter = heldCounter();
    const summary = await replayFiles(freshDb(), [dir], {
      apply: counter.apply,
      onMessageRead: counter.onMessageRead,
      // Nothing kept parsed from the first pass: every message is read back when its turn comes.
      holdBytes: 0,
    });
    expect(summary).toMatchObject({ messages: day.length, invalid: 0 });
    expect(day.length).toBeGreaterThan(200);
    expect(counter.reads()).toBe(day.length);
    expect(counter.heldAtWrite).toHaveLength(day.length);
    // Read when its turn comes, or a little before (its group, read-ahead): at most AHEAD read and not
    // yet written, whatever the day's size.
    expect(Math.max(...counter.heldAtWrite)).toBeLessThanOrEqual(AHEAD);
    expect(AHEAD).toBeLessThan(day.length / 5);
    // Every snapshot of both files, interleaved in time order.
    const snapshotTimes = day.flatMap((message) =>
      message.kind === "win" || message.kind === "exacta" ? [Date.parse(message.fetched_at)] : [],
    );
    expect(counter.times).toEqual(snapshotTimes.sort((a, b) => a - b));
  });

  it("holds a small day parsed from the first pass by default (read and validated once)", async () => {
    // The simulated day is well under HOLD_WHOLE_DAY_BYTES (16 MiB): with no holdBytes given,
    // every message is read in the first pass, so all are read before the first write.
    const day = simulated();
    const file = path.join(tmp(), "day.jsonl");
    writeFileSync(file, day.map((m) => `${JSON.stringify(m)}\n`).join(""));
    expect(statSync(file).size).toBeLessThan(HOLD_WHOLE_DAY_BYTES);
    const counter = heldCounter();
    const summary = await replayFiles(freshDb(), [file], {
      apply: counter.apply,
      onMessageRead: counter.onMessageRead,
    });
    expect(summary).toMatchObject({ messages: day.length, invalid: 0 });
    expect(counter.heldAtWrite[0]).toBe(day.length);
  });

  it("reads the same messages in the same order with one file open at a time", async () => {
    const dir = tmp();
    const day = simulated();
    for (const [i, track] of ["Belmont Park", "Santa Anita Park"].entries()) {
      const lines = day.filter((message) => message.track === track).map((m) => `${JSON.stringify(m)}\n`);
      expect(lines.length).toBeGreaterThan(100);
      writeFileSync(path.join(dir, `${i}.jsonl`), lines.join(""));
    }
    const files = [path.join(dir, "0.jsonl"), path.join(dir, "1.jsonl")];
    const read = async (maxOpenFiles: number) => {
      const plan = await planReplay(files, {
        oddsFormatOf: undefined,
        onEmptyFile: () => undefined,
        holdBytes: 0,
      });
      const out: string[] = [];
      for await (const { checked, time } of replayInOrder(plan, { oddsFormatOf: undefined, maxOpenFiles })) {
        const position = checked.ok ? checked.message.position : checked.position;
        out.push(`${position.source}:${position.line}@${time}`);
      }
      return out;
    };
    const oneOpen = await read(1);
    expect(oneOpen).toHaveLength(day.length);
    expect(oneOpen).toEqual(await read(64));
    // Both files' messages, interleaved: the single reader was closed and reopened between them.
    expect(new Set(oneOpen.slice(0, 150).map((where) => where.split(":")[0]))).toEqual(new Set(files));
  });

  it("keeps parsed from the first pass only the first messages whose lines fit in holdBytes", async () => {
    const day = simulated();
    const lines = day.map((message) => JSON.stringify(message));
    const file = path.join(tmp(), "day.jsonl");
    writeFileSync(file, lines.map((line) => `${line}\n`).join(""));
    const holdBytes = 8_000;
    let fit = 0;
    for (let bytes = 0; bytes + Buffer.byteLength(lines[fit]!) <= holdBytes; fit++) {
      bytes += Buffer.byteLength(lines[fit]!);
    }
    expect(fit).toBeGreaterThan(5);
    expect(fit).toBeLessThan(day.length / 10);
    const counter = heldCounter();
    const summary = await replayFiles(freshDb(), [file], {
      apply: counter.apply,
      onMessageRead: counter.onMessageRead,
      holdBytes,
    });
    expect(summary).toMatchObject({ messages: day.length, invalid: 0 });
    expect(counter.reads()).toBe(day.length);
    // The held ones were read before anything was written (with at most AHEAD more read ahead);
    // after them, at most AHEAD read and not yet written.
    expect(counter.heldAtWrite[0]).toBeGreaterThanOrEqual(fit);
    expect(Math.max(...counter.heldAtWrite)).toBeLessThanOrEqual(fit + AHEAD);
    expect(Math.max(...counter.heldAtWrite.slice(fit))).toBeLessThanOrEqual(AHEAD);
  });

  it("reads lines by their bytes: a bad line late in a file is reported at its line, the rest is applied", async () => {
    const race = { track: "Hipódromo Café", date: "2025-09-12", race: 1 };
    const card = {
      kind: "card",
      ...race,
      timezone: "America/Chicago",
      post_time: "13:00",
      entries: [
        { program_number: "1", horse: "Señor Ñandú" },
        { program_number: "2", horse: "Zürich Größe 🐎" },
      ],
    };
    const win = (minute: number) => ({
      kind: "win",
      ...race,
      fetched_at: `2025-09-12T17:${String(minute).padStart(2, "0")}:00Z`,
      horses: [
        { program_number: "1", win_odds: "5-2" },
        { program_number: "2", win_odds: "8-5" },
      ],
    });
    // A byte order mark, CRLF line ends, blank lines, multibyte text on every line, no last line end.
    const lines: string[] = [JSON.stringify(card), ""];
    for (let minute = 0; minute < 50; minute++) lines.push(JSON.stringify(win(minute)));
    lines.push('{"kind":"win","track":"Hipódromo Café",'); // line 53: not JSON
    lines.push("   ", JSON.stringify(win(55)));
    const file = path.join(tmp(), "día.jsonl");
    writeFileSync(file, `\uFEFF${lines.join("\r\n")}`);

    const db = freshDb();
    const logs = captureLogs();
    const summary = await replayFiles(db, [file], {
      logger: logs.logger,
      batchLimits: { maxMessages: 7, maxMs: Number.POSITIVE_INFINITY },
      holdBytes: 0,
    });
    expect(summary).toMatchObject({ applied: 52, invalid: 1 });
    const invalid = logs.records.filter((record) => record.msg.startsWith("invalid message"));
    expect(invalid).toHaveLength(1);
    expect(invalid[0]).toMatchObject({ position: `${file}:53` });
    expect(String(invalid[0]!.reason)).toMatch(/^not JSON: /);
    expect(await countRows(db)).toMatchObject({ race: 1, horse: 2, odds_snapshot: 51 * 2 });
    const tables = await dumpTables(db);
    expect((tables.horse as Array<{ name: string }>).map((horse) => horse.name).sort()).toEqual([
      "Señor Ñandú",
      "Zürich Größe 🐎",
    ]);
    expect((tables.track as Array<{ name: string }>)[0]!.name).toBe("Hipódromo Café");
  });

  it("holds a JSON array file whole (it counts only as a whole) and applies it as its JSON Lines twin", async () => {
    const day = simulated().slice(0, 60);
    const dir = tmp();
    const asArray = path.join(dir, "day.json");
    const asLines = path.join(dir, "day.jsonl");
    writeFileSync(asArray, JSON.stringify(day, null, 1));
    writeFileSync(asLines, day.map((m) => JSON.stringify(m)).join("\n"));

    const counter = heldCounter();
    const fromArray = freshDb();
    expect(
      await replayFiles(fromArray, [asArray], { apply: counter.apply, onMessageRead: counter.onMessageRead }),
    ).toMatchObject({ messages: 60, invalid: 0 });
    // Every element was read before the first was written.
    expect(counter.heldAtWrite[0]).toBe(60);
    const fromLines = freshDb();
    await replayFiles(fromLines, [asLines]);
    expect(await dumpTables(fromArray)).toEqual(await dumpTables(fromLines));
  });

  it("stops, naming the line, when a file changes under it", async () => {
    // Padded with a field the format ignores, so the file is big and its messages few.
    const day = simulated()
      .slice(0, 40)
      .map((message) => ({ ...message, note: "x".repeat(20_000) }));
    const file = path.join(tmp(), "day.jsonl");
    const text = day.map((m) => JSON.stringify(m)).join("\n");
    // Well past the block a reader holds (256 KiB), so the last line is read after the change.
    expect(Buffer.byteLength(text)).toBeGreaterThan(512 * 1024);
    writeFileSync(file, text);
    const lastLine = JSON.stringify(day.at(-1));
    let changed = false;
    const apply: ApplyMessage = async (db, message) => {
      if (!changed) {
        // The same bytes everywhere but the last line, which is no longer JSON.
        changed = true;
        const broken = `{${" ".repeat(lastLine.length - 1)}`;
        writeFileSync(file, text.slice(0, text.length - lastLine.length) + broken);
      }
      return writeFeedMessage(db, message);
    };
    await expect(replayFiles(freshDb(), [file], { apply, holdBytes: 0 })).rejects.toThrow(
      `${file}:${day.length}: the file changed while it was being replayed`,
    );
  });
});
