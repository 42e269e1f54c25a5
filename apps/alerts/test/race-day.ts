/**
 * A hand-made race day for the black-box test (src/race-day.int.test.ts): one race per
 * defect of issue 8, as feed lines. Every figure is worked beside it.
 *
 * Win odds follow the pools: 16% takeout, payout per $1 = 0.84 * pool / runner's money,
 * broken down to the dime, odds-to-1 = payout - 1. Exacta prices are Harville's fair $2
 * payouts at 20% takeout: 2 * 0.8 / P(a, b), P(a, b) = pa * pb / (1 - pa).
 */
const TRACK = "Test Downs";
export const DATE = "2025-06-01";
const at = (hhmm: string) => `${DATE}T${hhmm}:00Z`;
const key = (race: number) => ({ track: TRACK, date: DATE, race });

export type Line = Record<string, unknown>;
const card = (race: number, entries: Array<[string, string, string]>, extra: Line = {}): Line => ({
  kind: "card",
  ...key(race),
  timezone: "UTC",
  post_time: at("17:00"),
  entries: entries.map(([program_number, horse, morning_line]) => ({ program_number, horse, morning_line })),
  ...extra,
});
const win = (
  race: number,
  time: string,
  total: number,
  horses: Array<[string, unknown, number?]>,
  extra: Line = {},
): Line => ({
  kind: "win",
  ...key(race),
  fetched_at: at(time),
  total_win_pool: total,
  horses: horses.map(([program_number, win_odds, win_pool_amount]) => ({
    program_number,
    win_odds,
    win_pool_amount,
  })),
  ...extra,
});
const exacta = (
  race: number,
  time: string,
  total: number,
  probables: Record<string, number | null>,
): Line => ({
  kind: "exacta",
  ...key(race),
  fetched_at: at(time),
  total_exacta_pool: total,
  probables,
});
const status = (race: number, value: string, time: string): Line => ({
  kind: "status",
  ...key(race),
  status: value,
  at: at(time),
});

const FOUR = (race: number): Line =>
  card(race, [
    ["1", `Alpha ${race}`, "1-1"],
    ["2", `Bravo ${race}`, "2-1"],
    ["3", `Charlie ${race}`, "3-1"],
    ["4", `Delta ${race}`, "6-1"],
  ]);

/**
 * Fair $2 exacta prices for win shares .4/.3/.2/.1 (race 2 and 4):
 * 1-2 .4*.3/.6 = .2 -> 1.6/.2 = 8.00   1-3 .1333 -> 12.00   1-4 .0667 -> 24.00
 * 2-1 .3*.4/.7 = .1714 -> 9.33        2-3 .0857 -> 18.67   2-4 .0429 -> 37.33
 * 3-1 .2*.4/.8 = .1 -> 16.00          3-2 .075 -> 21.33    3-4 .025 -> 64.00
 * 4-1 .1*.4/.9 = .0444 -> 36.00       4-2 .0333 -> 48.00   4-3 .0222 -> 72.00
 */
const FAIR: Record<string, number> = {
  "1-2": 8,
  "1-3": 12,
  "1-4": 24,
  "2-1": 9.33,
  "2-3": 18.67,
  "2-4": 37.33,
  "3-1": 16,
  "3-2": 21.33,
  "3-4": 64,
  "4-1": 36,
  "4-2": 48,
  "4-3": 72,
};
/** 40/30/20/10 thousand of a 100,000 pool: 84,000 net -> 2.1, 2.8, 4.2, 8.4 per $1 -> 1.1, 1.8, 3.2, 7.4. */
const SHARES_4321: Array<[string, unknown, number]> = [
  ["1", 1.1, 40_000],
  ["2", 1.8, 30_000],
  ["3", 3.2, 20_000],
  ["4", 7.4, 10_000],
];
/**
 * Steam on #3, 6 points: 120,000 pool, #3 31,200 (.26, was .20), the rest scaled by .74/.8 = .925:
 * #1 44,400 (.37), #2 33,300 (.2775), #4 11,100 (.0925). Net 100,800: #1 2.27 -> 2.2 -> 1.2,
 * #2 3.03 -> 3.0 -> 2.0, #3 3.23 -> 3.2 -> 2.2, #4 9.08 -> 9.0 -> 8.0. Decimal moves from 2.1/2.8/4.2/8.4:
 * +4.8%, +7.1%, -23.8%, +7.1%: no odds_change (30%), no steam by odds (35%), no drift (#1 -3 points < 5).
 */
const STEAMED: Array<[string, unknown, number]> = [
  ["1", 1.2, 44_400],
  ["2", 2, 33_300],
  ["3", 2.2, 31_200],
  ["4", 8, 11_100],
];

