// Steam and drift (move-rules.ts). Over 300 lines: the windows need many boards, and each
// race-day case (post drag, scratch refunds, pool vs odds) needs its own.
import { describe, expect, it } from "vitest";
import { at, race, settings, toteBoard, winBoard } from "../../test/rules.js";
import { driftAlerts, steamAlerts } from "./move-rules.js";

// The defaults of test/rules.ts: steam 5 points or -35%, drift 5 points or +50%, both over a
// 10 min window within 20 min of post.
const s = settings();

/** The favourite #1 ($49,000 of $105,000) scratched between 11:45 and 11:50. */
const FIELD = { "1": 49_000, "2": 21_000, "3": 14_000, "4": 12_000, "5": 9_000 };
const AFTER_SCRATCH = { "2": 21_000, "3": 14_000, "4": 12_000, "5": 9_000 };

describe("steamAlerts", () => {
  it("compares the latest snapshot with the earliest one inside the window", () => {
    // Latest 11:50 (10 min to post, within 20), window [11:40, 11:50]: baseline is 11:41, not 11:35.
    // 11:41 odds 1, 2, 3 -> implied 0.5, 0.3333, 0.25 (sum 1.0833) -> normalized 0.4615, 0.3077, 0.2308.
    // 11:50 odds 1, 1, 5 -> implied 0.5, 0.5, 0.1667 (sum 1.1667) -> normalized 0.4286, 0.4286, 0.1429.
    // #2: 42.86 - 30.77 = +12.09 points >= 5, strength (12.09 - 5) / 5 = 1.418.
    //   Decimal odds 3 -> 2: -33.3%, short of 35 (odds-to-1 2 -> 1 said -50%).
    // #1: 46.15 -> 42.86 fell; #3 drifted: no steam.
    const history = [
      winBoard(at("11:35"), { "1": 1, "2": 9, "3": 3 }),
      winBoard(at("11:41"), { "1": 1, "2": 2, "3": 3 }),
      winBoard(at("11:46"), { "1": 1, "2": 1.5, "3": 4 }),
      winBoard(at("11:50"), { "1": 1, "2": 1, "3": 5 }),
    ];
    const alerts = steamAlerts(race(), history, s);
    expect(alerts).toHaveLength(1);
    const [steam] = alerts;
    expect(steam).toMatchObject({
      type: "steam",
      subject: "2",
      entryId: 102,
      thresholdValue: 5,
      triggeredAt: at("11:50"),
    });
    expect(steam!.actualValue).toBeCloseTo(12.09, 2);
    expect(steam!.strength).toBeCloseTo(1.418, 3);
    expect(steam!.details).toMatchObject({
      before: 2,
      after: 1,
      minutesToPost: 10,
      measure: "odds",
      probabilitySource: "odds",
      firedOn: "probability",
      moneyAdded: null,
    });
    expect(steam!.details.oddsDropPercent as number).toBeCloseTo(33.33, 2);
    expect(steam!.details.probabilityBefore as number).toBeCloseTo(0.3077, 4);
    expect(steam!.details.probabilityAfter as number).toBeCloseTo(0.4286, 4);
    expect(steam!.message).toBe(
      "Saratoga R5 #2 Bravo: 2 -> EVEN in 9 min, win chance 30.8% -> 42.9%, 10 min to post",
    );
  });

  it("ignores moves before the window (the 11:35 snapshot would have been steam)", () => {
    // #2 went 9 -> 1 between 11:35 and 11:41, then held at 1 through the window.
    const history = [
      winBoard(at("11:35"), { "1": 1, "2": 9, "3": 3 }),
      winBoard(at("11:41"), { "1": 1, "2": 1, "3": 5 }),
      winBoard(at("11:50"), { "1": 1, "2": 1, "3": 5 }),
    ];
    expect(steamAlerts(race(), history, s)).toEqual([]);
  });

  it("fires on the decimal odds drop alone when the probability rise is under its threshold", () => {
    // probabilityPoints 50 cannot fire. #3: 3 -> 3-2 is decimal 4 -> 2.5: -37.5%, 37.5 >= 35,
    // strength (37.5 - 35) / 35 = 0.0714. #1 (2 -> 1.8, -10%) and #2 (3 -> 2.6, -13.3%) less.
    const oddsOnly = settings({ steam: { ...s.steam, probabilityPoints: 50 } });
    const history = [
      winBoard(at("11:41"), { "1": 1, "2": 2, "3": 3 }),
      winBoard(at("11:50"), { "1": 0.8, "2": 1.6, "3": 1.5 }),
    ];
    const alerts = steamAlerts(race(), history, oddsOnly);
    expect(alerts.map((a) => [a.subject, a.thresholdValue, a.details.firedOn])).toEqual([["3", 35, "odds"]]);
    expect(alerts[0]!.actualValue).toBeCloseTo(37.5, 10);
    expect(alerts[0]!.strength).toBeCloseTo(0.0714, 4);
  });

  it("stays quiet too far from post, after the off, or with no post time", () => {
    const history = (first: string, last: string) => [
      winBoard(at(first), { "1": 1, "2": 2, "3": 3 }),
      winBoard(at(last), { "1": 1, "2": 1, "3": 5 }),
    ];
    // 11:35 is 25 min to post > 20.
    expect(steamAlerts(race(), history("11:30", "11:35"), s)).toEqual([]);
    expect(steamAlerts(race({ postTime: null }), history("11:41", "11:50"), s)).toEqual([]);
    // Exactly 20 min to post is inside.
    expect(steamAlerts(race(), history("11:35", "11:40"), s)).toHaveLength(1);
  });

  it("keeps running after scheduled post until the off (post drag)", () => {
    // The #2 steam above at 12:03: -3 min to post, betting still open.
    const late = [
      winBoard(at("11:55"), { "1": 1, "2": 2, "3": 3 }),
      winBoard(at("12:03"), { "1": 1, "2": 1, "3": 5 }),
    ];
    const [steam] = steamAlerts(race(), late, s);
    expect(steam).toMatchObject({ subject: "2", details: { minutesToPost: -3 } });
    expect(steam!.message).toMatch(/3 min after post$/);
    // Off at 12:05, or exactly at 12:03 (the board at the off is the last pre-off one): still steam.
    expect(steamAlerts(race({ offAt: at("12:05") }), late, s)).toHaveLength(1);
    expect(steamAlerts(race({ offAt: at("12:03") }), late, s)).toHaveLength(1);
    // Off at 12:02:59: the 12:03 board is after the off, the pools are closed.
    expect(steamAlerts(race({ offAt: at("12:02:59") }), late, s)).toEqual([]);
  });

  it("needs an earlier snapshot inside the window", () => {
    // 11:30 is before 11:50 - 10 min: the latest has nothing to compare with.
    const history = [winBoard(at("11:30"), { "2": 2, "3": 3 }), winBoard(at("11:50"), { "2": 1, "3": 5 })];
    expect(steamAlerts(race(), history, s)).toEqual([]);
    expect(steamAlerts(race(), [winBoard(at("11:50"), { "2": 1 })], s)).toEqual([]);
    expect(steamAlerts(race(), [], s)).toEqual([]);
  });

  it("returns nothing when disabled or the latest win pool is thin", () => {
    const history = [
      winBoard(at("11:41"), { "1": 1, "2": 2, "3": 3 }),
      winBoard(at("11:50"), { "1": 1, "2": 1, "3": 5 }, { totalWinPool: 1000 }),
    ];
    expect(steamAlerts(race(), history, s)).toEqual([]);
    const healthy = [history[0]!, winBoard(at("11:50"), { "1": 1, "2": 1, "3": 5 })];
    expect(steamAlerts(race(), healthy, s)).toHaveLength(1);
    const disabled = settings({ steam: { ...s.steam, enabled: false } });
    expect(steamAlerts(race(), healthy, disabled)).toEqual([]);
  });

  it("raises no steam on a favourite's scratch: the refund shortens everyone, nobody bet", () => {
    // The tote after the refund (16% takeout, breakage to the dime): #2 3.2 -> 1.2, #3 5.3 -> 2.3,
    // #4 6.3 -> 2.9, #5 8.8 -> 4.2 — odds drops of 62.5%, 56.6%, 54.0%, 52.3% (four steam alerts
    // on odds alone). Over #2..#5 ($56,000 on both boards) no share moved and no money arrived.
    const scratched = [toteBoard(at("11:45"), FIELD), toteBoard(at("11:50"), AFTER_SCRATCH)];
    expect(steamAlerts(race({ scratches: [{ interest: "1", knownAt: null }] }), scratched, s)).toEqual([]);

    // Without amounts, the odds normalized over #2..#5 move by breakage only: #2 37.4% -> 37.7%.
    const oddsOf = (board: (typeof scratched)[number]) =>
      winBoard(
        board.fetchedAt,
        Object.fromEntries(board.runners.map((runner) => [runner.programNumber, runner.winOdds])),
      );
    expect(steamAlerts(race(), scratched.map(oddsOf), s)).toEqual([]);
  });

  it("still sees real money in the window of a scratch, with the money added", () => {
    // After the scratch #2 takes $10,000 (21,000 -> 31,000; pool 66,000, #2 0.7-1, shown 3-5).
    // Shares of #2..#5 from the pool: 21/56 = 0.375 -> 31/66 = 0.4697: +9.47 points >= 5.
    // Fair decimal odds 1 / 0.375 = 2.67 -> 2.13: 0.375 / 0.4697 - 1 = -20.2%, short of 35.
    const history = [
      toteBoard(at("11:45"), FIELD),
      toteBoard(at("11:50"), { ...AFTER_SCRATCH, "2": 31_000 }),
    ];
    const alerts = steamAlerts(race(), history, s);
    expect(alerts.map((a) => a.subject)).toEqual(["2"]);
    expect(alerts[0]!.actualValue).toBeCloseTo(9.47, 2);
    expect(alerts[0]!.details).toMatchObject({
      before: 3.2,
      after: 0.7,
      measure: "share",
      probabilitySource: "pool",
      moneyAdded: 10_000,
      firedOn: "probability",
    });
    expect(alerts[0]!.details.oddsDropPercent as number).toBeCloseTo(20.16, 2);
    expect(alerts[0]!.message).toBe(
      "Saratoga R5 #2 Bravo: 3.2-1 -> 0.7-1 in 5 min, win chance 37.5% -> 47.0%, $10,000 more bet on it, 10 min to post",
    );
  });

  it("needs the interest's own money to grow when its amount is known on both boards", () => {
    // The board odds of #2 fall 2 -> EVEN (the 12.09-point rise of the first case) but its pool
    // amount stayed at $20,000: no money arrived, no steam. With $5,000 more, steam.
    const odds = [
      { "1": 1, "2": 2, "3": 3 },
      { "1": 1, "2": 1, "3": 5 },
    ];
    const board = (time: string, i: number, amount2: number) =>
      winBoard(at(time), odds[i]!, { amounts: { "1": 30_000, "2": amount2, "3": null } });
    expect(steamAlerts(race(), [board("11:41", 0, 20_000), board("11:50", 1, 20_000)], s)).toEqual([]);
    const moneyIn = steamAlerts(race(), [board("11:41", 0, 20_000), board("11:50", 1, 25_000)], s);
    expect(moneyIn.map((a) => [a.subject, a.details.moneyAdded, a.details.probabilitySource])).toEqual([
      ["2", 5000, "odds"],
    ]);
  });

  it("alerts once for a coupled entry, on the interest", () => {
    // The first case with #2 coupled as 2/2A, listed by member on both boards.
    const history = [
      winBoard(at("11:41"), { "1": 1, "2": 2, "2A": 2, "3": 3 }),
      winBoard(at("11:50"), { "1": 1, "2": 1, "2A": 1, "3": 5 }),
    ];
    const alerts = steamAlerts(race(), history, s);
    expect(alerts.map((a) => [a.subject, a.entryId])).toEqual([["2", 102]]);
    expect(alerts[0]!.actualValue).toBeCloseTo(12.09, 2);
    expect(alerts[0]!.message).toMatch(/^Saratoga R5 #2\/2A Bravo & Horse 2A: 2 -> EVEN/);
  });

  it("leaves a runner added since the baseline out of both boards' shares", () => {
    // #4 is first listed at 11:50. Over #1..#3 (as in the first case) #2 goes 30.8% -> 42.9%;
    // counting #4 on the later board only would have made it 39.5%.
    const history = [
      winBoard(at("11:45"), { "1": 1, "2": 2, "3": 3 }),
      winBoard(at("11:50"), { "1": 1, "2": 1, "3": 5, "4": 9 }),
    ];
    const alerts = steamAlerts(race(), history, s);
    expect(alerts.map((a) => a.subject)).toEqual(["2"]);
    expect(alerts[0]!.details.probabilityBefore as number).toBeCloseTo(0.3077, 4);
    expect(alerts[0]!.details.probabilityAfter as number).toBeCloseTo(0.4286, 4);
    expect(alerts[0]!.details.measure).toBe("share");
  });

  it("uses fetch order even when handed snapshots out of order", () => {
    const history = [
      winBoard(at("11:50"), { "1": 1, "2": 1, "3": 5 }),
      winBoard(at("11:41"), { "1": 1, "2": 2, "3": 3 }),
    ];
    expect(steamAlerts(race(), history, s).map((a) => a.subject)).toEqual(["2"]);
  });
});

describe("driftAlerts", () => {
  it("alerts when an interest's share falls, or its decimal odds rise, past the thresholds", () => {
    // The first steam case: #3 3 -> 5, share 0.2308 -> 0.1429: -8.79 points >= 5,
    // strength (8.79 - 5) / 5 = 0.758; decimal 4 -> 6 is +50%, exactly oddsRisePercent (strength 0).
    // #1: 46.15% -> 42.86%, -3.3 points, decimal 2 -> 2 unchanged: no drift.
    const history = [
      winBoard(at("11:41"), { "1": 1, "2": 2, "3": 3 }),
      winBoard(at("11:50"), { "1": 1, "2": 1, "3": 5 }),
    ];
    const alerts = driftAlerts(race(), history, s);
    expect(alerts.map((a) => [a.type, a.subject, a.thresholdValue])).toEqual([["drift", "3", 5]]);
    expect(alerts[0]!.actualValue).toBeCloseTo(8.79, 2);
    expect(alerts[0]!.strength).toBeCloseTo(0.758, 3);
    expect(alerts[0]!.details).toMatchObject({
      before: 3,
      after: 5,
      firedOn: "probability",
      measure: "odds",
    });
    expect(alerts[0]!.details.oddsRisePercent as number).toBeCloseTo(50, 10);
    expect(alerts[0]!.message).toBe(
      "Saratoga R5 #3 Charlie: 3 -> 5 in 9 min, win chance 23.1% -> 14.3%, 10 min to post",
    );
  });

  it("fires on the decimal rise alone when the share fall is under its threshold", () => {
    // probabilityPoints 50 cannot fire: #3's decimal 4 -> 6, +50% >= 50.
    const riseOnly = settings({ drift: { ...s.drift, probabilityPoints: 50 } });
    const history = [
      winBoard(at("11:41"), { "1": 1, "2": 2, "3": 3 }),
      winBoard(at("11:50"), { "1": 1, "2": 1, "3": 5 }),
    ];
    const alerts = driftAlerts(race(), history, riseOnly);
    expect(alerts.map((a) => [a.subject, a.thresholdValue, a.details.firedOn])).toEqual([["3", 50, "odds"]]);
    // A 45% rise (4 -> 5.8) is not enough.
    const less = [history[0]!, winBoard(at("11:50"), { "1": 1, "2": 1, "3": 4.8 })];
    expect(driftAlerts(race(), less, riseOnly)).toEqual([]);
  });

  it("raises no drift on a scratch and follows the steam window rules", () => {
    const scratched = [toteBoard(at("11:45"), FIELD), toteBoard(at("11:50"), AFTER_SCRATCH)];
    expect(driftAlerts(race(), scratched, s)).toEqual([]);
    const history = (first: string, last: string) => [
      winBoard(at(first), { "1": 1, "2": 2, "3": 3 }),
      winBoard(at(last), { "1": 1, "2": 1, "3": 5 }),
    ];
    expect(driftAlerts(race(), history("11:30", "11:35"), s)).toEqual([]);
    expect(driftAlerts(race(), history("11:58", "12:03"), s)).toHaveLength(1);
    expect(driftAlerts(race({ offAt: at("12:01") }), history("11:58", "12:03"), s)).toEqual([]);
    expect(
      driftAlerts(race(), history("11:41", "11:50"), settings({ drift: { ...s.drift, enabled: false } })),
    ).toEqual([]);
  });
});
