import { describe, expect, it } from "vitest";
import { formatFeedError, parseFeedMessage, type ParsedFeedMessage } from "../index.js";

const at = { source: "day.jsonl", line: 17 };
const race = { track: "Belmont Park", date: "2025-09-12", race: 5 };
const win = (horses: unknown[], extra: object = {}) => ({
  kind: "win",
  ...race,
  fetched_at: "2025-09-12T22:30:00Z",
  horses,
  ...extra,
});
const exacta = (probables: unknown, extra: object = {}) => ({
  kind: "exacta",
  ...race,
  fetched_at: "2025-09-12T22:30:00Z",
  probables,
  ...extra,
});
const card = (extra: object = {}) => ({
  kind: "card",
  ...race,
  entries: [{ program_number: "1", horse: "Speedy Sam" }],
  ...extra,
});

function ok(raw: unknown): ParsedFeedMessage {
  const result = parseFeedMessage(raw, at);
  if (!result.ok) throw new Error(formatFeedError(result.error));
  return result.message;
}

function reason(raw: unknown): string {
  const result = parseFeedMessage(raw, at);
  if (result.ok) throw new Error("expected an invalid message");
  expect(result.error.position).toBe("day.jsonl:17");
  expect(result.error.source).toBe("day.jsonl");
  return result.error.reason;
}

