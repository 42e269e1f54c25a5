// Races and cards (races.ts) and tracks (tracks.ts): one aggregate's writes and reads, on one database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../client.js";
import { InvalidInputError, UnknownRaceError } from "../errors.js";
import { createTestDb, failInserts, queryRows, storedRows } from "../../testing/index.js";
import {
  applyRaceCard,
  entriesForRace,
  findRace,
  raceById,
  racesOnDate,
  setRaceStatus,
  type RaceCardInput,
} from "./races.js";
import { registerTrack, trackTimeZone } from "./tracks.js";

let db: Db;

beforeAll(() => {
  db = createTestDb("races");
});
afterAll(async () => {
  await db.close();
});

const TABLES = ["track", "race", "horse", "entry", "odds_snapshot", "exacta_probable", "alert", "cursor"];

const dump = () => storedRows(db, TABLES);

function card(overrides: Partial<RaceCardInput> = {}): RaceCardInput {
  return {
    track: "Belmont Park",
    trackCode: "BEL",
    timezone: "America/New_York",
    raceDate: "2025-09-13",
    raceNumber: 1,
    postTime: new Date("2025-09-13T17:05:00Z"),
    entries: [
      {
        programNumber: "1",
        horse: "Alpha Bet",
        morningLineOdds: 2.5,
        jockey: "I. Ortiz Jr.",
        trainer: "T. Pletcher",
      },
      { programNumber: "1A", horse: "Alpha Coupled", morningLineOdds: 2.5, jockey: "J. Castellano" },
      { programNumber: "2", horse: "Bravo Zulu", morningLineOdds: 5, jockey: "F. Prat" },
      { programNumber: "10", horse: "Tenacious", morningLineOdds: 12, jockey: "J. Velazquez" },
    ],
    ...overrides,
  };
}

