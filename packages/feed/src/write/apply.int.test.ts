import { countRows, createTestDb, DATA_TABLES, storedRows, type StoredRow } from "@totewatch/test-utils";
import { findRace, writeBatch, type Db } from "@totewatch/db";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FeedMessageError, parseFeedMessage, writeFeedMessage, type ParsedFeedMessage } from "../index.js";

let db: Db;
beforeEach(() => {
  db = createTestDb("feed-apply");
});
afterEach(async () => {
  await db.close();
});

const race = { track: "Belmont Park", date: "2025-09-12", race: 5 };
const card = {
  kind: "card",
  ...race,
  track_code: "BEL",
  timezone: "America/New_York",
  post_time: "2025-09-12T18:42:00-04:00",
  entries: [
    { program_number: "1", horse: "Speedy Sam", morning_line: "5-2" },
    { program_number: "2", horse: "Red Rocket", morning_line: "3-5" },
    { program_number: "3", horse: "Late Scratch", morning_line: "30-1", scratched: true },
  ],
};
const win = {
  kind: "win",
  ...race,
  fetched_at: "2025-09-12T22:30:00Z",
  total_win_pool: 105000,
  horses: [
    { program_number: "1", win_odds: "5-2", win_pool_amount: 25000 },
    { program_number: "2", win_odds: "3-5", win_pool_amount: 50000 },
    { program_number: "3", win_odds: "SCR" },
  ],
};
const exacta = {
  kind: "exacta",
  ...race,
  fetched_at: "2025-09-12T22:30:00Z",
  base_amount: 1,
  probables: { "1-2": 20, "2-1": 10, "1-3": null },
};
const status = { kind: "status", ...race, status: "off", at: "2025-09-12T22:43:10Z" };

/** The outcome of writing one message ("applied" or "unchanged"). */
async function applyFeedMessage(target: Db, message: ParsedFeedMessage): Promise<string> {
  return (await writeFeedMessage(target, message)).outcome;
}

let line = 0;
function parsed(raw: unknown): ParsedFeedMessage {
  const result = parseFeedMessage(raw, { source: "t.jsonl", line: ++line });
  if (!result.ok) throw new Error(result.error.reason);
  return result.message;
}

async function dump(target: Db): Promise<unknown> {
  return storedRows(target, DATA_TABLES);
}