describe("parseFeedMessage: every invalid-message class of docs/feed.md", () => {
  it.each([
    ["not an object", 42, /must be a JSON object/],
    ["unknown kind", { ...race, kind: "place" }, /^kind: unknown kind "place"/],
    ["missing field", { kind: "win", ...race, horses: [] }, /^fetched_at: required/],
    [
      "wrongly typed field",
      { ...win([{ program_number: "1", win_odds: 2 }]), race: "5" },
      /^race: expected number, got "5"/,
    ],
    ["missing odds", win([{ program_number: "1" }]), /^horses\[0\]\.win_odds: required/],
    [
      "not a calendar date",
      { ...win([{ program_number: "1", win_odds: 2 }]), date: "2025-02-30" },
      /^date: not a real calendar date/,
    ],
    [
      "race below 1",
      { ...win([{ program_number: "1", win_odds: 2 }]), race: 0 },
      /^race: race number must be >= 1/,
    ],
    [
      "negative pool",
      win([{ program_number: "1", win_odds: 2, win_pool_amount: -1 }]),
      /^horses\[0\]\.win_pool_amount: must not be negative/,
    ],
    [
      "negative total pool",
      exacta({ "1-2": 3 }, { total_exacta_pool: -5 }),
      /^total_exacta_pool: must not be negative/,
    ],
    ["negative payout", exacta({ "1-2": -3 }), /^probables\["1-2"\]: payout must not be negative/],
    [
      "odds not a board form",
      win([{ program_number: "1", win_odds: "abc" }]),
      /^horses\[0\]\.win_odds: not a board odds form: "abc"/,
    ],
    [
      "negative odds",
      win([{ program_number: "1", win_odds: "-3" }]),
      /^horses\[0\]\.win_odds: odds must not be negative/,
    ],
    [
      "negative numeric odds",
      win([{ program_number: "1", win_odds: -3 }]),
      /^horses\[0\]\.win_odds: odds must not be negative/,
    ],
    [
      "zero denominator",
      win([
        { program_number: "1", win_odds: 2 },
        { program_number: "2", win_odds: 3 },
        { program_number: "3", win_odds: "5-0" },
      ]),
      /^horses\[2\]\.win_odds: .*zero denominator: "5-0"/,
    ],
    [
      "bad morning line",
      card({ entries: [{ program_number: "1", horse: "X", morning_line: "lots" }] }),
      /^entries\[0\]\.morning_line: not a board odds form/,
    ],
    [
      "fetched_at not an instant",
      win([{ program_number: "1", win_odds: 2 }], { fetched_at: "12/09/2025 10:00" }),
      /^fetched_at: not an ISO-8601 instant/,
    ],
    [
      "fetched_at without a zone",
      win([{ program_number: "1", win_odds: 2 }], { fetched_at: "2025-09-12T10:00:00" }),
      /^fetched_at: not an ISO-8601 instant/,
    ],
    ["exacta key without a dash", exacta({ "12": 3 }), /^probables\["12"\]: key is not "FIRST-SECOND"/],
    [
      "exacta key with three parts",
      exacta({ "1-2-3": 3 }),
      /^probables\["1-2-3"\]: key is not "FIRST-SECOND"/,
    ],
    [
      "exacta key naming one runner twice",
      exacta({ "1-1": 3 }),
      /^probables\["1-1"\]: names runner "1" twice/,
    ],
    [
      "unknown status",
      { kind: "status", ...race, status: "finished" },
      /^status: expected one of "scheduled"/,
    ],
    ["bad post time", card({ post_time: "25:00" }), /^post_time: .*not a valid time of day/],
    [
      "post time without offset",
      card({ post_time: "2025-09-12T18:42:00" }),
      /^post_time: .*has no UTC offset/,
    ],
    [
      "bad time zone",
      card({ timezone: "Mars/Olympus" }),
      /^timezone: "Mars\/Olympus" is not an IANA time zone/,
    ],
    ["card without entries", card({ entries: [] }), /^entries: a card needs at least one entry/],
    [
      "duplicate program number",
      card({
        entries: [
          { program_number: "1", horse: "A" },
          { program_number: "1", horse: "B" },
        ],
      }),
      /^entries\[1\]\.program_number: "1" is listed twice/,
    ],
  ])("%s", (_name, raw, expected) => {
    expect(reason(raw)).toMatch(expected);
  });

  // Date.parse would roll each of these over to a real instant (Mar 2, Oct 1, the next day).
  it.each([
    ["February 30", "2025-02-30T10:00:00Z"],
    ["September 31", "2025-09-31T10:00:00Z"],
    ["hour 24", "2025-09-12T24:00:00Z"],
    ["minute 60", "2025-09-12T10:60:00Z"],
    ["second 60", "2025-09-12T10:00:60Z"],
    ["an offset of 25 hours", "2025-09-12T10:00:00+25:00"],
  ])("an impossible instant is invalid, not moved: %s", (_name, instant) => {
    const refused = (text: string, field: string) => {
      expect(text).toMatch(new RegExp(`^${field}: not an ISO-8601 instant`));
      expect(text.endsWith(`(got ${JSON.stringify(instant)})`)).toBe(true);
    };
    refused(reason(win([{ program_number: "1", win_odds: 2 }], { fetched_at: instant })), "fetched_at");
    refused(reason(exacta({ "1-2": 3 }, { fetched_at: instant })), "fetched_at");
    refused(reason({ kind: "status", ...race, status: "off", at: instant }), "at");
  });

  it.each(["", "  ", "\t"])("empty odds text %j is invalid, not read as no odds", (text) => {
    expect(reason(win([{ program_number: "1", win_odds: text }]))).toMatch(
      /^horses\[0\]\.win_odds: odds text is empty .*"SCR" or null/,
    );
    expect(reason(card({ entries: [{ program_number: "1", horse: "X", morning_line: text }] }))).toMatch(
      /^entries\[0\]\.morning_line: odds text is empty/,
    );
  });

  it("formats errors as position: reason", () => {
    const result = parseFeedMessage(win([{ program_number: "1", win_odds: "5-0" }]), at);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(formatFeedError(result.error)).toMatch(/^day\.jsonl:17: horses\[0\]\.win_odds: /);
    const fromUrl = parseFeedMessage(42, { source: "http://h/win", index: 3 });
    if (!fromUrl.ok) expect(fromUrl.error.position).toBe("http://h/win#3");
  });
});

