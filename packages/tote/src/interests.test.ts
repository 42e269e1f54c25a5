import { describe, expect, it } from "vitest";
import {
  interestKeyOf,
  interestsByKey,
  interestsOf,
  interestsOfRunners,
  runnerLabel,
  winProbabilities,
  type InterestBoard,
  type InterestRunner,
} from "./interests.js";

const HORSES: Record<string, string> = {
  "1": "Alpha",
  "1A": "Apollo",
  "1X": "Atlas",
  "2": "Bravo",
  "3": "Charlie",
};

/** A runner of some caller's own, with a field the interests neither need nor drop. */
interface Runner extends InterestRunner {
  silks: string;
}

/** Entry id of a program number: 100 + its number, plus 100 per letter place ("1" 101, "1A" 201). */
function entryIdOf(programNumber: string): number {
  const number = Number.parseInt(programNumber, 10);
  const letter = /[A-Z]$/i.exec(programNumber)?.[0].toUpperCase();
  return 100 + number + (letter === undefined ? 0 : 100 * (letter.charCodeAt(0) - 64));
}

/** A win board from program number -> odds-to-1 (in the order given), amounts and morning lines optional. */
function winBoard(
  odds: Record<string, number>,
  options: { amounts?: Record<string, number | null>; morningLines?: Record<string, number | null> } = {},
): InterestBoard<Runner> {
  const runners = Object.entries(odds).map(([programNumber, winOdds]) => ({
    entryId: entryIdOf(programNumber),
    programNumber,
    horse: HORSES[programNumber] ?? `Horse ${programNumber}`,
    morningLine: options.morningLines?.[programNumber] ?? null,
    winOdds,
    winPoolAmount: options.amounts?.[programNumber] ?? null,
    silks: `silks of ${programNumber}`,
  }));
  return { runners };
}

describe("runnerLabel", () => {
  it("labels a runner, or an entry's members, by program number and horse", () => {
    expect(runnerLabel("3", "Thunder Road")).toBe("#3 Thunder Road");
    expect(runnerLabel("1/1A", "Speedy Sam & Coupled Mate")).toBe("#1/1A Speedy Sam & Coupled Mate");
  });
});

describe("interestsOf", () => {
  it("groups a coupled entry (1, 1A, 1X) into one interest led by the first in program order", () => {
    // Listed out of program order, each member with the entry's odds and its amount repeated.
    const board = winBoard(
      { "2": 3, "1X": 1.5, "1": 1.5, "1A": 1.5 },
      {
        amounts: { "1": 20_000, "1A": 20_000, "1X": 20_000, "2": 10_000 },
        morningLines: { "1": null, "1A": 2, "1X": 3, "2": 4 },
      },
    );
    const [entry, single, ...rest] = interestsOf(board);
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({
      key: "1",
      entryId: 101, // the lead "1", not "1X" listed first
      label: "#1/1A/1X Alpha & Apollo & Atlas",
      winOdds: 1.5,
      poolAmount: 20_000, // the entry's amount, not 3 x 20,000
      morningLine: 2, // the lead has none: the first member that has one
    });
    expect(entry!.members.map((member) => member.programNumber)).toEqual(["1", "1A", "1X"]);
    expect(single).toMatchObject({ key: "2", entryId: 102, label: "#2 Bravo", poolAmount: 10_000 });
  });

  it("reads an entry listed once the same as listed by member", () => {
    const once = winBoard({ "1": 1.5, "2": 3 });
    const byMember = winBoard({ "1": 1.5, "1A": 1.5, "2": 3 });
    const strip = (board: typeof once) =>
      interestsOf(board).map(({ key, entryId, winOdds, poolAmount }) => ({
        key,
        entryId,
        winOdds,
        poolAmount,
      }));
    expect(strip(byMember)).toEqual(strip(once));
    expect([...interestsByKey(byMember).keys()]).toEqual(["1", "2"]);
  });

  it("keys program numbers as the feed may spell them", () => {
    expect(interestKeyOf(" 1a")).toBe("1");
    expect(interestKeyOf("01")).toBe("1");
    expect(interestKeyOf("12X")).toBe("12");
    expect(interestKeyOf("f")).toBe("F");
  });

  it("groups once per board, and keeps the caller's runners as the members", () => {
    const board = winBoard({ "1": 1.5, "1A": 1.5, "2": 3 });
    expect(interestsOf(board)).toBe(interestsOf(board));
    expect(interestsByKey(board).get("1")).toBe(interestsOf(board)[0]);
    // Another board with the same runners is another board; grouped afresh, to the same interests.
    const copy = { runners: [...board.runners] };
    expect(interestsOf(copy)).not.toBe(interestsOf(board));
    expect(interestsOf(copy)).toEqual(interestsOf(board));
    expect(interestsOfRunners(board.runners)).toEqual(interestsOf(board));
    expect(interestsOf(board)[0]!.members[1]!.silks).toBe("silks of 1A");
  });
});

describe("winProbabilities", () => {
  it("uses the pool when every interest has an amount: amount over the sum of amounts", () => {
    // 30,000 + 20,000 + 10,000 = 60,000 -> 0.5, 0.3333, 0.1667 (the entry's amount counted once).
    const board = winBoard(
      { "1": 0.6, "1A": 0.6, "2": 1.5, "3": 4 },
      { amounts: { "1": 30_000, "1A": 30_000, "2": 20_000, "3": 10_000 } },
    );
    const { source, byKey } = winProbabilities(interestsOf(board));
    expect(source).toBe("pool");
    expect(byKey.get("1")).toBeCloseTo(0.5, 10);
    expect(byKey.get("2")).toBeCloseTo(0.3333, 4);
    expect(byKey.get("3")).toBeCloseTo(0.1667, 4);
  });

  it("falls back to the board odds, normalized, when an amount is missing or they sum to 0", () => {
    // Odds 0.6, 1.5, 4 -> implied 1/1.6 = 0.625, 1/2.5 = 0.4, 1/5 = 0.2 (sum 1.225)
    // -> 0.5102, 0.3265, 0.1633 (not the pool's 0.5, 0.3333, 0.1667).
    const odds = { "1": 0.6, "2": 1.5, "3": 4 };
    const partial = winBoard(odds, { amounts: { "1": 30_000, "2": 20_000, "3": null } });
    const { source, byKey } = winProbabilities(interestsOf(partial));
    expect(source).toBe("odds");
    expect(byKey.get("1")).toBeCloseTo(0.5102, 4);
    expect(byKey.get("3")).toBeCloseTo(0.1633, 4);
    const zero = winBoard(odds, { amounts: { "1": 0, "2": 0, "3": 0 } });
    expect(winProbabilities(interestsOf(zero)).source).toBe("odds");
  });
});
