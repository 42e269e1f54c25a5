import { describe, expect, it } from "vitest";
import { crossPoolAlerts, exactaPayoutAlerts } from "./exacta-rules.js";
import { at, exactaBoard, race, settings, toteBoard, winBoard } from "../../test/rules.js";

describe("exactaPayoutAlerts", () => {
  const s = settings({ exactaPayout: { enabled: true, min: 10, max: 100, combinations: [] } });
  const probables = { "1-2": 8.4, "2-1": 50, "3-1": 150, "2-3": 10 };

  it("alerts on probables under min or over max", () => {
    // 1-2 $8.40 < $10: strength (10 - 8.4) / 10 = 0.16. 3-1 $150 > $100: strength 0.5.
    // 2-1 $50 is inside; 2-3 $10 is not below $10.
    const alerts = exactaPayoutAlerts(race(), exactaBoard(at("11:55"), probables), s);
    expect(alerts.map((a) => [a.type, a.subject, a.thresholdValue, a.actualValue])).toEqual([
      ["exacta_low", "1-2", 10, 8.4],
      ["exacta_high", "3-1", 100, 150],
    ]);
    expect(alerts[0]!.strength).toBeCloseTo(0.16, 10);
    expect(alerts[1]!.strength).toBeCloseTo(0.5, 10);
    expect(alerts[0]).toMatchObject({
      entryId: null,
      raceId: 7,
      triggeredAt: at("11:55"),
      details: { minutesToPost: 5 },
    });
    expect(alerts[0]!.message).toBe("Saratoga R5 exacta 1-2 probable $8.40, below $10.00, 5 min to post");
  });

  it("reads a stored $0 probable as no money, not a $0.00 payout", () => {
    // A row of 0 written before the feed refused them: no exacta_low ($0 < $10), and with a win
    // board no -100% underlay either. 1-2 $8.40 still alerts.
    const grid = exactaBoard(at("11:55"), { ...probables, "2-1": 0 });
    expect(exactaPayoutAlerts(race(), grid, s).map((a) => a.subject)).toEqual(["1-2", "3-1"]);
    const win = winBoard(at("11:55"), { "1": 1, "2": 2, "3": 3 });
    expect(crossPoolAlerts(race(), win, exactaBoard(at("11:55"), { "2-1": 0 }), settings())).toEqual([]);
  });

  it("checks only the listed combinations when there are some", () => {
    const only = settings({
      exactaPayout: { enabled: true, min: 10, max: 100, combinations: ["3-1", "2-1"] },
    });
    const alerts = exactaPayoutAlerts(race(), exactaBoard(at("11:55"), probables), only);
    expect(alerts.map((a) => a.subject)).toEqual(["3-1"]);
  });

  it("matches the listed combinations as betting interests, and judges each once", () => {
    // "1A-3" in the settings is the interest combination 1-3; the grid lists the entry by member.
    // 1-3 is judged once, on the first probable listed for it (1A-3 $150; 1-3 $160 is the same bet).
    // 1-1A is one interest twice: not an exacta, skipped.
    const grid = exactaBoard(at("11:55"), { "1A-3": 150, "1-3": 160, "1-1A": 500, "2-3": 200 });
    const only = settings({ exactaPayout: { enabled: true, min: 10, max: 100, combinations: ["1A-3"] } });
    const alerts = exactaPayoutAlerts(race(), grid, only);
    expect(alerts.map((a) => [a.subject, a.actualValue])).toEqual([["1-3", 150]]);
    expect(alerts[0]!.message).toBe("Saratoga R5 exacta 1-3 probable $150.00, above $100.00, 5 min to post");
    expect(exactaPayoutAlerts(race(), grid, s).map((a) => a.subject)).toEqual(["1-3", "2-3"]);
  });

  it("stays quiet on a grid fetched after the off", () => {
    const board = exactaBoard(at("12:01"), probables);
    expect(exactaPayoutAlerts(race({ offAt: at("12:00") }), board, s)).toEqual([]);
    expect(exactaPayoutAlerts(race(), board, s)).toHaveLength(2);
  });

  it("skips a null bound, a disabled rule and an exacta pool under the minimum", () => {
    const board = exactaBoard(at("11:55"), probables);
    const onlyMax = settings({ exactaPayout: { enabled: true, min: null, max: 100, combinations: [] } });
    expect(exactaPayoutAlerts(race(), board, onlyMax).map((a) => a.type)).toEqual(["exacta_high"]);
    const disabled = settings({ exactaPayout: { enabled: false, min: 10, max: 100, combinations: [] } });
    expect(exactaPayoutAlerts(race(), board, disabled)).toEqual([]);
    // 1,500 < minPool.exacta 2,000; null means unknown and is evaluated.
    expect(exactaPayoutAlerts(race(), exactaBoard(at("11:55"), probables, 1500), s)).toEqual([]);
    expect(exactaPayoutAlerts(race(), exactaBoard(at("11:55"), probables, null), s)).toHaveLength(2);
  });
});