describe("parseFeedMessage: normalization", () => {
  it("parses every board form and skips runners without odds", () => {
    const message = ok(
      win([
        { program_number: "1", win_odds: "5-2", win_pool_amount: 100 },
        { program_number: "2", win_odds: "5/2" },
        { program_number: "3", win_odds: "EVEN" },
        { program_number: "4", win_odds: "EVN" },
        { program_number: "5", win_odds: "3-5" },
        { program_number: "6", win_odds: 12 },
        { program_number: "7", win_odds: "SCR" },
        { program_number: "8", win_odds: null },
      ]),
    );
    if (message.kind !== "win") throw new Error("expected win");
    expect(message.snapshot.runners.map((r) => [r.programNumber, r.winOdds])).toEqual([
      ["1", 2.5],
      ["2", 2.5],
      ["3", 1],
      ["4", 1],
      ["5", 0.6],
      ["6", 12],
    ]);
    expect(message.snapshot.fetchedAt.toISOString()).toBe("2025-09-12T22:30:00.000Z");
    expect(message.snapshot.runners[0]!.winPoolAmount).toBe(100);
  });

  it("normalizes exacta payouts to a $2 base and skips null payouts", () => {
    const message = ok(
      exacta({ "1-2": 10, "2-1": null, "1A-3": 7.5 }, { base_amount: 1, total_exacta_pool: 900 }),
    );
    if (message.kind !== "exacta") throw new Error("expected exacta");
    expect(message.snapshot.probables).toEqual([
      { first: "1", second: "2", payout: 20 },
      { first: "1A", second: "3", payout: 15 },
    ]);
    expect(message.snapshot.totalExactaPool).toBe(900);
    const twoDollar = ok(exacta({ "1-2": 10 }));
    if (twoDollar.kind === "exacta") expect(twoDollar.snapshot.probables[0]!.payout).toBe(10);
  });

  it("resolves post times: with offset, local with the message zone, local left for the stored zone", () => {
    const iso = ok(card({ post_time: "2025-09-12T18:42:00-04:00" }));
    if (iso.kind === "card")
      expect([iso.card.postTime?.toISOString(), iso.localPostTime]).toEqual([
        "2025-09-12T22:42:00.000Z",
        null,
      ]);
    const zoned = ok(card({ post_time: "13:00", timezone: "America/Chicago" }));
    if (zoned.kind === "card") expect(zoned.card.postTime?.toISOString()).toBe("2025-09-12T18:00:00.000Z");
    const local = ok(card({ post_time: "13:00" }));
    if (local.kind === "card") expect([local.card.postTime, local.localPostTime]).toEqual([null, "13:00"]);
  });

  it("reads morning lines and card fields", () => {
    const message = ok(
      card({
        track_code: "BEL",
        status: "open",
        entries: [
          { program_number: "1A", horse: "Mate", morning_line: "5-2", scratched: true, jockey: "J. O" },
        ],
      }),
    );
    if (message.kind !== "card") throw new Error("expected card");
    expect(message.card).toMatchObject({
      track: "Belmont Park",
      trackCode: "BEL",
      raceDate: "2025-09-12",
      raceNumber: 5,
      status: "open",
    });
    expect(message.card.entries).toEqual([
      {
        programNumber: "1A",
        horse: "Mate",
        morningLineOdds: 2.5,
        jockey: "J. O",
        trainer: null,
        scratched: true,
      },
    ]);
  });

  it("ignores unknown fields and reads status times", () => {
    const message = ok({ kind: "status", ...race, status: "off", at: "2025-09-12T22:43:10Z", extra: [1] });
    if (message.kind !== "status") throw new Error("expected status");
    expect([message.status, message.at?.toISOString()]).toEqual(["off", "2025-09-12T22:43:10.000Z"]);
  });
});

