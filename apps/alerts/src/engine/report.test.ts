import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { StoredAlert } from "@totewatch/db";
import type { BacktestResult } from "../backtest/backtest.js";
import {
  alertListTable,
  backtestReport,
  localDateTime,
  strongestAlertsTable,
  terminalWidth,
} from "./report.js";

describe("localDateTime", () => {
  it("is the date and time in the track's zone", () => {
    expect(localDateTime(new Date("2025-06-01T17:42:05.900Z"), "America/New_York")).toBe(
      "2025-06-01 13:42:05",
    );
    expect(localDateTime(new Date("2025-06-01T02:00:00Z"), "America/New_York")).toBe("2025-05-31 22:00:00");
    expect(localDateTime(new Date("2025-06-01T14:00:00Z"), "Australia/Sydney")).toBe("2025-06-02 00:00:00");
  });

  it("is UTC when the zone is unknown or not an IANA zone", () => {
    const instant = new Date("2025-06-01T17:42:05Z");
    expect(localDateTime(instant, null)).toBe("2025-06-01 17:42:05");
    expect(localDateTime(instant, "Mars/Olympus")).toBe("2025-06-01 17:42:05");
    expect(localDateTime(instant, "")).toBe("2025-06-01 17:42:05");
  });
});

describe("strongestAlertsTable (the demo's)", () => {
  const exacta: StoredAlert = {
    alertId: 1,
    dedupeKey: "exacta_overlay:8:4-5:2026-12-02T21:20:00.000Z",
    alertType: "exacta_overlay",
    triggeredAt: new Date("2026-12-02T21:20:00.000Z"),
    message:
      "Santa Anita Park R8 exacta 11-12 (#11 Hank's Empire Of The Sun over #12 Midnight Voyage Home) " +
      "probable $1,228.40 vs fair $526.29 from the win pool (+133.4%, overlay), 10 min to post",
    subject: "11-12",
    thresholdValue: 50,
    actualValue: 133.4,
    details: { strength: 0.48, before: 526.29, after: 1228.4 },
    sent: true,
    sentAt: null,
    race: {
      raceId: 8,
      track: "Santa Anita Park",
      timezone: "America/Los_Angeles",
      raceDate: "2026-12-02",
      raceNumber: 8,
      postTime: null,
    },
    runner: null,
  };
  const steam: StoredAlert = {
    ...exacta,
    alertId: 2,
    alertType: "steam",
    triggeredAt: new Date("2026-12-02T18:24:00.000Z"),
    message: "Belmont Park R2 #5 Prairie Nugget: 5 -> 7-2 in 9 min, win chance 12.7% -> 18.1%",
    subject: "5",
    details: { strength: 0.31 },
    race: { ...exacta.race!, track: "Belmont Park", timezone: "America/New_York", raceNumber: 2 },
    runner: { entryId: 5, programNumber: "5", horse: "Prairie Nugget" },
  };

  it("fits 100 columns, the message wrapped whole, without repeating the race", () => {
    const text = strongestAlertsTable([exacta, steam]);
    for (const line of text.split("\n")) expect([...line].length).toBeLessThanOrEqual(100);
    const lastColumn = text
      .split("\n")
      .filter((line) => line.startsWith("│"))
      .map((line) => line.split("│")[5]!.trim())
      .join(" ");
    expect(lastColumn).toContain("exacta 11-12 (#11 Hank's Empire Of The Sun over #12 Midnight Voyage");
    expect(lastColumn).toContain(
      "probable $1,228.40 vs fair $526.29 from the win pool (+133.4%, overlay), 10",
    );
    expect(lastColumn).toContain("#5 Prairie Nugget: 5 -> 7-2 in 9 min");
    expect(lastColumn).not.toContain("Santa Anita Park R8");
  });

  it("shows each alert's time on its track's clock, named, without the date", () => {
    const text = strongestAlertsTable([exacta, steam]);
    expect(text).toContain("│ 13:20:00 PST │ Santa Anita Park R8 │ exacta_overlay │ 0.48");
    expect(text).toContain("│ 13:24:00 EST │ Belmont Park R2     │ steam          │ 0.31");
    expect(text).not.toContain("2026-12-02");
  });
});

