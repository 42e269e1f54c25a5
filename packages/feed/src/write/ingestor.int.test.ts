import { captureLogs, countRows, createTestDb, dumpTables } from "@totewatch/test-utils";
import { findRace, type Db } from "@totewatch/db";
import type { BoardOddsFormat } from "@totewatch/tote";
import { afterEach, describe, expect, it } from "vitest";
import { FeedIngestor, type FeedIngestorOptions } from "../index.js";

const opened: Db[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
});

function freshDb(): Db {
  const db = createTestDb("feed-ingestor");
  opened.push(db);
  return db;
}

const race = { track: "Sha Tin", date: "2025-09-12", race: 3 };
const key = { track: "Sha Tin", raceDate: "2025-09-12", raceNumber: 3 };
const card = {
  kind: "card",
  ...race,
  timezone: "Asia/Hong_Kong",
  post_time: "2025-09-12T13:00:00+08:00",
  entries: [
    { program_number: "1", horse: "Golden Sixty", morning_line: "5-2" },
    { program_number: "2", horse: "Romantic Warrior", morning_line: "3-1" },
    { program_number: "3", horse: "California Spangle", morning_line: "10-1" },
    { program_number: "4", horse: "Late Scratch", morning_line: "20-1", scratched: true },
  ],
};
const winAt = (fetchedAt: string, odds: readonly unknown[], extra: object = {}) => ({
  kind: "win",
  ...race,
  fetched_at: fetchedAt,
  total_win_pool: 100000,
  horses: odds.map((win_odds, i) => ({
    program_number: String(i + 1),
    win_odds,
    ...(win_odds === "SCR" || win_odds === null ? {} : { win_pool_amount: 10000 * (i + 1) }),
  })),
  ...extra,
});

/** Writes each message in its own group commit, observed at `observedAt` (epoch ms) when given. */
async function ingestAll(
  db: Db,
  messages: ReadonlyArray<unknown>,
  options: FeedIngestorOptions = {},
  observedAt?: number,
): Promise<FeedIngestor> {
  const ingestor = new FeedIngestor(db, options);
  let index = 0;
  for (const message of messages) {
    await ingestor.batch((batch) => batch.ingest(message, { source: "t.jsonl", line: ++index }, observedAt));
  }
  return ingestor;
}

describe("FeedIngestor: decimal boards", () => {
  it("a decimal board stores the same rows as its odds-to-1 twin", async () => {
    // 3.5 - 1 = 2.5 (5-2); 4.0 - 1 = 3 (3-1); 11.0 - 1 = 10 (10-1); per $10: 35/10 = 3.5, 40/10 = 4, 110/10 = 11
    const oddsToOne = [card, winAt("2025-09-12T04:50:00Z", ["5-2", "3-1", "10-1", "SCR"])];
    const decimal = [card, winAt("2025-09-12T04:50:00Z", [3.5, "4.0", 11.0, "SCR"])];
    const perTen = [card, winAt("2025-09-12T04:50:00Z", [35, 40, 110, "SCR"])];
    const hongKong: BoardOddsFormat = { oddsFormat: "decimal", dividendUnit: 10 };

    const twin = freshDb();
    const twinIngestor = await ingestAll(twin, oddsToOne);
    expect(twinIngestor.stats).toMatchObject({ applied: 2, invalid: 0 });
    const expected = await dumpTables(twin);
    expect(
      (expected.odds_snapshot as Array<{ win_odds: number; win_odds_decimal: number }>).map((row) => [
        row.win_odds,
        row.win_odds_decimal,
      ]),
    ).toEqual([
      [2.5, 3.5],
      [3, 4],
      [10, 11],
    ]);

    // The track's default (totewatch.yaml oddsFormat: decimal), no odds_format in the message.
    const byTrack = freshDb();
    const byTrackIngestor = await ingestAll(byTrack, decimal, {
      oddsFormatOf: (track) => (track === "Sha Tin" ? { oddsFormat: "decimal", dividendUnit: 1 } : undefined),
    });
    expect(byTrackIngestor.stats).toMatchObject({ applied: 2, invalid: 0 });
    expect(await dumpTables(byTrack)).toEqual(expected);

    // Per $10, from the track's default.
    const perTenDb = freshDb();
    await ingestAll(perTenDb, perTen, { oddsFormatOf: () => hongKong });
    expect(await dumpTables(perTenDb)).toEqual(expected);

    // The message says so itself, whatever the track's default.
    const bySelf = freshDb();
    await ingestAll(bySelf, [card, { ...decimal[1]!, odds_format: "decimal" }]);
    expect(await dumpTables(bySelf)).toEqual(expected);
  });

  it("on a decimal board an odds-to-1 fraction makes the message invalid; nothing of it is written", async () => {
    const db = freshDb();
    const logs = captureLogs();
    const ingestor = await ingestAll(db, [card, winAt("2025-09-12T04:50:00Z", ["5-2", 3, 10, "SCR"])], {
      logger: logs.logger,
      oddsFormatOf: () => ({ oddsFormat: "decimal", dividendUnit: 1 }),
    });
    expect(ingestor.stats).toMatchObject({ applied: 1, invalid: 1 });
    expect(logs.records.map((record) => record.msg)).toEqual([
      expect.stringMatching(/^invalid message at t\.jsonl:2: horses\[0\]\.win_odds: "5-2" is odds-to-1/),
    ]);
    expect(await countRows(db)).toMatchObject({ odds_snapshot: 0 });
  });
});