describe("parseFeedMessage: exacta probables", () => {
  function probablesOf(raw: unknown): unknown {
    const message = ok(raw);
    if (message.kind !== "exacta") throw new Error("expected exacta");
    return message.snapshot.probables;
  }

  it("stores nothing for a $0 probable: 0 means no money, like null", () => {
    expect(probablesOf(exacta({ "1-2": 0 }))).toEqual([]);
    expect(probablesOf(exacta({ "1-2": 0, "2-1": null, "1-3": 12 }, { base_amount: 1 }))).toEqual([
      { first: "1", second: "3", payout: 24 }, // 12 at base 1: 12*2/1 = 24
    ]);
  });

  it("rescales to $2 as payout * 2 / base, to the cent", () => {
    // 453 at base 10: 453*2/10 = 906/10 = 90.6 exactly (453 * (2/10) is 90.60000000000001)
    expect(probablesOf(exacta({ "1-2": 453 }, { base_amount: 10 }))).toEqual([
      { first: "1", second: "2", payout: 90.6 },
    ]);
    // 23.05 at base 0.5: 23.05*2/0.5 = 92.2; 10 at base 3: 20/3 = 6.666... -> 6.67
    expect(probablesOf(exacta({ "1-2": 23.05, "2-1": 10 }, { base_amount: 0.5 }))).toEqual([
      { first: "1", second: "2", payout: 92.2 },
      { first: "2", second: "1", payout: 40 }, // 10*2/0.5 = 40
    ]);
    expect(probablesOf(exacta({ "1-2": 10 }, { base_amount: 3 }))).toEqual([
      { first: "1", second: "2", payout: 6.67 },
    ]);
  });

  it("checks the US minimum (105 % of the stake) in the message's own base, allowing half a cent of rounding", () => {
    const below = (raw: number, ticket: string) =>
      `probables["1-2"]: a probable payout of ${raw} for a ${ticket} ticket is below the US minimum`;
    // base 2: 1.05*2 - 0.005 = 2.095. 2.10 stands (2.10*2/2 = 2.10 stored); 2.09 < 2.095.
    expect(probablesOf(exacta({ "1-2": 2.1 }))).toEqual([{ first: "1", second: "2", payout: 2.1 }]);
    expect(reason(exacta({ "1-2": 2.09 }))).toBe(
      `${below(2.09, "$2")} of $2.10; 0 or null means no money on it`,
    );
    // base 1: 1.05*1 - 0.005 = 1.045. 1.05 stands (1.05*2/1 = 2.10 stored); 1.04 < 1.045.
    expect(probablesOf(exacta({ "1-2": 1.05 }, { base_amount: 1 }))).toEqual([
      { first: "1", second: "2", payout: 2.1 },
    ]);
    expect(reason(exacta({ "1-2": 1.04 }, { base_amount: 1 }))).toBe(
      `${below(1.04, "$1.00")} of $1.05 for it ($2.10 for $2); 0 or null means no money on it`,
    );
    // base 0.5: 1.05*0.5 - 0.005 = 0.525 - 0.005 = 0.52. 0.52 is the minimum as a board shows it
    // ($0.525 is no whole number of cents) and stands, stored as 0.52*2/0.5 = 2.08 for $2: a
    // check after rescaling (2.08 < 2.10) refused the whole grid. 0.51 < 0.52.
    expect(probablesOf(exacta({ "1-2": 0.52, "2-1": 23.05 }, { base_amount: 0.5 }))).toEqual([
      { first: "1", second: "2", payout: 2.08 },
      { first: "2", second: "1", payout: 92.2 }, // 23.05*2/0.5 = 92.2
    ]);
    expect(reason(exacta({ "1-2": 0.51 }, { base_amount: 0.5 }))).toBe(
      `${below(0.51, "$0.50")} of $0.52 for it ($2.10 for $2); 0 or null means no money on it`,
    );
    // base 10: 1.05*10 - 0.005 = 10.495 > 10 (10 would be 10*2/10 = 2.00 for $2)
    expect(reason(exacta({ "1-2": 10 }, { base_amount: 10 }))).toMatch(
      / of \$10\.50 for it \(\$2\.10 for \$2\)/,
    );
    expect(reason(exacta({ "1-2": 0.01 }))).toMatch(/below the US minimum/);
    // base 0.10: the slack is at most half the 5% profit: 0.105 - min(0.005, 0.005/2) = 0.1025,
    // so the stake alone (0.10, $2.00 for $2) is refused and 0.11 stands (0.11*2/0.1 = 2.20).
    expect(reason(exacta({ "1-2": 0.1 }, { base_amount: 0.1 }))).toMatch(/ of \$0\.11 for it/);
    expect(probablesOf(exacta({ "1-2": 0.11 }, { base_amount: 0.1 }))).toEqual([
      { first: "1", second: "2", payout: 2.2 },
    ]);
  });
});