export function raceDay(): Line[] {
  const seven = Array.from({ length: 7 }, (_, i) => String(i + 1));
  return [
    // R1, a heavy favourite scratched, nobody else's money moves. 16:50: #1 40,000, #2..#7 10,000
    // each (100,000): #1 0.84/.4 = 2.1 -> 1.1, the rest 8.4 -> 7.4. 16:55: #1 refunded, 60,000 left,
    // net 50,400 / 10,000 = 5.04 -> 5.0 -> 4.0: every odds fell 46% (7.4 -> 4.0) though no money came.
    card(
      1,
      seven.map((n) => [n, `Runner ${n}`, n === "1" ? "1-1" : "6-1"]),
    ),
    win(
      1,
      "16:50",
      100_000,
      seven.map((n) => [n, n === "1" ? 1.1 : 7.4, n === "1" ? 40_000 : 10_000]),
    ),
    card(1, [], { entries: [{ program_number: "1", horse: "Runner 1", scratched: true }] }),
    win(
      1,
      "16:55",
      60_000,
      seven.map((n) => [n, n === "1" ? "SCR" : 4, n === "1" ? undefined : 10_000]),
    ),

    // R2, coupled entry 1/1A (one interest, 40%) listed member by member, exacta at fair prices.
    card(2, [
      ["1", "Bolt", "3-2"],
      ["1A", "Bolt Mate", "3-2"],
      ["2", "Bravo 2", "2-1"],
      ["3", "Charlie 2", "4-1"],
      ["4", "Delta 2", "8-1"],
    ]),
    win(2, "16:55", 100_000, [["1", 1.1, 40_000], ["1A", 1.1, 40_000], ...SHARES_4321.slice(1)]),
    exacta(2, "16:55", 50_000, { ...FAIR, "1A-2": 8, "2-1A": 9.33 }),

    // R3, steam after scheduled post (17:03), before the off (17:05). 16:52: the same shares as 16:57
    // on 75,000 (same odds): no move. Steam's window at 17:03 starts at the 16:57 board.
    FOUR(3),
    win(
      3,
      "16:52",
      75_000,
      SHARES_4321.map(([n, o, a]) => [n, o, (a * 3) / 4]),
    ),
    win(3, "16:57", 100_000, SHARES_4321),
    win(3, "17:03", 120_000, STEAMED),
    status(3, "off", "17:05"),
    status(3, "official", "17:12"),

    // R4, a $0 probable: no money on 1-2, not a $0.00 payout; the rest fair.
    FOUR(4),
    win(4, "16:55", 100_000, SHARES_4321),
    exacta(4, "16:55", 50_000, { ...FAIR, "1-2": 0 }),

    // R5 and R6, twins: the same money, R5 in odds-to-1 board text, R6 in decimal dividends per $1.
    FOUR(5),
    win(5, "16:50", 100_000, [
      ["1", "11-10", 40_000],
      ["2", "9-5", 30_000],
      ["3", "16-5", 20_000],
      ["4", "37-5", 10_000],
    ]),
    win(5, "16:55", 120_000, [
      ["1", "6-5", 44_400],
      ["2", "2-1", 33_300],
      ["3", "11-5", 31_200],
      ["4", "8-1", 11_100],
    ]),
    FOUR(6),
    win(
      6,
      "16:50",
      100_000,
      [
        ["1", 2.1, 40_000],
        ["2", 2.8, 30_000],
        ["3", 4.2, 20_000],
        ["4", 8.4, 10_000],
      ],
      { odds_format: "decimal" },
    ),
    win(
      6,
      "16:55",
      120_000,
      [
        ["1", 2.2, 44_400],
        ["2", 3, 33_300],
        ["3", 3.2, 31_200],
        ["4", 9, 11_100],
      ],
      { odds_format: "decimal" },
    ),

    // R8, R1's scratch told the other way round: the board drops #1 at 16:53 (no odds, not "SCR"),
    // the card scratching it is observed at 16:54 (after the open status), the next board is
    // 16:56. The alert comes on 16:56, the first board at which #1 is both known scratched and
    // gone, measured on 16:50, the last board that listed it: 40,000 / 100,000 = 40.0%. A daemon
    // that saw 16:53 before the card and this replay-then-run raise the same alert.
    card(
      8,
      seven.map((n) => [n, `Stayer ${n}`, n === "1" ? "1-1" : "6-1"]),
    ),
    win(
      8,
      "16:50",
      100_000,
      seven.map((n) => [n, n === "1" ? 1.1 : 7.4, n === "1" ? 40_000 : 10_000]),
    ),
    win(
      8,
      "16:53",
      60_000,
      seven.map((n) => [n, n === "1" ? null : 4, n === "1" ? undefined : 10_000]),
    ),
    status(8, "open", "16:54"),
    card(8, [], { entries: [{ program_number: "1", horse: "Stayer 1", scratched: true }] }),
    win(
      8,
      "16:56",
      60_000,
      seven.map((n) => [n, n === "1" ? null : 4, n === "1" ? undefined : 10_000]),
    ),

    // R7, late money after the off (17:00). 17:00 (at the off, the last pre-off board): 110,000 in the
    // same shares, same odds. 17:02: #4 gets 16,000 more: 46/34/23/27 thousand = 130,000, net 109,200:
    // #1 2.37 -> 2.3 (+9.5% from 2.1), #2 3.21 -> 3.2 (+14.3%), #3 4.75 -> 4.7 (+11.9%), #4 4.04 -> 4.0
    // (-52.4% from 8.4): one late_change (20%). 17:04 (final): 46.5/34.5/23.5/28.5 = 133,000, net 111,720:
    // 2.4, 3.2, 4.7, 3.9 per $1: #4 -53.6%, still one alert (once per runner per race).
    FOUR(7),
    win(7, "16:55", 100_000, SHARES_4321),
    win(
      7,
      "17:00",
      110_000,
      SHARES_4321.map(([n, o, a]) => [n, o, (a * 11) / 10]),
    ),
    status(7, "off", "17:00"),
    win(7, "17:02", 130_000, [
      ["1", 1.3, 46_000],
      ["2", 2.2, 34_000],
      ["3", 3.7, 23_000],
      ["4", 3, 27_000],
    ]),
    win(7, "17:04", 133_000, [
      ["1", 1.4, 46_500],
      ["2", 2.2, 34_500],
      ["3", 3.7, 23_500],
      ["4", 2.9, 28_500],
    ]),
    status(7, "official", "17:10"),
  ];
}