describe("applyRaceCard", () => {
  it("creates track, race, horses and entries, then is idempotent", async () => {
    const first = await applyRaceCard(db, card());
    expect(first).toEqual({ changed: true, rows: 1 + 1 + 4 + 4 });
    const before = await dump();
    expect(await applyRaceCard(db, card())).toEqual({ changed: false, rows: 0 });
    expect(await applyRaceCard(db, card())).toEqual({ changed: false, rows: 0 });
    expect(await dump()).toEqual(before);
    expect(before.track).toHaveLength(1);
    expect(before.race).toHaveLength(1);
    expect(before.horse).toHaveLength(4);
    expect(before.entry).toHaveLength(4);

    const race = await findRace(db, card());
    expect(race).toMatchObject({
      track: "Belmont Park",
      trackCode: "BEL",
      timezone: "America/New_York",
      raceDate: "2025-09-13",
      raceNumber: 1,
      status: "scheduled",
      runners: 4,
      scratched: 0,
    });
    expect(race?.postTime?.toISOString()).toBe("2025-09-13T17:05:00.000Z");
    expect(await raceById(db, race!.raceId)).toEqual(race);
  });

  it("lists entries in program order 1, 1A, 2, 10 with their card details", async () => {
    const race = await findRace(db, card());
    const entries = await entriesForRace(db, race!.raceId);
    expect(entries.map((e) => e.programNumber)).toEqual(["1", "1A", "2", "10"]);
    expect(entries[0]).toMatchObject({
      horse: "Alpha Bet",
      morningLineOdds: 2.5,
      jockey: "I. Ortiz Jr.",
      trainer: "T. Pletcher",
      scratched: false,
    });
    expect(entries[1]).toMatchObject({ horse: "Alpha Coupled", trainer: null });
  });

  it("a later card updates post time, scratches, jockey and trainer without duplicating anything", async () => {
    const race = await findRace(db, card());
    const later = card({
      postTime: new Date("2025-09-13T17:12:00Z"),
      entries: [
        {
          programNumber: "1",
          horse: "Alpha Bet",
          morningLineOdds: 2.5,
          jockey: "I. Ortiz Jr.",
          trainer: "T. Pletcher",
        },
        {
          programNumber: "1A",
          horse: "Alpha Coupled",
          morningLineOdds: 2.5,
          jockey: "J. Castellano",
          scratched: true,
        },
        {
          programNumber: "2",
          horse: "Bravo Zulu",
          morningLineOdds: 5,
          jockey: "J. Rosario",
          trainer: "C. Brown",
        },
        { programNumber: "10", horse: "Tenacious", morningLineOdds: 12, jockey: "J. Velazquez" },
      ],
    });
    // post time (1 race row) + scratch (1 entry) + jockey/trainer (1 entry)
    expect(await applyRaceCard(db, later)).toEqual({ changed: true, rows: 3 });
    const after = await findRace(db, card());
    expect(after?.raceId).toBe(race?.raceId);
    expect(after?.postTime?.toISOString()).toBe("2025-09-13T17:12:00.000Z");
    expect(after?.scratched).toBe(1);
    const entries = await entriesForRace(db, race!.raceId);
    expect(entries.find((e) => e.programNumber === "1A")?.scratched).toBe(true);
    expect(entries.find((e) => e.programNumber === "2")).toMatchObject({
      jockey: "J. Rosario",
      trainer: "C. Brown",
    });
    expect(await queryRows(db, `SELECT count(*) AS n FROM entry`)).toEqual([{ n: 4 }]);
    expect(await queryRows(db, `SELECT count(*) AS n FROM race`)).toEqual([{ n: 1 }]);
    // re-applying the later card is a no-op again
    expect(await applyRaceCard(db, later)).toEqual({ changed: false, rows: 0 });
  });

  it("a card without a post time keeps the stored one; a new runner is added", async () => {
    const withRunner = card({
      postTime: null,
      entries: [...card().entries, { programNumber: "11", horse: "Late Addition" }],
    });
    const result = await applyRaceCard(db, withRunner);
    expect(result.changed).toBe(true);
    const race = await findRace(db, card());
    expect(race?.postTime?.toISOString()).toBe("2025-09-13T17:12:00.000Z");
    expect((await entriesForRace(db, race!.raceId)).map((e) => e.programNumber)).toEqual([
      "1",
      "1A",
      "2",
      "10",
      "11",
    ]);
  });

  it("status only moves forward (scheduled -> open -> off -> official)", async () => {
    const key = card();
    await applyRaceCard(db, card({ status: "open" }));
    expect((await findRace(db, key))?.status).toBe("open");
    await applyRaceCard(db, card({ status: "scheduled" }));
    expect((await findRace(db, key))?.status).toBe("open");
    expect(await setRaceStatus(db, key, "off")).toEqual({ changed: true, rows: 1 });
    expect(await setRaceStatus(db, key, "open")).toEqual({ changed: false, rows: 0 });
    expect(await setRaceStatus(db, key, "off")).toEqual({ changed: false, rows: 0 });
    await applyRaceCard(db, card({ status: "open" }));
    expect((await findRace(db, key))?.status).toBe("off");
    expect(await setRaceStatus(db, key, "official")).toEqual({ changed: true, rows: 1 });
    expect(await setRaceStatus(db, key, "cancelled")).toEqual({ changed: false, rows: 0 });
    expect((await findRace(db, key))?.status).toBe("official");
  });

  it("a cancelled race stays cancelled", async () => {
    const key = card({ raceNumber: 9 });
    await applyRaceCard(db, key);
    await setRaceStatus(db, key, "cancelled");
    await applyRaceCard(db, card({ raceNumber: 9, status: "open" }));
    expect((await findRace(db, key))?.status).toBe("cancelled");
  });

  it("updates the track's code and timezone when given, keeps them when absent", async () => {
    await applyRaceCard(db, card({ track: "Del Mar", trackCode: "DMR", timezone: "America/Los_Angeles" }));
    await applyRaceCard(db, card({ track: "Del Mar", trackCode: null, timezone: null, raceNumber: 2 }));
    const [race] = await racesOnDate(db, "2025-09-13", { track: "Del Mar" });
    expect(race).toMatchObject({ trackCode: "DMR", timezone: "America/Los_Angeles" });
    await applyRaceCard(db, card({ track: "Del Mar", trackCode: "DM", raceNumber: 2 }));
    expect((await racesOnDate(db, "2025-09-13", { track: "Del Mar" }))[0]?.trackCode).toBe("DM");
  });

  it("a horse running in another race is stored once", async () => {
    const entriesOf = async () =>
      (
        await queryRows<{ n: number }>(
          db,
          `SELECT count(*) AS n FROM entry e JOIN horse h USING (horse_id) WHERE h.name = 'Alpha Bet'`,
        )
      )[0]!.n;
    const before = await entriesOf();
    await applyRaceCard(db, card({ raceNumber: 5, entries: [{ programNumber: "3", horse: "Alpha Bet" }] }));
    expect(await queryRows(db, `SELECT count(*) AS n FROM horse WHERE name = 'Alpha Bet'`)).toEqual([
      { n: 1 },
    ]);
    expect(await entriesOf()).toBe(before + 1);
  });

  it("refuses a bad card before writing anything, naming what is wrong", async () => {
    const before = await dump();
    await expect(applyRaceCard(db, card({ raceDate: "13/09/2025" }))).rejects.toThrow(
      /race date must be YYYY-MM-DD/,
    );
    await expect(applyRaceCard(db, card({ raceNumber: 0 }))).rejects.toThrow(InvalidInputError);
    await expect(applyRaceCard(db, card({ entries: [] }))).rejects.toThrow(/no entries/);
    await expect(
      applyRaceCard(
        db,
        card({
          entries: [
            { programNumber: "1", horse: "A" },
            { programNumber: "1", horse: "B" },
          ],
        }),
      ),
    ).rejects.toThrow(/program number "1" listed twice/);
    await expect(
      applyRaceCard(db, card({ entries: [{ programNumber: "1", horse: "A", morningLineOdds: -1 }] })),
    ).rejects.toThrow(/entry 1 has morning line -1/);
    await expect(applyRaceCard(db, card({ track: " " }))).rejects.toThrow(/track name is empty/);
    expect(await dump()).toEqual(before);
  });

  it("a card that fails half-way (after track, race and some entries) leaves nothing behind", async () => {
    // A trigger makes the 3rd entry's insert fail inside the helper's transaction.
    const removeTrigger = await failInserts(db, "entry", "NEW.program_number = '3'");
    try {
      const before = await dump();
      const halfWay = card({
        track: "Half Way Downs",
        entries: [
          { programNumber: "1", horse: "Made It One" },
          { programNumber: "2", horse: "Made It Two" },
          { programNumber: "3", horse: "Never Made It" },
        ],
      });
      await expect(applyRaceCard(db, halfWay)).rejects.toThrow(/injected failure/);
      expect(await dump()).toEqual(before);
      expect(await findRace(db, halfWay)).toBeNull();
    } finally {
      await removeTrigger();
    }
  });
});

