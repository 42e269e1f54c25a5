import { closedAfterEach, freshTestDatabaseUrl, quietLogger } from "@totewatch/test-utils";
import { describe, expect, it } from "vitest";
import type { RaceStatus } from "@totewatch/tote";
import {
  applyRaceCard,
  listAlerts,
  recordWinSnapshot,
  setRaceStatus,
  type Db,
  type RaceKey,
  type StoredAlert,
} from "@totewatch/db";
import { processPending } from "../engine/process.js";
import { TEST_CONFIG_YAML, testConfig } from "../../test/engine.js";
import { calendarDatesBetween, runBacktest } from "./backtest.js";

const logger = quietLogger();
// Threshold crossings only (odds_below 2, odds_above 6): one expected alert per scripted move.
const config = testConfig(TEST_CONFIG_YAML.replace("steam: { enabled: true", "steam: { enabled: false"));
const client = closedAfterEach();

/**
 * A race with runners #1..#3 and boards at the given instants (program number -> odds);
 * post time as given, status moved on when given.
 */
async function writeRace(
  db: Db,
  race: RaceKey & { timezone: string; postTime: Date; status?: RaceStatus },
  boards: Record<string, Record<string, number>>,
): Promise<void> {
  const key = { track: race.track, raceDate: race.raceDate, raceNumber: race.raceNumber };
  await applyRaceCard(db, {
    ...key,
    timezone: race.timezone,
    postTime: race.postTime,
    entries: ["Alpha", "Bravo", "Charlie"].map((horse, i) => ({ programNumber: String(i + 1), horse })),
  });
  for (const [fetchedAt, odds] of Object.entries(boards)) {
    await recordWinSnapshot(db, {
      ...key,
      fetchedAt: new Date(fetchedAt),
      totalWinPool: 50_000,
      runners: Object.entries(odds).map(([programNumber, winOdds]) => ({ programNumber, winOdds })),
    });
  }
  if (race.status) await setRaceStatus(db, key, race.status);
}

/** "Track date R1 type subject" for compact assertions. */
function describeBacktest(alert: StoredAlert): string {
  return `${alert.race?.track} ${alert.race?.raceDate} R${alert.race?.raceNumber} ${alert.alertType} ${alert.subject}`;
}

