import { describe, expect, it } from "vitest";
import { mergeByTime } from "./merge.js";
import { HorseNamer } from "./names.js";
import { Random } from "./random.js";
import { cumulativeMoneyShare, SNAPSHOT_OFFSETS_MS } from "./schedule.js";
import { isoInZone, isoUtc, zoneOffsetMinutes } from "./zone.js";

describe("Random", () => {
  it("repeats a stream for the same seed parts and differs for other parts", () => {
    const draw = (...parts: number[]) => {
      const random = new Random(...parts);
      return Array.from({ length: 8 }, () => random.next());
    };
    expect(draw(1, 2, 3)).toEqual(draw(1, 2, 3));
    expect(draw(1, 2, 3)).not.toEqual(draw(1, 2, 4));
    expect(draw(1, 2, 3)).not.toEqual(draw(1, 3, 2));
    expect(draw(1)).not.toEqual(draw(2));
  });

  it("stays in range and is roughly uniform and normal", () => {
    const random = new Random(99);
    const n = 20_000;
    let sum = 0;
    let sumSquares = 0;
    const counts = [0, 0, 0, 0, 0, 0];
    for (let i = 0; i < n; i++) {
      const u = random.next();
      if (u < 0 || u >= 1) throw new Error(`next() out of range: ${u}`);
      counts[random.int(0, 5)]!++;
      const z = random.normal();
      sum += z;
      sumSquares += z * z;
    }
    for (const count of counts) expect(count / n).toBeCloseTo(1 / 6, 1);
    expect(sum / n).toBeCloseTo(0, 1);
    expect(sumSquares / n).toBeCloseTo(1, 1);
  });

  it("shuffles into a permutation and refuses to pick from nothing", () => {
    const random = new Random(5);
    const items = [1, 2, 3, 4, 5, 6, 7, 8];
    expect([...random.shuffled(items)].sort((a, b) => a - b)).toEqual(items);
    expect(() => random.pick([])).toThrow(/no items/);
  });
});

describe("HorseNamer", () => {
  it("never repeats a name, even past the word combinations", () => {
    const namer = new HorseNamer(new Random(3));
    const names = Array.from({ length: 6000 }, () => namer.next());
    expect(new Set(names).size).toBe(names.length);
  });
});

describe("mergeByTime", () => {
  it("merges sorted streams by time, ties in stream order", () => {
    const a = [
      { t: 1, id: "a1" },
      { t: 5, id: "a5" },
      { t: 5, id: "a5b" },
    ];
    const b = [
      { t: 0, id: "b0" },
      { t: 5, id: "b5" },
      { t: 9, id: "b9" },
    ];
    const c: typeof a = [];
    const merged = [...mergeByTime([a, b, c], (x) => x.t)].map((x) => x.id);
    expect(merged).toEqual(["b0", "a1", "a5", "a5b", "b5", "b9"]);
  });
});

describe("schedule", () => {
  it("polls every 5 min from 60 out, every minute inside 10, every 20 s inside 2", () => {
    const minutes = SNAPSHOT_OFFSETS_MS.map((ms) => ms / 60_000);
    expect(minutes).toEqual([
      60,
      55,
      50,
      45,
      40,
      35,
      30,
      25,
      20,
      15,
      10,
      9,
      8,
      7,
      6,
      5,
      4,
      3,
      2,
      5 / 3,
      4 / 3,
      1,
      2 / 3,
      1 / 3,
    ]);
  });

  it("brings money in faster near post", () => {
    expect(cumulativeMoneyShare(61 * 60_000)).toBe(0);
    expect(cumulativeMoneyShare(0)).toBeCloseTo(1, 12);
    const firstHalfHour = cumulativeMoneyShare(30 * 60_000) - cumulativeMoneyShare(60 * 60_000);
    const lastTenMinutes = cumulativeMoneyShare(0) - cumulativeMoneyShare(10 * 60_000);
    expect(lastTenMinutes).toBeGreaterThan(firstHalfHour);
  });
});

describe("zone", () => {
  it("writes instants with the zone's offset, across DST and for zones without DST", () => {
    const summer = Date.UTC(2025, 8, 12, 22, 42, 0);
    const winter = Date.UTC(2025, 11, 12, 23, 42, 0);
    expect(isoInZone(summer, "America/New_York")).toBe("2025-09-12T18:42:00-04:00");
    expect(isoInZone(winter, "America/New_York")).toBe("2025-12-12T18:42:00-05:00");
    expect(isoInZone(summer, "America/Phoenix")).toBe("2025-09-12T15:42:00-07:00");
    expect(isoInZone(summer, "Asia/Kolkata")).toBe("2025-09-13T04:12:00+05:30");
    expect(isoInZone(winter, "UTC")).toBe("2025-12-12T23:42:00+00:00");
    expect(zoneOffsetMinutes(summer, "America/Los_Angeles")).toBe(-420);
  });

  it("refuses an offset that is not whole minutes (local mean time) and an unknown zone", () => {
    // New York kept local mean time, -4:56:02, until 1883.
    expect(() => isoInZone(Date.UTC(1870, 0, 1), "America/New_York")).toThrow(
      /America\/New_York.*whole minute/,
    );
    expect(() => zoneOffsetMinutes(Date.UTC(2025, 0, 1), "Mars/Olympus")).toThrow(/Mars\/Olympus/);
  });

  it("writes UTC instants with Z and milliseconds only when present", () => {
    expect(isoUtc(Date.UTC(2025, 8, 12, 22, 30))).toBe("2025-09-12T22:30:00Z");
    expect(isoUtc(Date.UTC(2025, 8, 12, 22, 30, 0, 250))).toBe("2025-09-12T22:30:00.250Z");
  });
});