describe("setRaceStatus", () => {
  it("throws UnknownRaceError for a race without a card", async () => {
    const key = { track: "Belmont Park", raceDate: "2025-09-13", raceNumber: 99 };
    const error = await setRaceStatus(db, key, "off").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownRaceError);
    expect((error as UnknownRaceError).race).toEqual(key);
    expect((error as Error).message).toBe(
      "no card for Belmont Park 2025-09-13 race 99: apply its card first",
    );
  });
});

describe("the off time (race.off_at)", () => {
  const post = new Date("2025-09-20T21:40:00Z");
  const at = (seconds: number) => new Date(post.getTime() + seconds * 1000);
  const offCard = (raceNumber: number, overrides: Partial<RaceCardInput> = {}) =>
    card({
      track: "Churchill Downs",
      trackCode: "CD",
      raceDate: "2025-09-20",
      raceNumber,
      postTime: post,
      ...overrides,
    });
  const offAt = async (key: RaceCardInput) => (await findRace(db, key))?.offAt ?? null;
  const storedOffAt = async (key: RaceCardInput) =>
    (
      await queryRows<{ offAt: number | null }>(
        db,
        `SELECT r.off_at AS "offAt" FROM race r JOIN track t USING (track_id)
         WHERE t.name = ? AND r.race_date = ? AND r.race_number = ?`,
        key.track,
        key.raceDate,
        key.raceNumber,
      )
    )[0]!.offAt;

  it("is null until the race is off, then the `at` of the off, stored as integer milliseconds", async () => {
    const key = offCard(1);
    await applyRaceCard(db, key);
    expect(await offAt(key)).toBeNull();
    expect(await setRaceStatus(db, key, "open", at(-600))).toEqual({ changed: true, rows: 1 });
    expect(await offAt(key)).toBeNull();
    expect(await setRaceStatus(db, key, "off", at(150))).toEqual({ changed: true, rows: 1 });
    expect(await findRace(db, key)).toMatchObject({ status: "off", offAt: at(150) });
    expect(await storedOffAt(key)).toBe(Date.parse("2025-09-20T21:42:30.000Z"));
  });

  it("keeps the earliest off seen: an earlier repeat lowers it, a later one or a replay does not raise it", async () => {
    const key = offCard(2);
    await applyRaceCard(db, key);
    await setRaceStatus(db, key, "off", at(200));
    // Same status, earlier off: the off time moves, so the write reports a change.
    expect(await setRaceStatus(db, key, "off", at(120))).toEqual({ changed: true, rows: 1 });
    expect(await offAt(key)).toEqual(at(120));
    expect(await setRaceStatus(db, key, "off", at(300))).toEqual({ changed: false, rows: 0 });
    expect(await setRaceStatus(db, key, "off", at(120))).toEqual({ changed: false, rows: 0 });
    expect(await setRaceStatus(db, key, "off")).toEqual({ changed: false, rows: 0 });
    expect(await setRaceStatus(db, key, "off", null)).toEqual({ changed: false, rows: 0 });
    // Official keeps the off time; an "off" replayed after it still lowers it (order does not matter).
    expect(await setRaceStatus(db, key, "official", at(900))).toEqual({ changed: true, rows: 1 });
    expect(await findRace(db, key)).toMatchObject({ status: "official", offAt: at(120) });
    expect(await setRaceStatus(db, key, "off", at(100))).toEqual({ changed: true, rows: 1 });
    expect(await findRace(db, key)).toMatchObject({ status: "official", offAt: at(100) });
  });

  it("is not invented by a race that goes straight to official or cancelled, or an off without a time", async () => {
    const official = offCard(3);
    await applyRaceCard(db, official);
    await setRaceStatus(db, official, "official", at(600));
    expect(await findRace(db, official)).toMatchObject({ status: "official", offAt: null });
    const cancelled = offCard(4);
    await applyRaceCard(db, cancelled);
    await setRaceStatus(db, cancelled, "cancelled", at(0));
    expect(await offAt(cancelled)).toBeNull();
    const untimed = offCard(5);
    await applyRaceCard(db, untimed);
    expect(await setRaceStatus(db, untimed, "off")).toEqual({ changed: true, rows: 1 });
    expect(await findRace(db, untimed)).toMatchObject({ status: "off", offAt: null });
    await expect(setRaceStatus(db, untimed, "off", new Date(Number.NaN))).rejects.toThrow(InvalidInputError);
  });

  it("comes from an off card's as-of time (a new race or a known one), the earliest one winning", async () => {
    const fresh = offCard(6, { status: "off", asOf: at(90) });
    expect((await applyRaceCard(db, fresh)).changed).toBe(true);
    expect(await findRace(db, fresh)).toMatchObject({ status: "off", offAt: at(90) });
    expect(await applyRaceCard(db, fresh)).toEqual({ changed: false, rows: 0 });

    const known = offCard(7, { status: "open", asOf: at(-300) });
    await applyRaceCard(db, known);
    expect(await offAt(known)).toBeNull();
    await applyRaceCard(db, offCard(7, { status: "off", asOf: at(240) }));
    expect(await offAt(known)).toEqual(at(240));
    // A status message timed earlier lowers it; a later off card does not raise it.
    await setRaceStatus(db, known, "off", at(200));
    // (Still a change: the newer card moves card_as_of.)
    expect(await applyRaceCard(db, offCard(7, { status: "off", asOf: at(400) }))).toEqual({
      changed: true,
      rows: 1,
    });
    expect(await offAt(known)).toEqual(at(200));
    // A stale off card (observed before the newest card) still reports an earlier off.
    await applyRaceCard(db, offCard(7, { status: "off", asOf: at(180) }));
    expect(await offAt(known)).toEqual(at(180));
  });

  it("is not set by an off card without an as-of time, nor by an official card", async () => {
    const untimed = offCard(8, { status: "off" });
    await applyRaceCard(db, untimed);
    expect(await findRace(db, untimed)).toMatchObject({ status: "off", offAt: null });
    const official = offCard(9, { status: "official", asOf: at(700) });
    await applyRaceCard(db, official);
    expect(await findRace(db, official)).toMatchObject({ status: "official", offAt: null });
  });

  it("is in every RaceSummary read (racesOnDate, findRace, raceById)", async () => {
    const key = offCard(10);
    await applyRaceCard(db, key);
    await setRaceStatus(db, key, "off", at(60));
    const race = await findRace(db, key);
    expect(race?.offAt).toEqual(at(60));
    expect((await raceById(db, race!.raceId))?.offAt).toEqual(at(60));
    const onDate = await racesOnDate(db, "2025-09-20", { track: "Churchill Downs" });
    expect(onDate.find((r) => r.raceNumber === 10)?.offAt).toEqual(at(60));
    expect(onDate.find((r) => r.raceNumber === 3)?.offAt).toBeNull();
  });
});