describe("runBacktest over race dates", () => {
  it("takes every race dated that day on its own track's calendar, late west-coast races included", async () => {
    const db = client(await freshTestDatabaseUrl("backtest-dates"));
    // Testville (UTC) R1 on 2025-06-01 at noon: #1 crosses under 2-1 at 11:50.
    await writeRace(
      db,
      {
        track: "Testville",
        timezone: "UTC",
        raceDate: "2025-06-01",
        raceNumber: 1,
        postTime: new Date("2025-06-01T12:00:00Z"),
      },
      {
        "2025-06-01T11:45:00Z": { 1: 2.5, 2: 3, 3: 4 },
        "2025-06-01T11:50:00Z": { 1: 1.8, 2: 3, 3: 4 },
      },
    );
    // Santa Anita R9 on 2025-06-01 runs at 17:30 Pacific, 00:30 UTC on June 2: #2 drifts past 6-1.
    await writeRace(
      db,
      {
        track: "Santa Anita",
        timezone: "America/Los_Angeles",
        raceDate: "2025-06-01",
        raceNumber: 9,
        postTime: new Date("2025-06-02T00:30:00Z"),
      },
      {
        "2025-06-02T00:20:00Z": { 1: 2.5, 2: 5, 3: 4 },
        "2025-06-02T00:25:00Z": { 1: 2.5, 2: 7, 3: 4 },
      },
    );
    // Testville R1 on 2025-06-02 runs at the same instants but belongs to the next race day.
    await writeRace(
      db,
      {
        track: "Testville",
        timezone: "UTC",
        raceDate: "2025-06-02",
        raceNumber: 1,
        postTime: new Date("2025-06-02T00:30:00Z"),
      },
      {
        "2025-06-02T00:20:00Z": { 1: 2.5, 2: 3, 3: 4 },
        "2025-06-02T00:25:00Z": { 1: 1.5, 2: 3, 3: 4 },
      },
    );
    await processPending(db, config, { logger, channels: ["console"] });
    // What the daemon stored for the day: stored and backtest alerts share one shape.
    const stored = (await listAlerts(db, { raceDate: "2025-06-01", limit: 100 })).map(describeBacktest);
    expect(stored).toHaveLength(2);

    const day = await runBacktest(db, config, { raceDates: { from: "2025-06-01", to: "2025-06-01" } });
    expect(day.alerts.map(describeBacktest)).toEqual([
      "Testville 2025-06-01 R1 odds_below 1",
      "Santa Anita 2025-06-01 R9 odds_above 2",
    ]);
    expect(day.alerts.map(describeBacktest).sort()).toEqual([...stored].sort());
    expect(day.races).toBe(2);

    // The UTC day as instants misses the Santa Anita race (it ran after midnight UTC).
    const utcDay = await runBacktest(db, config, {
      from: new Date("2025-06-01T00:00:00Z"),
      to: new Date("2025-06-01T23:59:59.999Z"),
    });
    expect(utcDay.alerts.map(describeBacktest)).toEqual(["Testville 2025-06-01 R1 odds_below 1"]);

    const santaAnita = await runBacktest(db, config, {
      raceDates: { from: "2025-06-01", to: "2025-06-02" },
      track: "Santa Anita",
    });
    expect(santaAnita.alerts.map(describeBacktest)).toEqual(["Santa Anita 2025-06-01 R9 odds_above 2"]);
    const both = await runBacktest(db, config, { raceDates: { from: "2025-06-01", to: "2025-06-02" } });
    expect(both.alerts).toHaveLength(3);
  });

  it("skips a cancelled race; a race that went off has its boards after the off judged only as late changes", async () => {
    const db = client(await freshTestDatabaseUrl("backtest-status"));
    const race = {
      track: "Testville",
      timezone: "UTC",
      raceDate: "2025-06-01",
      postTime: new Date("2025-06-01T12:00:00Z"),
    };
    // Both moves alert on an open race: #1 under 2-1 before post, #2 over 6-1 after it. Races 3 and 4
    // went off with no off time stored, so post time stands in for it: #2's 3-1 -> 7-1 at 12:03 is a
    // late change (decimal 4 -> 8, +100% >= 20%), not an odds_above.
    const boards = {
      "2025-06-01T11:50:00Z": { 1: 2.5, 2: 3, 3: 4 },
      "2025-06-01T11:55:00Z": { 1: 1.8, 2: 3, 3: 4 },
      "2025-06-01T12:03:00Z": { 1: 1.8, 2: 7, 3: 4 },
    };
    await writeRace(db, { ...race, raceNumber: 1 }, boards);
    await writeRace(db, { ...race, raceNumber: 2, status: "cancelled" }, boards);
    await writeRace(db, { ...race, raceNumber: 3, status: "off" }, boards);
    await writeRace(db, { ...race, raceNumber: 4, status: "official" }, boards);

    const result = await runBacktest(db, config, { raceDates: { from: "2025-06-01", to: "2025-06-01" } });
    expect(result.alerts.map(describeBacktest)).toEqual([
      "Testville 2025-06-01 R1 odds_below 1",
      "Testville 2025-06-01 R1 odds_above 2",
      "Testville 2025-06-01 R3 odds_below 1",
      "Testville 2025-06-01 R3 late_change 2",
      "Testville 2025-06-01 R4 odds_below 1",
      "Testville 2025-06-01 R4 late_change 2",
    ]);
  });
});

describe("calendarDatesBetween", () => {
  it("lists each day once, across month ends and DST changes", () => {
    expect(calendarDatesBetween("2025-03-08", "2025-03-10")).toEqual([
      "2025-03-08",
      "2025-03-09",
      "2025-03-10",
    ]);
    expect(calendarDatesBetween("2024-02-28", "2024-03-01")).toEqual([
      "2024-02-28",
      "2024-02-29",
      "2024-03-01",
    ]);
    expect(calendarDatesBetween("2025-06-01", "2025-06-01")).toEqual(["2025-06-01"]);
  });

  it("names a bad or reversed date", () => {
    expect(() => calendarDatesBetween("2025-02-30", "2025-03-01")).toThrow(/from "2025-02-30"/);
    expect(() => calendarDatesBetween("2025-06-02", "2025-06-01")).toThrow(/after to/);
  });
});