describe("parseFeedMessage: coupled entries", () => {
  function runnersOf(raw: unknown): unknown {
    const message = ok(raw);
    if (message.kind !== "win") throw new Error("expected win");
    return message.snapshot.runners;
  }

  it("refuses an exacta of one betting interest", () => {
    expect(reason(exacta({ "1-1A": 30 }))).toBe(
      'probables["1-1A"]: "1" and "1A" are one betting interest (a coupled entry); not an exacta',
    );
    expect(reason(exacta({ "1X-1A": 30 }))).toMatch(
      /^probables\["1X-1A"\]: "1X" and "1A" are one betting interest/,
    );
    // even with no money on it: the key itself is no bet
    expect(reason(exacta({ "1A-1": null }))).toMatch(/^probables\["1A-1"\]: .*not an exacta/);
  });

  it("accepts keys for every member of an interest when they pay the same, and stores each", () => {
    expect(ok(exacta({ "1-2": 45, "1A-2": 45, "2-1": 50, "2-1A": 50, "1-3": null, "1A-3": 0 })).kind).toBe(
      "exacta",
    );
    const message = ok(exacta({ "1-2": 45, "1A-2": 45, "2-1": 50, "2-1A": 50 }));
    if (message.kind !== "exacta") throw new Error("expected exacta");
    expect(message.snapshot.probables.map((p) => `${p.first}-${p.second}:${p.payout}`)).toEqual([
      "1-2:45",
      "1A-2:45",
      "2-1:50",
      "2-1A:50",
    ]);
  });

  it("refuses two keys of one interest combination that pay differently", () => {
    expect(reason(exacta({ "1-2": 45, "1A-2": 50 }))).toBe(
      'probables["1A-2"]: "1A-2" and "1-2" are one combination (coupled entries bet as one) but pay differently: 50 here, 45 for "1-2"',
    );
    expect(reason(exacta({ "2-1": 45, "3-1": 9, "2-1X": null }))).toMatch(
      /^probables\["2-1X"\]: .*differently: null here, 45 for "2-1"/,
    );
  });

  it("accepts an entry listed as each member with one price and amount, or as the interest once", () => {
    const members = runnersOf(
      win(
        [
          { program_number: "1", win_odds: "5-2", win_pool_amount: 3000 },
          { program_number: "1A", win_odds: "5/2", win_pool_amount: 3000 },
          { program_number: "2", win_odds: "EVEN", win_pool_amount: 5000 },
        ],
        { total_win_pool: 10000 },
      ),
    );
    // the interest's amount repeated for each member, not split
    expect(members).toEqual([
      { programNumber: "1", winOdds: 2.5, winPoolAmount: 3000 },
      { programNumber: "1A", winOdds: 2.5, winPoolAmount: 3000 },
      { programNumber: "2", winOdds: 1, winPoolAmount: 5000 },
    ]);
    expect(
      runnersOf(
        win([
          { program_number: "1", win_odds: "5-2" },
          { program_number: "2", win_odds: 1 },
        ]),
      ),
    ).toHaveLength(2);
    // a scratched member shows no odds; its mate still runs for the interest
    expect(
      runnersOf(
        win([
          { program_number: "1", win_odds: "SCR" },
          { program_number: "1A", win_odds: "3-1" },
        ]),
      ),
    ).toEqual([{ programNumber: "1A", winOdds: 3, winPoolAmount: null }]);
  });

  it("refuses members of one interest with different odds or amounts, naming the second", () => {
    expect(
      reason(
        win([
          { program_number: "1", win_odds: "5-2" },
          { program_number: "2", win_odds: "EVEN" },
          { program_number: "1A", win_odds: "3-1" },
        ]),
      ),
    ).toBe(
      'horses[2].win_odds: "1A" and "1" are one betting interest (a coupled entry), one price in the pool, but the odds differ: "3-1" here, "5-2" for "1"',
    );
    expect(
      reason(
        win([
          { program_number: "1", win_odds: 3, win_pool_amount: 1500 },
          { program_number: "1A", win_odds: 3, win_pool_amount: 1500 },
          { program_number: "1X", win_odds: 3, win_pool_amount: 500 },
        ]),
      ),
    ).toBe(
      'horses[2].win_pool_amount: "1X" and "1" are one betting interest (a coupled entry): each member shows the interest\'s whole amount, but they differ: 500 here, 1500 for "1"',
    );
    expect(
      reason(
        win([
          { program_number: "1", win_odds: 3, win_pool_amount: 1500 },
          { program_number: "1A", win_odds: 3 },
        ]),
      ),
    ).toMatch(/^horses\[1\]\.win_pool_amount: .*null here, 1500 for "1"/);
  });
});

