// When a scratch became known (entry.scratched_at, scratches.ts): from cards (applyRaceCard's
// asOf) and from win boards listing a runner "SCR" (recordWinSnapshot's `scratched`).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../client.js";
import { InvalidInputError, UnknownRaceError } from "../errors.js";
import { createTestDb, storedRows, type StoredRow } from "../../testing/index.js";
import { recordWinSnapshot } from "./odds.js";
import { applyRaceCard, type CardEntryInput, type RaceKey } from "./races.js";

let db: Db;
beforeAll(() => {
  db = createTestDb("scratches");
});
afterAll(async () => {
  await db.close();
});

/** 17:mm:00Z on race day (post is 17:30). */
const at = (minute: number) => new Date(Date.UTC(2025, 8, 13, 17, minute));
/** The same instant as stored (time.ts): integer milliseconds since the epoch. */
const stored = (minute: number) => at(minute).getTime();

const RUNNERS: CardEntryInput[] = [
  { programNumber: "1", horse: "Ace", morningLineOdds: 2 },
  { programNumber: "1A", horse: "Ace Mate", morningLineOdds: 2 },
  { programNumber: "2", horse: "Deuce", morningLineOdds: 3 },
  { programNumber: "3", horse: "Trey", morningLineOdds: 5 },
];

let raceNumber = 0;
/** A new race with the four runners, none scratched; its card dated `asOf` when given. */
async function newRace(asOf?: Date): Promise<RaceKey> {
  const key = { track: "Scratch Downs", raceDate: "2025-09-13", raceNumber: ++raceNumber };
  await applyRaceCard(db, { ...key, postTime: at(30), asOf, entries: RUNNERS });
  return key;
}

/** A card that states only `program` scratched, observed at `asOf` (undated when absent). */
const scratchCard = (key: RaceKey, program: string, asOf?: Date) =>
  applyRaceCard(db, {
    ...key,
    asOf,
    entries: [{ ...RUNNERS.find((r) => r.programNumber === program)!, scratched: true }],
  });

/** Each runner of the race as stored: [program, scratched (0/1), scratched_at (text or null)]. */
async function scratches(key: RaceKey): Promise<Array<[unknown, unknown, unknown]>> {
  const { race, entry } = await storedRows(db, ["race", "entry"]);
  const raceId = race.find((r: StoredRow) => r.race_number === key.raceNumber)!.race_id;
  return entry
    .filter((e) => e.race_id === raceId)
    .map((e) => [e.program_number, e.scratched, e.scratched_at] as [unknown, unknown, unknown]);
}

/** A win board at `minute`: runners 1, 1A and 3 priced (less `without`), `scratched` shown "SCR". */
const board = (key: RaceKey, minute: number, scratched?: string[], without: string[] = []) =>
  recordWinSnapshot(db, {
    ...key,
    fetchedAt: at(minute),
    totalWinPool: 10_000,
    runners: [
      { programNumber: "1", winOdds: 2, winPoolAmount: 3000 },
      { programNumber: "1A", winOdds: 2, winPoolAmount: 3000 },
      { programNumber: "3", winOdds: 5, winPoolAmount: 1500 },
    ].filter((r) => !without.includes(r.programNumber)),
    scratched,
  });

describe("scratched_at from cards", () => {
  it("is the asOf of the dated card that scratches the runner", async () => {
    const key = await newRace(at(0));
    // 2 rows: the race's card_as_of (17:00 -> 17:10) and the scratch.
    expect(await scratchCard(key, "2", at(10))).toEqual({ changed: true, rows: 2 });
    expect(await scratches(key)).toEqual([
      ["1", 0, null],
      ["1A", 0, null],
      ["2", 1, stored(10)],
      ["3", 0, null],
    ]);
    // The same card again: nothing moves.
    expect(await scratchCard(key, "2", at(10))).toEqual({ changed: false, rows: 0 });
  });

  it("takes the earlier time from a stale card observed before it, never a later one", async () => {
    const key = await newRace(at(0));
    await scratchCard(key, "2", at(20));
    // A card observed at 17:12 (before the newest one, 17:20: stale, so the race row stays)
    // also said scratched: known since min(17:20, 17:12) = 17:12, the entry row only.
    expect(await scratchCard(key, "2", at(12))).toEqual({ changed: true, rows: 1 });
    expect((await scratches(key))[2]).toEqual(["2", 1, stored(12)]);
    // A later card saying it again (17:25): min(17:12, 17:25) = 17:12; only the race's
    // card_as_of moves (17:20 -> 17:25), the entry row is untouched.
    expect(await scratchCard(key, "2", at(25))).toEqual({ changed: true, rows: 1 });
    // A card that does not say scratched does not reinstate it, nor clear the time.
    await applyRaceCard(db, { ...key, asOf: at(26), entries: [RUNNERS[2]!] });
    expect((await scratches(key))[2]).toEqual(["2", 1, stored(12)]);
  });

  it("takes a card without asOf as known from the start: the earliest, which nothing dates later", async () => {
    const key = await newRace();
    // Undated (the top of a replayed file, applied before anything timed): known from the start.
    expect(await scratchCard(key, "2")).toEqual({ changed: true, rows: 1 });
    expect((await scratches(key))[2]).toEqual(["2", 1, null]);
    // A dated card changes only the race's card_as_of (1 row); an undated repeat changes nothing.
    expect(await scratchCard(key, "2", at(15))).toEqual({ changed: true, rows: 1 });
    expect(await scratchCard(key, "2")).toEqual({ changed: false, rows: 0 });
    expect((await scratches(key))[2]).toEqual(["2", 1, null]);
    // A scratch dated 17:15 that an undated card then reports moves to "from the start".
    const dated = await newRace();
    await scratchCard(dated, "2", at(15));
    expect(await scratchCard(dated, "2")).toEqual({ changed: true, rows: 1 });
    expect((await scratches(dated))[2]).toEqual(["2", 1, null]);
  });

  it("dates a runner scratched on the race's first card by that card's asOf", async () => {
    const key = { track: "Scratch Downs", raceDate: "2025-09-13", raceNumber: ++raceNumber };
    await applyRaceCard(db, {
      ...key,
      asOf: at(5),
      entries: [RUNNERS[0]!, { ...RUNNERS[2]!, scratched: true }],
    });
    expect(await scratches(key)).toEqual([
      ["1", 0, null],
      ["2", 1, stored(5)],
    ]);
  });
});

