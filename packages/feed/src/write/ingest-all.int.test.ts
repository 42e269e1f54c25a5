/**
 * IngestBatch.ingestParsedAll on a migrated database (both engines): a run of snapshots sent as
 * groups through the batch's pipeline stores and counts exactly what ingesting one message at a
 * time does, a refused snapshot included (counted invalid at its position, the rest of its run
 * stored), and a failure of the database fails the batch with nothing of it stored.
 */
import { captureLogs, countRows, createTestDb, dumpTables, failInserts } from "@totewatch/test-utils";
import type { Db } from "@totewatch/db";
import { afterEach, describe, expect, it } from "vitest";
import { FeedIngestor, parseFeedMessage, type TimedMessage } from "../index.js";

const opened: Db[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
});
function freshDb(): Db {
  const db = createTestDb("feed-ingest-all");
  opened.push(db);
  return db;
}

const race = { track: "Del Mar", date: "2025-08-30", race: 6 };
const card = {
  kind: "card",
  ...race,
  post_time: "2025-08-30T23:30:00Z",
  entries: [
    { program_number: "1", horse: "Anvil", morning_line: "2-1" },
    { program_number: "2", horse: "Beacon", morning_line: "3-1" },
    { program_number: "3", horse: "Cinder", morning_line: "5-1" },
  ],
};
const win = (minute: number, odds: readonly string[]) => ({
  kind: "win",
  ...race,
  fetched_at: `2025-08-30T23:${String(minute).padStart(2, "0")}:00Z`,
  horses: odds.map((win_odds, i) => ({ program_number: String(i + 1), win_odds })),
});
const exacta = (minute: number, probables: Record<string, number>) => ({
  kind: "exacta",
  ...race,
  fetched_at: `2025-08-30T23:${String(minute).padStart(2, "0")}:00Z`,
  probables,
});

const DAY = [
  card,
  win(10, ["5-2", "3-1", "6-1"]),
  exacta(10, { "1-2": 14.2, "2-1": 16, "1-3": 30 }),
  // Runner 4 is not on the card: refused, the rest of its run stored.
  win(11, ["5-2", "3-1", "6-1", "9-1"]),
  exacta(11, { "1-2": 13.8, "3-1": 44 }),
  win(12, ["2-1", "3-1", "7-1"]),
  { kind: "status", ...race, status: "off", at: "2025-08-30T23:31:00Z" },
  win(32, ["2-1", "3-1", "7-1"]),
  // The same board again: unchanged.
  win(32, ["2-1", "3-1", "7-1"]),
  exacta(32, { "1-2": 12 }),
];
const source = "day.jsonl";

function parsedDay(): TimedMessage[] {
  return DAY.map((raw, i) => {
    const parsed = parseFeedMessage(raw, { source, line: i + 1 });
    if (!parsed.ok) throw new Error(`line ${i + 1}: ${parsed.error.reason}`);
    return { message: parsed.message };
  });
}

describe("IngestBatch.ingestParsedAll", () => {
  it("stores and counts what one at a time does; a refused snapshot is counted at its line", async () => {
    const single = freshDb();
    const singleIngestor = new FeedIngestor(single);
    for (const { message } of parsedDay())
      await singleIngestor.batch((batch) => batch.ingestParsedAll([{ message }]));

    const together = freshDb();
    const logs = captureLogs();
    const ingestor = new FeedIngestor(together, { logger: logs.logger });
    // Two calls in one batch: the second's groups go behind the first's still answering.
    const items = parsedDay();
    await ingestor.batch(async (batch) => {
      await batch.ingestParsedAll(items.slice(0, 5));
      await batch.ingestParsedAll(items.slice(5));
    });

    // card, 3 boards, 3 grids and the status applied; the repeated board unchanged; runner 4's board invalid.
    expect(ingestor.stats).toMatchObject({ applied: 8, unchanged: 1, invalid: 1 });
    expect(ingestor.stats).toEqual(singleIngestor.stats);
    expect(await dumpTables(together)).toEqual(await dumpTables(single));
    // Odds: 3 runners x 3 boards (10, 12, 32); exacta: 3 + 2 + 1 combinations.
    expect(await countRows(together)).toMatchObject({ odds_snapshot: 9, exacta_probable: 6 });
    const warned = logs.records.filter((record) => record.level === 40);
    expect(warned.map((record) => record.position)).toEqual([`${source}:4`]);
    expect(warned[0]!.msg).toBe(
      `invalid message at ${source}:4: program number "4" is not on the card of Del Mar 2025-08-30 race 6`,
    );
  });

  it("fails the batch when the database fails a statement, with nothing of the batch stored", async () => {
    const db = freshDb();
    const ingestor = new FeedIngestor(db);
    await ingestor.batch((batch) => batch.ingestParsedAll(parsedDay().slice(0, 1)));
    const removeTrigger = await failInserts(db, "exacta_probable", "NEW.payout = 44");
    try {
      await expect(ingestor.batch((batch) => batch.ingestParsedAll(parsedDay().slice(1)))).rejects.toThrow(
        "injected failure",
      );
    } finally {
      await removeTrigger();
    }
    expect(await countRows(db)).toMatchObject({ odds_snapshot: 0, exacta_probable: 0 });
    // Only the card's batch was counted.
    expect(ingestor.stats).toMatchObject({ applied: 1, unchanged: 0, invalid: 0 });
  });
});
