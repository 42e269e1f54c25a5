import { captureLogs, createTestDb } from "@totewatch/test-utils";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_RETENTION_HOUR, nextRetentionAt, RetentionSchedule } from "./retention.js";

const CHICAGO = "America/Chicago";
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe("nextRetentionAt", () => {
  it("is the next 04:00 on the local clock, strictly after now (never the start itself)", () => {
    expect(DEFAULT_RETENTION_HOUR).toBe(4);
    // 07:00 CDT (UTC-5) on the 12th: 04:00 has passed, so 04:00 CDT on the 13th = 09:00Z.
    expect(iso(nextRetentionAt(at("2025-09-12T12:00:00Z"), 4, CHICAGO))).toBe("2025-09-13T09:00:00.000Z");
    // 03:59 CDT: today's 04:00, a minute away.
    expect(iso(nextRetentionAt(at("2025-09-13T08:59:00Z"), 4, CHICAGO))).toBe("2025-09-13T09:00:00.000Z");
    // Exactly 04:00: the next day's (a run at start is never scheduled).
    expect(iso(nextRetentionAt(at("2025-09-13T09:00:00Z"), 4, CHICAGO))).toBe("2025-09-14T09:00:00.000Z");
  });

  it("follows the local clock across daylight saving time", () => {
    // Fall back on 2025-11-02: 04:00 CST is 10:00Z, 25 h after 04:00 CDT (09:00Z) the day before.
    expect(iso(nextRetentionAt(at("2025-11-01T09:00:00Z"), 4, CHICAGO))).toBe("2025-11-02T10:00:00.000Z");
    // Spring forward on 2025-03-09: 02:00 does not exist; the run is when the clock jumps (03:00 CDT = 08:00Z).
    expect(iso(nextRetentionAt(at("2025-03-09T06:00:00Z"), 2, CHICAGO))).toBe("2025-03-09T08:00:00.000Z");
  });

  it("reads the hour in the zone given (UTC: 04:00Z)", () => {
    expect(iso(nextRetentionAt(at("2025-09-12T12:00:00Z"), 4, "UTC"))).toBe("2025-09-13T04:00:00.000Z");
    expect(iso(nextRetentionAt(at("2025-09-12T12:00:00Z"), 0, "UTC"))).toBe("2025-09-13T00:00:00.000Z");
    expect(iso(nextRetentionAt(at("2025-09-12T12:00:00Z"), 23, "UTC"))).toBe("2025-09-12T23:00:00.000Z");
  });

  it("refuses an hour outside 0..23", () => {
    for (const hour of [-1, 24, 4.5]) expect(() => nextRetentionAt(0, hour, "UTC")).toThrow(/0\.\.23/);
  });
});

describe("RetentionSchedule", () => {
  it("logs a run skipped on a locked database as one line, without a stack trace", async () => {
    const locked = Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" });
    const db = createTestDb("retention-locked");
    afterAll(() => db.close());
    let now = at("2025-09-12T12:00:00Z");
    const logs = captureLogs();
    const retention = new RetentionSchedule({
      db,
      policy: { oddsDays: 30, alertsDays: 90, batchSize: 5000, hourOfDay: 4 },
      clock: { now: () => now },
      logger: logs.logger,
      timeZone: "UTC",
      enabled: true,
      // The prune finds the file locked by another process past the busy timeout.
      prune: () => Promise.reject(locked),
    });
    now = retention.dueAt;
    await retention.runIfDue();
    expect(logs.records).toHaveLength(1);
    expect(logs.records[0]).toMatchObject({
      level: 40,
      error: "database is locked",
      next: "2025-09-14T04:00:00.000Z",
      msg: "retention skipped: the database is locked by another process; will try again at 2025-09-14T04:00:00.000Z",
    });
    expect(logs.records[0]).not.toHaveProperty("err");
    expect(JSON.stringify(logs.records)).not.toContain(locked.stack!.split("\n")[1]!.trim());
  });
});
