import { describe, expect, it } from "vitest";
import type { WinOddsRow } from "@totewatch/db";
import type { BoardOddsFormat } from "@totewatch/tote";
import { at, POST, RACE_DATE, toteBoard } from "../../test/rules.js";
import { lateChangeMoves } from "../rules/index.js";
import { formatLateChangeReport, type LateChangeRace } from "./late-changes.js";

/** A board row of the report's race: only its fetch time is read when formatting. */
const row = (fetchedAt: Date) => ({ fetchedAt }) as WinOddsRow;

// #3 Charlie: $10,000 -> $18,000 of $60,000 -> $72,000 (16% takeout): 4-1 -> 2.3-1, decimal 5 -> 3.3, -34%.
const lastPreOff = toteBoard(at("12:02"), { "1": 30_000, "2": 20_000, "3": 10_000 });
const final = toteBoard(at("12:03"), { "1": 33_000, "2": 21_000, "3": 18_000 });

function reportOf(boardOdds?: BoardOddsFormat): string {
  const race: LateChangeRace = {
    boards: {
      race: {
        raceId: 7,
        track: "Sha Tin",
        timezone: "Asia/Hong_Kong",
        raceDate: RACE_DATE,
        raceNumber: 5,
        postTime: POST,
        offAt: at("12:02"),
      },
      entries: new Map(),
      lastPreOff: [row(at("12:02"))],
      final: [row(at("12:03"))],
    },
    minPercent: 20,
    poolBefore: 60_000,
    poolFinal: 72_000,
    moves: lateChangeMoves(lastPreOff, final),
    ...(boardOdds === undefined ? {} : { boardOdds }),
  };
  return formatLateChangeReport({ races: [race] });
}

describe("formatLateChangeReport", () => {
  it("shows the odds as the track's board quotes them", () => {
    expect(reportOf()).toMatch(/│ #3 Charlie │ 4 +│ 2\.3-1 +│ -34\.0% /);
    expect(reportOf({ oddsFormat: "decimal", dividendUnit: 1 })).toMatch(
      /│ #3 Charlie │ 5\.00 +│ 3\.30 +│ -34\.0% /,
    );
    expect(reportOf({ oddsFormat: "decimal", dividendUnit: 10 })).toMatch(
      /│ #3 Charlie │ 50\.00 +│ 33\.00 +│ -34\.0% /,
    );
  });

  it("names the race and its times on the track's clock", () => {
    expect(reportOf()).toContain(
      `${RACE_DATE} Sha Tin R5: off 20:02:00, win pool $60,000 -> $72,000 (+$12,000, +20.0%)`,
    );
  });
});