describe("racesOnDate", () => {
  beforeAll(async () => {
    await applyRaceCard(
      db,
      card({ track: "Aqueduct", trackCode: "AQU", raceDate: "2025-09-14", raceNumber: 2 }),
    );
    await applyRaceCard(
      db,
      card({ track: "Aqueduct", trackCode: "AQU", raceDate: "2025-09-14", raceNumber: 1 }),
    );
    await applyRaceCard(db, card({ track: "Belmont Park", raceDate: "2025-09-14", raceNumber: 1 }));
    await applyRaceCard(
      db,
      card({ track: "Aqueduct", trackCode: "AQU", raceDate: "2025-09-15", raceNumber: 1 }),
    );
  });

  it("returns only that date's races, by track then race number", async () => {
    const races = await racesOnDate(db, "2025-09-14");
    expect(races.map((r) => `${r.track} ${r.raceNumber}`)).toEqual([
      "Aqueduct 1",
      "Aqueduct 2",
      "Belmont Park 1",
    ]);
    expect(races.every((r) => r.raceDate === "2025-09-14" && r.runners === 4)).toBe(true);
  });

  it("filters by track", async () => {
    expect((await racesOnDate(db, "2025-09-14", { track: "Belmont Park" })).map((r) => r.raceNumber)).toEqual(
      [1],
    );
    expect(await racesOnDate(db, "2025-09-14", { track: "Nowhere" })).toEqual([]);
  });

  it("returns nothing on a date without races", async () => {
    expect(await racesOnDate(db, "2025-01-01")).toEqual([]);
  });
});

