/**
 * Refused messages in a replay: their warnings come out in line order, and nothing of theirs
 * (a refused card's place before timed messages, an out-of-range fetched_at that still parses)
 * moves them or paces the replay.
 */
import { captureLogs, countRows, createTestDb } from "@totewatch/test-utils";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Db } from "@totewatch/db";
import { afterEach, describe, expect, it } from "vitest";
import { replayFiles } from "./replay.js";

const opened: Db[] = [];
function freshDb(): Db {
  const db = createTestDb("ingest-replay-refused");
  opened.push(db);
  return db;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
});

const race = { track: "Test Downs", date: "2025-09-12", race: 1 };
const card = {
  kind: "card",
  ...race,
  timezone: "America/Chicago",
  post_time: "13:00",
  entries: [
    { program_number: "1", horse: "First Light" },
    { program_number: "2", horse: "Second Wind" },
  ],
};
const win = (fetchedAt: string) => ({
  kind: "win",
  ...race,
  fetched_at: fetchedAt,
  horses: [
    { program_number: "1", win_odds: "5-2" },
    { program_number: "2", win_odds: "8-5" },
  ],
});

/** Writes `lines` (values as JSON, strings as they are) to a new .jsonl file. */
function feedFile(lines: unknown[]): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "ingest-refused-")), "day.jsonl");
  const text = lines.map((line) => (typeof line === "string" ? line : JSON.stringify(line)));
  writeFileSync(file, `${text.join("\n")}\n`);
  return file;
}

/** A day with refused lines between good ones (line numbers in the comments). */
const day = [
  /* 1 */ card,
  /* 2 */ win("2025-09-12T17:40:00Z"),
  /* 3 */ { ...card, entries: [] }, // a refused card: no entries
  /* 4 */ win("1970-01-01T00:00:00Z"), // parses, but outside the feed's years
  /* 5 */ win("2025-09-12T17:41:00Z"),
  /* 6 */ { ...win("2025-09-12T17:42:00Z"), horses: [{ program_number: "1", win_odds: "abc" }] },
  /* 7 */ { ...card, post_time: "25:00" }, // a refused card: no such time
  /* 8 */ win("2150-01-01T00:00:00Z"), // outside the feed's years, the other way
  /* 9 */ '{"kind":"win",', // not JSON
  /* 10 */ { kind: "status", ...race, status: "off", at: "1999-12-31T23:59:00Z" }, // `at` too early
  /* 11 */ win("2025-09-12T17:42:00Z"),
];

describe("refused messages in a replay", () => {
  it("are warned about in line order", async () => {
    const db = freshDb();
    const logs = captureLogs();
    const summary = await replayFiles(db, [feedFile(day)], { logger: logs.logger });
    expect(summary).toMatchObject({ applied: 4, invalid: 7 });
    const lines = logs.records
      .filter((record) => record.msg.startsWith("invalid message"))
      .map((record) => Number(String(record.position).split(":").at(-1)));
    expect(lines).toEqual([3, 4, 6, 7, 8, 9, 10]);
    expect(await countRows(db)).toMatchObject({ race: 1, odds_snapshot: 6 });
  });

  it("never pace a --speed replay by a refused message's time", async () => {
    const sleeps: number[] = [];
    const summary = await replayFiles(freshDb(), [feedFile(day)], {
      speed: 60,
      sleep: async (ms) => void sleeps.push(ms),
    });
    expect(summary).toMatchObject({ applied: 4, invalid: 7 });
    // 17:40 -> 17:41 -> 17:42 at 60x: a second each, and nothing else.
    expect(sleeps).toEqual([1000, 1000]);
  });
});