/** The named columns of each row, ordered by them in turn (as text, like the stored program numbers). */
function columns(rows: StoredRow[], ...names: string[]): StoredRow[] {
  const picked = rows.map((row) => Object.fromEntries(names.map((name) => [name, row[name]])));
  return picked.sort((a, b) => {
    for (const name of names) {
      const [x, y] = [String(a[name]), String(b[name])];
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  });
}

describe("writeFeedMessage", () => {
  it("maps each kind to its helper and writes the normalized values", async () => {
    expect(await applyFeedMessage(db, parsed(card))).toBe("applied");
    expect(await applyFeedMessage(db, parsed(win))).toBe("applied");
    expect(await applyFeedMessage(db, parsed(exacta))).toBe("applied");
    expect(await applyFeedMessage(db, parsed(status))).toBe("applied");
    const stored = await storedRows(db, ["entry", "odds_snapshot", "exacta_probable"]);
    const programNumber = new Map(stored.entry.map((row) => [row.entry_id, row.program_number]));
    const rows = {
      odds: columns(
        stored.odds_snapshot.map((row) => ({ ...row, program_number: programNumber.get(row.entry_id) })),
        "program_number",
        "win_odds",
        "win_odds_decimal",
      ),
      exacta: columns(stored.exacta_probable, "first_horse", "second_horse", "payout"),
      entries: columns(stored.entry, "program_number", "morning_line_odds", "scratched"),
    };
    expect(rows.odds).toEqual([
      { program_number: "1", win_odds: 2.5, win_odds_decimal: 3.5 },
      { program_number: "2", win_odds: 0.6, win_odds_decimal: 1.6 },
    ]);
    expect(rows.exacta).toEqual([
      { first_horse: "1", second_horse: "2", payout: 40 },
      { first_horse: "2", second_horse: "1", payout: 20 },
    ]);
    expect(rows.entries).toEqual([
      { program_number: "1", morning_line_odds: 2.5, scratched: 0 },
      { program_number: "2", morning_line_odds: 0.6, scratched: 0 },
      { program_number: "3", morning_line_odds: 30, scratched: 1 },
    ]);
    const summary = await findRace(db, { track: "Belmont Park", raceDate: "2025-09-12", raceNumber: 5 });
    expect(summary?.status).toBe("off");
    expect(summary?.postTime?.toISOString()).toBe("2025-09-12T22:42:00.000Z");
  });

  it("applying every message twice changes nothing the second time", async () => {
    for (const raw of [card, win, exacta, status]) await applyFeedMessage(db, parsed(raw));
    const before = await dump(db);
    for (const raw of [card, win, exacta, status])
      expect(await applyFeedMessage(db, parsed(raw))).toBe("unchanged");
    expect(await dump(db)).toEqual(before);
  });

  it('scratches a runner a win board shows "SCR", known since its fetched_at; null scratches nothing', async () => {
    // A card with nobody scratched; the board at 22:30 shows #2 with no odds (null) and #3 "SCR".
    const runners = card.entries.map((entry) => ({ ...entry, scratched: false }));
    await applyFeedMessage(db, parsed({ ...card, entries: runners }));
    const board = {
      ...win,
      horses: [
        { program_number: "1", win_odds: "5-2", win_pool_amount: 25000 },
        { program_number: "2", win_odds: null },
        { program_number: "3", win_odds: "SCR" },
      ],
    };
    const scratches = async () =>
      columns((await storedRows(db, ["entry"])).entry, "program_number", "scratched", "scratched_at");
    expect(await applyFeedMessage(db, parsed(board))).toBe("applied");
    expect(await scratches()).toEqual([
      { program_number: "1", scratched: 0, scratched_at: null },
      { program_number: "2", scratched: 0, scratched_at: null },
      { program_number: "3", scratched: 1, scratched_at: Date.parse("2025-09-12T22:30:00.000Z") },
    ]);
    // The same board again (a replay): nothing to write.
    const before = await dump(db);
    expect(await applyFeedMessage(db, parsed(board))).toBe("unchanged");
    expect(await dump(db)).toEqual(before);
    // A board that only shows the scratch, from 22:25 (replayed out of order): an earlier
    // sighting, so known since min(22:30, 22:25) = 22:25 and nothing else written.
    const earlier = { ...board, fetched_at: "2025-09-12T22:25:00Z", horses: [board.horses[2]!] };
    expect(await applyFeedMessage(db, parsed(earlier))).toBe("applied");
    expect((await scratches())[2]).toMatchObject({ scratched_at: Date.parse("2025-09-12T22:25:00.000Z") });
    expect(await countRows(db)).toMatchObject({ odds_snapshot: 1 });
  });

  it("reads a local post time in the track's stored zone, else New York", async () => {
    await applyFeedMessage(db, parsed({ ...card, timezone: "America/Chicago" }));
    await applyFeedMessage(db, parsed({ ...card, timezone: undefined, post_time: "13:00" }));
    const key = { track: "Belmont Park", raceDate: "2025-09-12", raceNumber: 5 };
    expect((await findRace(db, key))?.postTime?.toISOString()).toBe("2025-09-12T18:00:00.000Z");
    await applyFeedMessage(
      db,
      parsed({ ...card, track: "New Track", timezone: undefined, post_time: "13:00" }),
    );
    expect((await findRace(db, { ...key, track: "New Track" }))?.postTime?.toISOString()).toBe(
      "2025-09-12T17:00:00.000Z",
    );
  });

  it("in a group commit, reads the zone a card earlier in the same batch stored", async () => {
    // The track is new: only the batch's own (uncommitted) rows say it is in Chicago.
    await writeBatch(db, async () => {
      await applyFeedMessage(db, parsed({ ...card, track: "New Track", timezone: "America/Chicago" }));
      await applyFeedMessage(
        db,
        parsed({ ...card, track: "New Track", race: 6, timezone: undefined, post_time: "13:00" }),
      );
    });
    const key = { track: "New Track", raceDate: "2025-09-12", raceNumber: 6 };
    expect((await findRace(db, key))?.postTime?.toISOString()).toBe("2025-09-12T18:00:00.000Z");
  });

  it("turns refusals into FeedMessageError with the position; nothing is written", async () => {
    const noCard = parsed(win);
    await expect(applyFeedMessage(db, noCard)).rejects.toThrow(FeedMessageError);
    await expect(applyFeedMessage(db, noCard)).rejects.toThrow(
      /^t\.jsonl:\d+: no card for Belmont Park 2025-09-12 race 5/,
    );
    await applyFeedMessage(db, parsed(card));
    const unknown = parsed({ ...win, horses: [...win.horses, { program_number: "9", win_odds: 4 }] });
    const error = await applyFeedMessage(db, unknown).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FeedMessageError);
    expect((error as FeedMessageError).feedError).toMatchObject({
      source: "t.jsonl",
      reason: expect.stringMatching(/program number "9" is not on the card/),
    });
    const exactaUnknown = parsed({ ...exacta, probables: { "1-2": 5, "1-7": 5 } });
    await expect(applyFeedMessage(db, exactaUnknown)).rejects.toThrow(/"7" is not on the card/);
    expect(await countRows(db)).toMatchObject({ odds_snapshot: 0, exacta_probable: 0 });
  });
});