describe("a later card that states less", () => {
  it("keeps the stored morning line, jockey and trainer when it only announces a scratch", async () => {
    const key = { track: "Keeneland", raceDate: "2025-10-04", raceNumber: 4 };
    await applyRaceCard(db, {
      ...key,
      entries: [
        {
          programNumber: "1",
          horse: "Keen Edge",
          morningLineOdds: 2.5,
          jockey: "J. Ortiz",
          trainer: "T. Pletcher",
        },
        {
          programNumber: "2",
          horse: "Red Rocket",
          morningLineOdds: 30,
          jockey: "I. Ortiz",
          trainer: "C. Brown",
        },
      ],
    });
    const result = await applyRaceCard(db, {
      ...key,
      entries: [{ programNumber: "2", horse: "Red Rocket", scratched: true }],
    });
    expect(result).toEqual({ changed: true, rows: 1 });
    const race = await findRace(db, key);
    const entries = await entriesForRace(db, race!.raceId);
    expect(
      entries.map((e) => [e.programNumber, e.morningLineOdds, e.jockey, e.trainer, e.scratched]),
    ).toEqual([
      ["1", 2.5, "J. Ortiz", "T. Pletcher", false],
      ["2", 30, "I. Ortiz", "C. Brown", true],
    ]);
    // Stating the same again changes nothing.
    expect(
      (
        await applyRaceCard(db, {
          ...key,
          entries: [{ programNumber: "2", horse: "Red Rocket", scratched: true }],
        })
      ).changed,
    ).toBe(false);
  });
});

describe("registerTrack", () => {
  it("stores a configured track's zone before any card, and re-registering changes nothing", async () => {
    const track = { name: "Santa Anita Park", code: "SA", timezone: "America/Los_Angeles" };
    expect((await registerTrack(db, track)).changed).toBe(true);
    expect(await registerTrack(db, track)).toEqual({ changed: false, rows: 0 });
    expect(await trackTimeZone(db, "Santa Anita Park")).toBe("America/Los_Angeles");
    // A card that names no zone keeps the registered one.
    await applyRaceCard(db, {
      track: "Santa Anita Park",
      raceDate: "2025-09-12",
      raceNumber: 1,
      entries: [{ programNumber: "1", horse: "Pacific Star" }],
    });
    expect(await trackTimeZone(db, "Santa Anita Park")).toBe("America/Los_Angeles");
    await expect(registerTrack(db, { name: " " })).rejects.toThrow("track: name is empty");
  });
});