describe("crossPoolAlerts", () => {
  const s = settings({
    crossPool: {
      enabled: true,
      overlayPercent: 50,
      underlayPercent: 50,
      exactaTakeout: 0.2,
      withinMinutesToPost: 10,
      maxWinAgeSeconds: 120,
    },
  });
  // Win odds 1-1, 2-1, 3-1 -> implied 0.5, 0.3333, 0.25 (sum 1.0833)
  // -> normalized 6/13 = 0.4615, 4/13 = 0.3077, 3/13 = 0.2308.
  const win = winBoard(at("11:54"), { "1": 1, "2": 2, "3": 3 });

  it("finds an overlay against Harville on the win pool (worked by hand)", () => {
    // P(1-2) = 0.4615 * 0.3077 / (1 - 0.4615) = 24/91 = 0.2637.
    // Fair $2 after 20% takeout = 2 * 0.8 / 0.2637 = 6.07.
    // Probable $12.00: (12 - 6.07) / 6.07 = +97.8% >= 50 -> overlay, strength (97.8 - 50) / 50 = 0.956.
    const [alert, ...rest] = crossPoolAlerts(race(), win, exactaBoard(at("11:55"), { "1-2": 12 }), s);
    expect(rest).toEqual([]);
    expect(alert).toMatchObject({
      type: "exacta_overlay",
      subject: "1-2",
      entryId: null,
      thresholdValue: 50,
    });
    expect(alert!.details.harvilleProbability as number).toBeCloseTo(0.2637, 4);
    expect(alert!.details.fair).toBeCloseTo(6.0667, 4);
    expect(alert!.actualValue).toBeCloseTo(97.8, 1);
    expect(alert!.strength).toBeCloseTo(0.956, 3);
    expect(alert!.triggeredAt).toEqual(at("11:55"));
    expect(alert!.message).toBe(
      "Saratoga R5 exacta 1-2 (#1 Alpha over #2 Bravo) probable $12.00 vs fair $6.07 from win odds (+97.8%, overlay), 5 min to post",
    );
  });

  it("finds an underlay and leaves fairly priced combinations alone", () => {
    // P(3-2) = (3/13)(4/13) / (10/13) = 12/130 = 0.0923; fair = 1.6 / 0.0923 = 17.33.
    //   $8.00: (8 - 17.33) / 17.33 = -53.8% <= -50 -> underlay, strength (53.8 - 50) / 50 = 0.077.
    // P(2-1) = (4/13)(6/13) / (9/13) = 24/117 = 0.2051; fair = 7.80.
    //   $9.00: +15.4%, neither.
    const alerts = crossPoolAlerts(race(), win, exactaBoard(at("11:55"), { "3-2": 8, "2-1": 9 }), s);
    expect(alerts.map((a) => [a.type, a.subject, a.thresholdValue])).toEqual([
      ["exacta_underlay", "3-2", -50],
    ]);
    expect(alerts[0]!.details.fair).toBeCloseTo(17.333, 3);
    expect(alerts[0]!.actualValue).toBeCloseTo(-53.85, 2);
    expect(alerts[0]!.strength).toBeCloseTo(0.077, 3);
  });

  it("skips probables naming a runner missing from the win board", () => {
    expect(crossPoolAlerts(race(), win, exactaBoard(at("11:55"), { "1-4": 100, "4-1": 1 }), s)).toEqual([]);
  });

  it("returns nothing when disabled or either pool is under its minimum", () => {
    const board = exactaBoard(at("11:55"), { "1-2": 12 });
    const disabled = settings({ crossPool: { ...s.crossPool, enabled: false } });
    expect(crossPoolAlerts(race(), win, board, disabled)).toEqual([]);
    expect(crossPoolAlerts(race(), win, exactaBoard(at("11:55"), { "1-2": 12 }, 1999), s)).toEqual([]);
    const thinWin = winBoard(at("11:54"), { "1": 1, "2": 2, "3": 3 }, { totalWinPool: 4000 });
    expect(crossPoolAlerts(race(), thinWin, board, s)).toEqual([]);
    expect(crossPoolAlerts(race(), win, board, s)).toHaveLength(1);
  });

  it("alerts only within withinMinutesToPost before post, both ends included", () => {
    // The 1-2 overlay above (+97.8%), seen at different instants; post is 12:00, window 10 min.
    const seenAt = (time: string) =>
      crossPoolAlerts(
        race(),
        winBoard(at(time), { "1": 1, "2": 2, "3": 3 }),
        exactaBoard(at(time), { "1-2": 12 }),
        s,
      ).map((alert) => alert.subject);
    expect(seenAt("11:50")).toEqual(["1-2"]);
    expect(seenAt("12:00")).toEqual(["1-2"]);
    expect(seenAt("11:49:59")).toEqual([]);
    expect(seenAt("11:00")).toEqual([]);
    // After scheduled post the pools stay open until the off (post drag)...
    expect(seenAt("12:00:30")).toEqual(["1-2"]);
  });

  it("stays quiet on a grid fetched after the off", () => {
    const board = exactaBoard(at("12:00:30"), { "1-2": 12 });
    const late = winBoard(at("12:00:30"), { "1": 1, "2": 2, "3": 3 });
    expect(crossPoolAlerts(race({ offAt: at("12:00") }), late, board, s)).toEqual([]);
    // The grid fetched at the off instant is the last one anyone could bet on.
    expect(crossPoolAlerts(race({ offAt: at("12:00:30") }), late, board, s)).toHaveLength(1);
  });

  it("skips a win board more than maxWinAgeSeconds older than the exacta grid", () => {
    // The 1-2 overlay above; the exacta grid at 11:55, the win board from further back each time.
    const priced = (winAt: string, options: Partial<typeof s.crossPool> = {}) =>
      crossPoolAlerts(
        race(),
        winBoard(at(winAt), { "1": 1, "2": 2, "3": 3 }),
        exactaBoard(at("11:55"), { "1-2": 12 }),
        settings({ crossPool: { ...s.crossPool, ...options } }),
      ).map((alert) => alert.subject);
    expect(priced("11:53")).toEqual(["1-2"]); // 120 s: at the limit
    expect(priced("11:52:59")).toEqual([]); // 121 s: win polling has fallen behind
    expect(priced("11:51")).toEqual([]);
    expect(priced("11:51", { maxWinAgeSeconds: 300 })).toEqual(["1-2"]);
  });

  it("follows a configured window and skips a race without a post time", () => {
    const board = exactaBoard(at("11:30"), { "1-2": 12 });
    const earlyWin = winBoard(at("11:30"), { "1": 1, "2": 2, "3": 3 });
    const wide = settings({ crossPool: { ...s.crossPool, withinMinutesToPost: 30 } });
    expect(crossPoolAlerts(race(), earlyWin, board, s)).toEqual([]);
    expect(crossPoolAlerts(race(), earlyWin, board, wide)).toHaveLength(1);
    const noPost = race({ postTime: null });
    expect(crossPoolAlerts(noPost, win, exactaBoard(at("11:55"), { "1-2": 12 }), s)).toEqual([]);
  });

  it("prices a coupled entry as one interest: fair probables raise nothing", () => {
    // 1 and 1A are one interest at EVEN, with 2 at 2-1 and 3 at 3-1: over the interests,
    // 6/13 = 0.4615, 4/13 = 0.3077, 3/13 = 0.2308 (as above). Fair $2 prices (1.6 / Harville):
    // 1-2 24/91 -> 6.07; 1-3 18/91 -> 8.09; 2-1 24/117 -> 7.80; 2-3 12/117 -> 15.60;
    // 3-1 18/130 -> 11.56; 3-2 12/130 -> 17.33. The grid pays about those (the entry by member,
    // and 1-1A, which is one interest twice).
    // Counting 1 and 1A as two runners (the old reading: 0.3158 each, 2 0.2105, 3 0.1579) made
    // every one of these twelve an underlay: e.g. 1-2 fair 1.6 / (0.3158 * 0.2105 / 0.6842) = 16.47.
    const members = winBoard(at("11:54"), { "1": 1, "1A": 1, "2": 2, "3": 3 });
    const grid = exactaBoard(at("11:55"), {
      "1-2": 6,
      "1A-2": 6,
      "1-3": 8,
      "1A-3": 8,
      "2-1": 7.8,
      "2-1A": 7.8,
      "2-3": 15.6,
      "3-1": 11.5,
      "3-1A": 11.5,
      "3-2": 17.3,
      "1-1A": 4,
      "1A-1": 4,
    });
    expect(crossPoolAlerts(race(), members, grid, s)).toEqual([]);
  });

  it("gives the same alerts whether the entry is listed by member or once", () => {
    // 3-2 at $40 against fair 17.33: (40 - 17.33) / 17.33 = +130.8% overlay; the rest fair.
    // 1A-2 $30 is listed before 1-2 $6: the interest combination 1-2 is judged on $30
    // (+394.5% against 6.07), once.
    const members = winBoard(at("11:54"), { "1": 1, "1A": 1, "2": 2, "3": 3 });
    const once = winBoard(at("11:54"), { "1": 1, "2": 2, "3": 3 });
    const byMember = exactaBoard(at("11:55"), { "1A-2": 30, "1-2": 6, "3-2": 40, "3-1A": 11.5, "1-1A": 4 });
    const byInterest = exactaBoard(at("11:55"), { "1-2": 30, "3-2": 40, "3-1": 11.5 });
    const alerts = crossPoolAlerts(race(), members, byMember, s);
    expect(alerts.map((a) => [a.type, a.subject, a.actualValue])).toEqual([
      ["exacta_overlay", "1-2", expect.closeTo(394.5, 1)],
      ["exacta_overlay", "3-2", expect.closeTo(130.8, 1)],
    ]);
    expect(alerts[0]!.message).toBe(
      "Saratoga R5 exacta 1-2 (#1/1A Alpha & Apollo over #2 Bravo) probable $30.00 vs fair $6.07 from win odds (+394.5%, overlay), 5 min to post",
    );
    const strip = (list: typeof alerts) => list.map(({ message: _message, ...rest }) => rest);
    expect(strip(crossPoolAlerts(race(), once, byInterest, s))).toEqual(strip(alerts));
    expect(strip(crossPoolAlerts(race(), members, byInterest, s))).toEqual(strip(alerts));
  });

  it("takes win probabilities from the pool when the board has the amounts", () => {
    // $30,000, $20,000, $10,000 of $60,000: 0.5, 0.3333, 0.1667 (tote odds 3-5, 3-2, 4-1).
    // P(1-2) = 0.5 * 0.3333 / 0.5 = 0.3333, fair 1.6 / 0.3333 = 4.80; $9.60 is +100%.
    // From the odds it would be 0.5102, 0.3265 -> P 0.3401, fair 4.70.
    const pool = toteBoard(at("11:54"), { "1": 30_000, "2": 20_000, "3": 10_000 });
    const [alert] = crossPoolAlerts(race(), pool, exactaBoard(at("11:55"), { "1-2": 9.6 }), s);
    expect(alert!.details).toMatchObject({ probabilitySource: "pool" });
    expect(alert!.details.fair).toBeCloseTo(4.8, 10);
    expect(alert!.actualValue).toBeCloseTo(100, 10);
    expect(alert!.message).toContain("vs fair $4.80 from the win pool (+100.0%, overlay)");
    const odds = winBoard(at("11:54"), { "1": 0.6, "2": 1.5, "3": 4 });
    const [fromOdds] = crossPoolAlerts(race(), odds, exactaBoard(at("11:55"), { "1-2": 9.6 }), s);
    expect(fromOdds!.details).toMatchObject({ probabilitySource: "odds" });
    expect(fromOdds!.details.fair).toBeCloseTo(4.704, 3);
  });
});
