import { describe, expect, it } from "vitest";
import type { EvaluationRace, WinOddsRow } from "@totewatch/db";
import type { AlertCandidate, ExactaSnapshot, RuleSettings } from "../rules/index.js";
import { at, exactaBoard, POST, settings } from "../../test/rules.js";
import {
  boardOddsResolver,
  candidatesForUnit,
  emptyLedger,
  evaluateUnits,
  phaseOf,
  type RaceLedger,
} from "./evaluate-units.js";
import { RaceHistory } from "./race-history.js";
import { compareUnits, type EvaluationUnit } from "./units.js";

const RACE_ID = 1;

function evaluationRace(
  status: string,
  postTime: Date | null = POST,
  offAt: Date | null = null,
): EvaluationRace {
  const horses = ["Alpha", "Bravo", "Charlie"];
  return {
    raceId: RACE_ID,
    track: "Testville",
    timezone: "UTC",
    raceDate: "2025-06-01",
    raceNumber: 1,
    postTime,
    status,
    offAt,
    entries: new Map(
      horses.map((horse, i) => [
        101 + i,
        {
          entryId: 101 + i,
          programNumber: String(i + 1),
          horse,
          morningLineOdds: null,
          scratched: false,
          scratchedAt: null,
        },
      ]),
    ),
  };
}

/** Win rows from "hh:mm" -> odds of #1, #2, #3 (entry ids 101..103). */
function winRows(boards: Record<string, [number, number, number]>): WinOddsRow[] {
  let id = 0;
  return Object.entries(boards).flatMap(([time, odds]) =>
    odds.map((winOdds, i) => ({
      snapshotId: ++id,
      raceId: RACE_ID,
      entryId: 101 + i,
      fetchedAt: at(time),
      winOdds,
      winPoolAmount: null,
      totalWinPool: 50_000,
    })),
  );
}

function unit(kind: EvaluationUnit["kind"], time: string): EvaluationUnit {
  return { kind, raceId: RACE_ID, fetchedAt: at(time), lastId: 0 };
}

/** Every unit through evaluateUnits; what was raised, as "type subject @hh:mm". */
async function raised(
  race: EvaluationRace,
  rows: WinOddsRow[],
  units: EvaluationUnit[],
  grids: ExactaSnapshot[] = [],
  rules: RuleSettings = settings(),
): Promise<string[]> {
  const history = new RaceHistory(race, rows);
  const ledger: RaceLedger = emptyLedger();
  const out: string[] = [];
  await evaluateUnits(
    [...units].sort(compareUnits),
    {
      race: () => race,
      history: () => history,
      exactaGrid: (_id, fetchedAt) =>
        grids.find((grid) => grid.fetchedAt.getTime() === fetchedAt.getTime()) ??
        exactaBoard(at("00:00"), {}),
      ledger: () => ledger,
      settings: () => rules,
    },
    { duplicateWindowMinutes: 30, maxPerRace: 100, maxPerRacePerRule: 100 },
    (candidate: AlertCandidate) => {
      out.push(
        `${candidate.type} ${candidate.subject} @${candidate.triggeredAt.toISOString().slice(11, 16)}`,
      );
      return true;
    },
  );
  return out;
}

describe("phaseOf", () => {
  it("rules out every snapshot of a cancelled race", () => {
    expect(phaseOf({ status: "cancelled", postTime: POST, offAt: null }, at("11:50"))).toBe("none");
    expect(phaseOf({ status: "cancelled", postTime: null, offAt: null }, at("11:50"))).toBe("none");
  });

  it("keeps the pre-race rules through post drag, up to and including the off", () => {
    // Scheduled post 12:00, the gates opened at 12:04: a board at 12:03 is still bettable money.
    const dragged = { status: "off", postTime: POST, offAt: at("12:04") };
    expect(phaseOf(dragged, at("12:03"))).toBe("pre-race");
    expect(phaseOf(dragged, at("12:04"))).toBe("pre-race");
    expect(phaseOf(dragged, at("12:04:01"))).toBe("after-off");
  });

  it("cuts an off or official race without a stored off time at post time, post itself included", () => {
    for (const status of ["off", "official"]) {
      expect(phaseOf({ status, postTime: POST, offAt: null }, at("12:00"))).toBe("pre-race");
      expect(phaseOf({ status, postTime: POST, offAt: null }, at("12:00:01"))).toBe("after-off");
      // No post time: no instant to cut at.
      expect(phaseOf({ status, postTime: null, offAt: null }, at("12:30"))).toBe("pre-race");
    }
  });

  it("keeps scheduled and open races pre-race after post: they have not gone off", () => {
    for (const status of ["scheduled", "open"])
      expect(phaseOf({ status, postTime: POST, offAt: null }, at("12:05"))).toBe("pre-race");
  });
});