describe("cards observed at different times", () => {
  const key = { track: "Del Mar", raceDate: "2025-08-30", raceNumber: 6 };
  const t = (minute: number) => new Date(Date.UTC(2025, 7, 30, 19, minute));
  const first = {
    ...key,
    asOf: t(0),
    postTime: t(60),
    entries: [
      { programNumber: "1", horse: "Surf Line", jockey: "J. One", morningLineOdds: 3 },
      { programNumber: "2", horse: "Tide Pool", jockey: "J. Two", morningLineOdds: 5 },
    ],
  };
  const later = {
    ...key,
    asOf: t(30),
    postTime: t(70),
    entries: [
      { programNumber: "1", horse: "Surf Line", jockey: "J. Three", morningLineOdds: 3 },
      { programNumber: "2", horse: "Tide Pool", jockey: "J. Two", morningLineOdds: 5, scratched: true },
    ],
  };
  const state = async () => {
    const race = await findRace(db, key);
    const entries = await entriesForRace(db, race!.raceId);
    return { post: race!.postTime, entries: entries.map((e) => [e.programNumber, e.jockey, e.scratched]) };
  };

  it("an older card applied again (a replayed file) rolls nothing back", async () => {
    await applyRaceCard(db, first);
    await applyRaceCard(db, later);
    const current = await state();
    expect(current).toEqual({
      post: t(70),
      entries: [
        ["1", "J. Three", false],
        ["2", "J. Two", true],
      ],
    });
    expect(await applyRaceCard(db, first)).toEqual({ changed: false, rows: 0 });
    expect(await applyRaceCard(db, later)).toEqual({ changed: false, rows: 0 });
    expect(await state()).toEqual(current);
  });

  it("an older card still adds runners and scratches it knows of", async () => {
    const stale = {
      ...key,
      asOf: t(10),
      postTime: t(50),
      entries: [
        { programNumber: "1", horse: "Surf Line", jockey: "J. Old", scratched: true },
        { programNumber: "3", horse: "Kelp Forest", jockey: "J. Four" },
      ],
    };
    expect((await applyRaceCard(db, stale)).changed).toBe(true);
    expect(await state()).toEqual({
      post: t(70),
      entries: [
        ["1", "J. Three", true],
        ["2", "J. Two", true],
        ["3", "J. Four", false],
      ],
    });
  });
});

describe("undated and stale cards", () => {
  const key = { track: "Oaklawn Park", raceDate: "2025-04-12", raceNumber: 8 };
  const t = (minute: number) => new Date(Date.UTC(2025, 3, 12, 21, minute));
  const race = async () => {
    const found = await findRace(db, key);
    const entries = await entriesForRace(db, found!.raceId);
    return {
      post: found!.postTime,
      entries: entries.map((e) => [e.programNumber, e.morningLineOdds, e.jockey]),
    };
  };

  it("an undated card read after a dated one (the top of a replayed file) rolls nothing back", async () => {
    const morning = {
      ...key,
      postTime: t(30),
      entries: [{ programNumber: "1", horse: "Hot Springs", jockey: "J. Old", morningLineOdds: 4 }],
    };
    await applyRaceCard(db, morning);
    await applyRaceCard(db, {
      ...key,
      asOf: t(10),
      postTime: t(40),
      entries: [{ programNumber: "1", horse: "Hot Springs", jockey: "J. New", morningLineOdds: 4 }],
    });
    const current = await race();
    expect(current).toEqual({ post: t(40), entries: [["1", 4, "J. New"]] });
    expect(await applyRaceCard(db, morning)).toEqual({ changed: false, rows: 0 });
    expect(await race()).toEqual(current);
  });

  it("a stale card still fills what the database never had", async () => {
    const gaps = { ...key, raceNumber: 9 };
    await applyRaceCard(db, {
      ...gaps,
      asOf: t(50),
      entries: [{ programNumber: "1", horse: "Bathhouse Row" }],
    });
    await applyRaceCard(db, {
      ...gaps,
      asOf: t(20),
      postTime: t(55),
      entries: [{ programNumber: "1", horse: "Bathhouse Row", jockey: "J. Late", morningLineOdds: 6 }],
    });
    const found = await findRace(db, gaps);
    const entries = await entriesForRace(db, found!.raceId);
    expect(found!.postTime).toEqual(t(55));
    expect(entries.map((e) => [e.morningLineOdds, e.jockey])).toEqual([[6, "J. Late"]]);
  });
});