describe("scratches from a win board (SCR)", () => {
  it("scratches the runner in the board's transaction, known since its fetched_at", async () => {
    const key = await newRace(at(0));
    // Runners 1, 1A, 3 priced (3 rows) and #2 "SCR" (1 entry row): 4 rows.
    expect(await board(key, 18, ["2"])).toEqual({ changed: true, rows: 4 });
    expect((await scratches(key))[2]).toEqual(["2", 1, stored(18)]);
  });

  it("is idempotent: the same board again is unchanged, later boards keep the first time", async () => {
    const key = await newRace(at(0));
    await board(key, 18, ["2"]);
    const before = await storedRows(db, ["entry", "odds_snapshot"]);
    expect(await board(key, 18, ["2"])).toEqual({ changed: false, rows: 0 });
    expect(await storedRows(db, ["entry", "odds_snapshot"])).toEqual(before);
    // 17:19 still shows SCR: 3 new odds rows, the scratch time stays min(17:18, 17:19) = 17:18.
    expect(await board(key, 19, ["2"])).toEqual({ changed: true, rows: 3 });
    expect((await scratches(key))[2]).toEqual(["2", 1, stored(18)]);
    // A board from 17:16 replayed late: min(17:18, 17:16) = 17:16 (3 odds rows + 1 entry row).
    expect(await board(key, 16, ["2"])).toEqual({ changed: true, rows: 4 });
    expect((await scratches(key))[2]).toEqual(["2", 1, stored(16)]);
  });

  it("takes the earlier of a card's asOf and the board's fetched_at", async () => {
    const key = await newRace(at(0));
    await scratchCard(key, "2", at(10));
    // The board at 17:18 says SCR too: min(17:10, 17:18) = 17:10, only its odds rows are new.
    expect(await board(key, 18, ["2"])).toEqual({ changed: true, rows: 3 });
    expect((await scratches(key))[2]).toEqual(["2", 1, stored(10)]);
    // Undated card scratch first (known from the start): the board's SCR dates nothing, only its
    // 3 odds rows are new.
    const undated = await newRace(at(0));
    await scratchCard(undated, "2");
    expect(await board(undated, 18, ["2"])).toEqual({ changed: true, rows: 3 });
    expect((await scratches(undated))[2]).toEqual(["2", 1, null]);
  });

  it("does not scratch a runner without odds for another reason (null: not in `scratched`)", async () => {
    const key = await newRace(at(0));
    // #2 and #3 have no odds on this board and no SCR: neither is scratched.
    expect(await board(key, 18, [], ["3"])).toEqual({ changed: true, rows: 2 });
    expect(await scratches(key)).toEqual([
      ["1", 0, null],
      ["1A", 0, null],
      ["2", 0, null],
      ["3", 0, null],
    ]);
  });

  it("scratches one member of a coupled entry only; a SCR runner not on the card is ignored", async () => {
    const key = await newRace(at(0));
    expect(await board(key, 18, ["1A", "9"], ["1A"])).toEqual({ changed: true, rows: 3 });
    expect(await scratches(key)).toEqual([
      ["1", 0, null],
      ["1A", 1, stored(18)],
      ["2", 0, null],
      ["3", 0, null],
    ]);
  });

  it("refuses a runner both priced and scratched, and a board for an unknown race, writing nothing", async () => {
    const key = await newRace(at(0));
    const before = await storedRows(db, ["entry", "odds_snapshot"]);
    await expect(board(key, 18, ["3"])).rejects.toThrow(InvalidInputError);
    await expect(board({ ...key, raceNumber: 99 }, 18, ["2"])).rejects.toThrow(UnknownRaceError);
    expect(await storedRows(db, ["entry", "odds_snapshot"])).toEqual(before);
  });
});
