// The evaluation reader's races(): the race as the rules see it, its off time included.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../client.js";
import { createTestDb } from "../../../testing/index.js";
import { applyRaceCard, findRace, setRaceStatus, type RaceKey } from "../races.js";
import { evaluationReadTransaction } from "./view.js";

const POST = new Date("2025-06-01T17:00:00Z");
const OFF = new Date("2025-06-01T17:02:40Z");
const race = (raceNumber: number): RaceKey => ({ track: "Testville", raceDate: "2025-06-01", raceNumber });

let db: Db;
const ids: number[] = [];
beforeAll(async () => {
  db = createTestDb("reader");
  for (const n of [1, 2]) {
    await applyRaceCard(db, {
      ...race(n),
      postTime: POST,
      entries: [
        { programNumber: "1", horse: `Horse ${n}-1`, morningLineOdds: 3 },
        { programNumber: "2", horse: `Horse ${n}-2`, scratched: true },
      ],
    });
    ids.push((await findRace(db, race(n)))!.raceId);
  }
  await setRaceStatus(db, race(1), "off", OFF);
});
afterAll(async () => {
  await db.close();
});

describe("EvaluationReader.races", () => {
  it("carries each race's status and off time (null when not known), with its card", async () => {
    const races = await evaluationReadTransaction(db, (tx) => tx.races([...ids, 9999]));
    expect([...races.keys()]).toEqual(ids);
    const [off, open] = ids.map((id) => races.get(id)!);
    expect(off).toMatchObject({ raceNumber: 1, status: "off", postTime: POST, offAt: OFF });
    expect(off!.offAt).toBeInstanceOf(Date);
    expect(open).toMatchObject({ raceNumber: 2, status: "scheduled", offAt: null });
    expect([...off!.entries.values()].map((e) => [e.programNumber, e.morningLineOdds, e.scratched])).toEqual([
      ["1", 3, false],
      ["2", null, true],
    ]);
  });
});