describe("parseFeedMessage: decimal odds", () => {
  const twin = win(
    [
      { program_number: "1", win_odds: "5-2", win_pool_amount: 2500 },
      { program_number: "2", win_odds: "3-1" },
      { program_number: "3", win_odds: "10-1" },
      { program_number: "4", win_odds: "SCR" },
    ],
    { total_win_pool: 10000 },
  );
  const decimalHorses = [
    // dividend per 1 staked, stake included: odds-to-1 = dividend - 1
    { program_number: "1", win_odds: 3.5, win_pool_amount: 2500 }, // 3.5 - 1 = 2.5 (5-2)
    { program_number: "2", win_odds: "4.00" }, // 4 - 1 = 3 (3-1)
    { program_number: "3", win_odds: 11.0 }, // 11 - 1 = 10 (10-1)
    { program_number: "4", win_odds: "SCRATCHED" }, // a decimal board's scratch, as "SCR"
  ];
  const perTen = [
    // Hong Kong quotes per $10: 35/10 = 3.5 -> 2.5; 40/10 = 4 -> 3; 110/10 = 11 -> 10
    { program_number: "1", win_odds: 35, win_pool_amount: 2500 },
    { program_number: "2", win_odds: "40" },
    { program_number: "3", win_odds: 110 },
    { program_number: "4", win_odds: "SCR" },
  ];
  const decimalTrack = () => ({ oddsFormat: "decimal", dividendUnit: 1 }) as const;

  function snapshotOf(raw: unknown, options = {}): unknown {
    const result = parseFeedMessage(raw, at, options);
    if (!result.ok) throw new Error(formatFeedError(result.error));
    if (result.message.kind !== "win") throw new Error("expected win");
    return result.message.snapshot;
  }

  it("reads a decimal board into the same snapshot as its odds-to-1 twin", () => {
    const expected = snapshotOf(twin);
    expect((expected as { runners: unknown[] }).runners).toEqual([
      { programNumber: "1", winOdds: 2.5, winPoolAmount: 2500 },
      { programNumber: "2", winOdds: 3, winPoolAmount: null },
      { programNumber: "3", winOdds: 10, winPoolAmount: null },
    ]);
    const extra = { total_win_pool: 10000 };
    expect(snapshotOf(win(decimalHorses, { ...extra, odds_format: "decimal" }))).toEqual(expected);
    expect(snapshotOf(win(perTen, { ...extra, odds_format: "decimal", dividend_unit: 10 }))).toEqual(
      expected,
    );
    // the track's default when the message does not say
    expect(snapshotOf(win(decimalHorses, extra), { oddsFormatOf: decimalTrack })).toEqual(expected);
    expect(
      snapshotOf(win(perTen, extra), { oddsFormatOf: () => ({ oddsFormat: "decimal", dividendUnit: 10 }) }),
    ).toEqual(expected);
    // a unit of its own on a decimal track; the message's format over the track's
    expect(snapshotOf(win(perTen, { ...extra, dividend_unit: 10 }), { oddsFormatOf: decimalTrack })).toEqual(
      expected,
    );
  });

  it("asks the lookup by the message's track; an unknown track is odds-to-1", () => {
    const asked: string[] = [];
    const lookup = (track: string) => {
      asked.push(track);
      return undefined;
    };
    expect(snapshotOf(twin, { oddsFormatOf: lookup })).toEqual(snapshotOf(twin));
    expect(asked).toEqual(["Belmont Park"]);
  });

  it("lets a message say it is odds-to-1 on a decimal track", () => {
    expect(snapshotOf({ ...twin, odds_format: "odds_to_one" }, { oddsFormatOf: decimalTrack })).toEqual(
      snapshotOf(twin),
    );
  });

  it("refuses fractions, no-profit dividends and a unit on odds-to-1 odds", () => {
    const decimal = (horses: unknown[], extra: object = {}) =>
      win(horses, { odds_format: "decimal", ...extra });
    expect(reason(decimal([{ program_number: "1", win_odds: "5-2" }]))).toBe(
      'horses[0].win_odds: "5-2" is odds-to-1, but this board shows decimal dividends (e.g. 3.5 for 5-2) [decimal odds: this message\'s odds_format]',
    );
    const result = parseFeedMessage(win([{ program_number: "1", win_odds: "EVEN" }]), at, {
      oddsFormatOf: decimalTrack,
    });
    expect(result.ok ? "" : result.error.reason).toMatch(
      /^horses\[0\]\.win_odds: "EVEN" is odds-to-1.*\[decimal odds: the track's default\]$/,
    );
    expect(reason(decimal([{ program_number: "1", win_odds: 1 }]))).toMatch(
      /^horses\[0\]\.win_odds: a decimal dividend of 1 per 1 staked pays back no more than the stake/,
    );
    expect(reason(decimal([{ program_number: "1", win_odds: "0.80" }]))).toMatch(/no more than the stake/);
    // 10 per 10 is the stake back
    expect(reason(decimal([{ program_number: "1", win_odds: 10 }], { dividend_unit: 10 }))).toMatch(
      /^horses\[0\]\.win_odds: a decimal dividend of 10 per 10 staked .*\[decimal odds, dividend_unit 10: this message's odds_format\]$/,
    );
    expect(reason(decimal([{ program_number: "1", win_odds: "" }]))).toMatch(/odds text is empty/);
    expect(reason(decimal([{ program_number: "1", win_odds: "abc" }]))).toMatch(
      /not a decimal dividend: "abc"/,
    );
    expect(reason(win([{ program_number: "1", win_odds: 35 }], { dividend_unit: 10 }))).toBe(
      "dividend_unit: applies only to decimal odds (odds_format \"decimal\"); this message's odds are odds-to-1 (the track's default)",
    );
    expect(reason(decimal([{ program_number: "1", win_odds: 3.5 }], { dividend_unit: 0 }))).toMatch(
      /^dividend_unit: dividend_unit must be positive/,
    );
    expect(reason(win([{ program_number: "1", win_odds: 3.5 }], { odds_format: "fractional" }))).toMatch(
      /^odds_format: expected one of "odds_to_one", "decimal"/,
    );
  });

  it("keeps morning lines on cards odds-to-1 whatever the track's board", () => {
    const result = parseFeedMessage(
      card({ entries: [{ program_number: "1", horse: "X", morning_line: "5-2" }] }),
      at,
      { oddsFormatOf: decimalTrack },
    );
    if (!result.ok || result.message.kind !== "card") throw new Error("expected a card");
    expect(result.message.card.entries[0]!.morningLineOdds).toBe(2.5);
  });
});