describe("FeedIngestor: coupled entries", () => {
  it("stores a row for each member listed with the interest's price and amount", async () => {
    const coupledCard = {
      ...card,
      entries: [...card.entries, { program_number: "1A", horse: "Golden Mate", morning_line: "5-2" }],
    };
    const db = freshDb();
    const logs = captureLogs();
    const ingestor = await ingestAll(
      db,
      [
        coupledCard,
        {
          kind: "win",
          ...race,
          fetched_at: "2025-09-12T04:50:00Z",
          total_win_pool: 100000,
          horses: [
            { program_number: "1", win_odds: "5-2", win_pool_amount: 24000 },
            { program_number: "1A", win_odds: "5-2", win_pool_amount: 24000 },
            { program_number: "2", win_odds: "3-1", win_pool_amount: 21000 },
          ],
        },
        {
          kind: "win",
          ...race,
          fetched_at: "2025-09-12T04:55:00Z",
          horses: [
            { program_number: "1", win_odds: "5-2" },
            { program_number: "1A", win_odds: "2-1" },
          ],
        },
      ],
      { logger: logs.logger },
    );
    expect(ingestor.stats).toMatchObject({ applied: 2, invalid: 1 });
    expect(logs.records.map((record) => record.msg)).toEqual([
      'invalid message at t.jsonl:3: horses[1].win_odds: "1A" and "1" are one betting interest (a coupled entry), one price in the pool, but the odds differ: "2-1" here, "5-2" for "1"',
    ]);
    expect(await countRows(db)).toMatchObject({ entry: 5, odds_snapshot: 3 });
  });
});

describe("FeedIngestor: exacta probables", () => {
  it('stores nothing for {"1-2": 0}', async () => {
    const db = freshDb();
    const ingestor = await ingestAll(db, [
      card,
      {
        kind: "exacta",
        ...race,
        fetched_at: "2025-09-12T04:50:00Z",
        total_exacta_pool: 5000,
        probables: { "1-2": 0 },
      },
    ]);
    expect(ingestor.stats.invalid).toBe(0);
    expect(await countRows(db)).toMatchObject({ exacta_probable: 0 });
  });
});

describe("FeedIngestor: a status's time is the race's off time", () => {
  it("stores a status's own `at` as the off time", async () => {
    const db = freshDb();
    await ingestAll(db, [card, { kind: "status", ...race, status: "off", at: "2025-09-12T05:01:10Z" }]);
    expect((await findRace(db, key))?.offAt?.toISOString()).toBe("2025-09-12T05:01:10.000Z");
  });

  it("without an `at`, stores when the status was observed", async () => {
    const db = freshDb();
    const observedAt = Date.parse("2025-09-12T05:01:30Z");
    await ingestAll(db, [card, { kind: "status", ...race, status: "off" }], {}, observedAt);
    const summary = await findRace(db, key);
    expect(summary?.status).toBe("off");
    expect(summary?.offAt?.toISOString()).toBe("2025-09-12T05:01:30.000Z");
  });

  it("a status's own `at` wins over the observation time", async () => {
    const db = freshDb();
    const observedAt = Date.parse("2025-09-12T05:03:00Z");
    await ingestAll(
      db,
      [card, { kind: "status", ...race, status: "off", at: "2025-09-12T05:01:10Z" }],
      {},
      observedAt,
    );
    expect((await findRace(db, key))?.offAt?.toISOString()).toBe("2025-09-12T05:01:10.000Z");
  });

  it("an `at` more than five minutes after the status was observed is held to the observation time", async () => {
    // Seen at 05:03 saying "off at 08:01" (a clock or zone three hours out): it went off by 05:03.
    const db = freshDb();
    const observedAt = Date.parse("2025-09-12T05:03:00Z");
    await ingestAll(
      db,
      [card, { kind: "status", ...race, status: "off", at: "2025-09-12T08:01:00Z" }],
      {},
      observedAt,
    );
    expect((await findRace(db, key))?.offAt?.toISOString()).toBe("2025-09-12T05:03:00.000Z");
  });

  it("trusts the source's clock within five minutes of the observation", async () => {
    // Seen at 05:03:00 by the poller's clock, "off at 05:03:20" by the tote's: 20 s ahead, kept,
    // so the source's boards stamped before 05:03:20 stay pre-off.
    const db = freshDb();
    const observedAt = Date.parse("2025-09-12T05:03:00Z");
    await ingestAll(
      db,
      [card, { kind: "status", ...race, status: "off", at: "2025-09-12T05:03:20Z" }],
      {},
      observedAt,
    );
    expect((await findRace(db, key))?.offAt?.toISOString()).toBe("2025-09-12T05:03:20.000Z");
  });
});
