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