describe("alertListTable and backtestReport at a terminal", () => {
  const base: StoredAlert = {
    alertId: 1,
    dedupeKey: "exacta_underlay:8:8-5:2026-12-03T00:25:00.000Z",
    alertType: "exacta_underlay",
    triggeredAt: new Date("2026-12-03T00:25:00.000Z"),
    message:
      "Santa Anita Park R8 exacta 8-5 (#8 Rocket Comet over #5 Quiet Verdict) probable $12.40 vs fair " +
      "$31.02 from the win pool (-60.0%, underlay), 5 min to post",
    subject: "8-5",
    thresholdValue: -50,
    actualValue: -60,
    details: { strength: 0.2 },
    sent: true,
    sentAt: new Date("2026-12-03T00:25:02.000Z"),
    race: {
      raceId: 8,
      track: "Santa Anita Park",
      timezone: "America/Los_Angeles",
      raceDate: "2026-12-02",
      raceNumber: 8,
      postTime: null,
    },
    runner: null,
  };
  const steam: StoredAlert = {
    ...base,
    alertId: 2,
    alertType: "steam",
    triggeredAt: new Date("2026-06-01T17:42:05.000Z"),
    message: "Belmont Park R2 #5 Prairie Nugget: 5 -> 7-2 in 9 min, win chance 12.7% -> 18.1%, 8 min to post",
    subject: "5",
    details: { strength: 0.31 },
    sent: false,
    sentAt: null,
    race: { ...base.race!, track: "Belmont Park", timezone: "America/New_York", raceNumber: 2 },
    runner: { entryId: 5, programNumber: "5", horse: "Prairie Nugget" },
  };
  const widest = (text: string) => Math.max(...text.split("\n").map((line) => [...line].length));
  /** The text of column `index` of a table's rows, the cells' lines joined. */
  const column = (text: string, index: number) =>
    text
      .split("\n")
      .filter((line) => line.startsWith("│"))
      .map((line) => line.split("│")[index]!.trim())
      .join(" ");

  it("list: fits the width, keeps the whole message after the race, names each time's zone", () => {
    const text = alertListTable([base, steam], { width: 100 });
    expect(widest(text)).toBeLessThanOrEqual(100);
    expect(column(text, 3)).toContain(
      "exacta 8-5 (#8 Rocket Comet over #5 Quiet Verdict) probable $12.40 vs fair $31.02 from the win pool " +
        "(-60.0%, underlay), 5 min to post",
    );
    expect(column(text, 3)).toContain("#5 Prairie Nugget: 5 -> 7-2 in 9 min");
    expect(column(text, 1)).toContain("2026-12-02 16:25:00 PST");
    expect(column(text, 1)).toContain("2026-06-01 13:42:05 EDT");
    expect(column(text, 2)).toContain("Santa Anita Park R8 exacta_underlay");
    expect(column(text, 4)).toContain("yes 16:25:02 PST");
    expect(column(text, 4)).toContain("no");
    expect(widest(alertListTable([base, steam], { width: 80 }))).toBeLessThanOrEqual(80);
  });

  it("list without a width (not a terminal): the table as it always was", () => {
    const text = alertListTable([base, steam]);
    expect(text).toContain("│ time (track local)  │ track            │ race │ type            │ subject");
    expect(text).toContain("│ 2026-12-02 16:25:00 │ Santa Anita Park │ 8    │ exacta_underlay │ 8-5");
  });

  const result: BacktestResult = {
    races: 2,
    stats: {
      winSnapshots: 384,
      exactaGrids: 384,
      candidates: 500,
      raised: 2,
      suppressed: { duplicate: 311, race_limit: 126 },
    },
    alerts: [base, steam],
  };

  it("backtest: every line fits the width, the strongest alerts whole, times zoned", () => {
    const text = backtestReport(result, { top: 5, width: 100 });
    expect(widest(text)).toBeLessThanOrEqual(100);
    expect(text.replace(/\s+/g, " ")).toContain(
      "2 race(s), 384 win snapshot(s), 384 exacta grid(s) evaluated; 2 alert(s) would have fired " +
        "(suppressed: 311 duplicate, 126 over a per-race limit).",
    );
    expect(text).toContain("steam: 1 alert(s), strongest 1:");
    expect(column(text, 1)).toContain("2026-06-01 13:42:05 EDT");
    expect(column(text, 4)).toContain("#5 Prairie Nugget: 5 -> 7-2 in 9 min, win chance 12.7% -> 18.1%");
  });

  it("backtest without a width: as it always was", () => {
    const text = backtestReport(result, { top: 5 });
    expect(text).toContain("│ time (track local)  │ race                │ subject │ strength │ message");
    expect(widest(text)).toBeGreaterThan(100);
  });
});

describe("terminalWidth", () => {
  const stream = (extra: object) => Object.assign(new PassThrough(), extra);
  it("is a terminal's columns, 100 when it does not say, none for a pipe or file", () => {
    expect(terminalWidth(stream({ isTTY: true, columns: 132 }))).toBe(132);
    expect(terminalWidth(stream({ isTTY: true }))).toBe(100);
    expect(terminalWidth(stream({ isTTY: true, columns: 0 }))).toBe(100);
    expect(terminalWidth(stream({}))).toBeUndefined();
  });
});