describe("evaluateUnits and race status", () => {
  // #2 halves (2 -> 1) by 11:50, #3 doubles (3 -> 6) by 12:02: odds_change (30%) sees both moves.
  const rows = winRows({ "11:45": [1, 2, 3], "11:50": [1, 1, 3], "12:02": [1, 1, 6] });
  const units = [unit("win", "11:45"), unit("win", "11:50"), unit("win", "12:02")];
  const changes = settings({
    steam: { ...settings().steam, enabled: false },
    drift: { ...settings().drift, enabled: false },
  });

  it("alerts on an open race's boards, before and after post", async () => {
    expect(await raised(evaluationRace("open"), rows, units, [], changes)).toEqual([
      "odds_change 2 @11:50",
      "odds_change 3 @12:02",
    ]);
  });

  it("raises nothing for a cancelled race", async () => {
    expect(await raised(evaluationRace("cancelled"), rows, units, [], changes)).toEqual([]);
  });

  it("judges the boards after the off only as late changes", async () => {
    // Off with no stored off time: post (12:00) stands in. #3 3-1 at the last board before it (11:50)
    // -> 6-1 at 12:02: decimal 4 -> 7, +75% >= lateChange.minPercent 20.
    for (const status of ["off", "official"])
      expect(await raised(evaluationRace(status), rows, units, [], changes)).toEqual([
        "odds_change 2 @11:50",
        "late_change 3 @12:02",
      ]);
  });

  it("keeps the pre-race rules through post drag: a board after post but before the off", async () => {
    // The gates opened at 12:04: the 12:02 move is money a player could still follow.
    expect(await raised(evaluationRace("off", POST, at("12:04")), rows, units, [], changes)).toEqual([
      "odds_change 2 @11:50",
      "odds_change 3 @12:02",
    ]);
  });
});

describe("candidatesForUnit on an exacta grid", () => {
  // Win 1-1, 2-1, 3-1: the fair 1-2 exacta is $6.07, so $12 is a +98% overlay (see exacta-rules.test.ts).
  const race = evaluationRace("open");
  const grid = exactaBoard(at("11:55"), { "1-2": 12 });
  const crossPoolTypes = (rows: WinOddsRow[]) =>
    candidatesForUnit(unit("exacta", "11:55"), race, new RaceHistory(race, rows), () => grid, settings())
      .map((candidate) => candidate.type)
      .filter((type) => type === "exacta_overlay" || type === "exacta_underlay");

  it("prices against a recent win board", () => {
    expect(crossPoolTypes(winRows({ "11:54": [1, 2, 3] }))).toEqual(["exacta_overlay"]);
  });

  it("does not price against a win board left behind by failed win polling", () => {
    // The last win board is 5 minutes older than the grid (crossPool.maxWinAgeSeconds 120).
    expect(crossPoolTypes(winRows({ "11:50": [1, 2, 3] }))).toEqual([]);
  });
});

describe("a decimal tote's alerts", () => {
  it("boardOddsResolver: each track's board as the config says, odds-to-1 for a track it does not name", () => {
    const boards = boardOddsResolver({
      tracks: [
        { name: "Sha Tin", oddsFormat: "decimal", dividendUnit: 10 },
        { name: "Saratoga", oddsFormat: "odds_to_one", dividendUnit: 1 },
      ],
    });
    expect(boards("Sha Tin")).toEqual({ oddsFormat: "decimal", dividendUnit: 10 });
    expect(boards("Saratoga")).toEqual({ oddsFormat: "odds_to_one", dividendUnit: 1 });
    expect(boards("Elsewhere")).toEqual({ oddsFormat: "odds_to_one", dividendUnit: 1 });
  });

  it("evaluateUnits writes them in the board's format the source gives for the race's track", async () => {
    // #2 2-1 -> EVEN (decimal 3 -> 2, -33%): odds_change, written per $10 as Sha Tin's board shows it.
    const race = evaluationRace("open");
    const history = new RaceHistory(race, winRows({ "11:45": [1, 2, 3], "11:50": [1, 1, 3] }));
    const messages: string[] = [];
    const tracks: string[] = [];
    await evaluateUnits(
      [unit("win", "11:45"), unit("win", "11:50")],
      {
        race: () => race,
        history: () => history,
        exactaGrid: () => exactaBoard(at("00:00"), {}),
        ledger: emptyLedger,
        settings: () =>
          settings({
            steam: { ...settings().steam, enabled: false },
            drift: { ...settings().drift, enabled: false },
          }),
        boardOdds: (track) => {
          tracks.push(track);
          return { oddsFormat: "decimal", dividendUnit: 10 };
        },
      },
      { duplicateWindowMinutes: 30, maxPerRace: 100, maxPerRacePerRule: 100 },
      (candidate) => messages.push(candidate.message) > 0,
    );
    expect(new Set(tracks)).toEqual(new Set(["Testville"]));
    expect(messages).toEqual(["Testville R1 #2 Bravo: 30.00 -> 20.00 (-33.3%), 10 min to post"]);
  });
});
