import { exactaValueGrid } from "@totewatch/tote";
import { describe, expect, it } from "vitest";
import { at, exactaBoard, race, settings, toteBoard, winBoard } from "../../test/rules.js";
import { crossPoolAlerts } from "./exacta-rules.js";
import type { ExactaSnapshot, WinSnapshot } from "./types.js";

/**
 * The cross-pool rule and @totewatch/tote's exactaValueGrid (what a dashboard shows) price from
 * the same pieces: with thresholds of 0 every priced probable is an alert, and each alert's fair
 * price and percent are its grid cell's, to the bit.
 */
describe("crossPoolAlerts and exactaValueGrid", () => {
  const everything = settings({
    crossPool: {
      enabled: true,
      overlayPercent: 0,
      underlayPercent: 0,
      exactaTakeout: 0.18,
      withinMinutesToPost: 10,
      maxWinAgeSeconds: 120,
    },
  });

  function agree(win: WinSnapshot, exacta: ExactaSnapshot): void {
    const alerts = crossPoolAlerts(race(), win, exacta, everything);
    const grid = exactaValueGrid(win.runners, exacta.probables, { takeout: 0.18 });
    const priced = grid.cells.filter((cell) => cell.percent !== null);
    expect(priced.length).toBeGreaterThanOrEqual(5); // 1-2, 2-1, 3-2, 3-1, 4-1 (2-3 $0 and 1-5 are none)
    expect(alerts.map((alert) => alert.subject).sort()).toEqual(
      priced.map((cell) => `${cell.first}-${cell.second}`).sort(),
    );
    for (const alert of alerts) {
      const cell = priced.find((each) => `${each.first}-${each.second}` === alert.subject)!;
      expect(alert.details.after).toBe(cell.payout);
      expect(alert.details.fair).toBe(cell.fair);
      expect(alert.actualValue).toBe(cell.percent);
      expect(alert.details.probabilitySource).toBe(grid.source);
    }
  }

  const grid = exactaBoard(at("11:55"), {
    "1A-2": 30,
    "1-2": 6,
    "2-1": 7.1,
    "3-2": 40,
    "3-1A": 11.5,
    "1-1A": 4,
    "2-3": 0,
    "4-1": 3,
    "1-5": 9,
  });

  it("agree on a board priced from the odds, the entry listed by member", () => {
    agree(winBoard(at("11:54"), { "1": 1, "1A": 1, "2": 2.5, "3": 3, "4": 7 }), grid);
  });

  it("agree on a board priced from the pool", () => {
    agree(toteBoard(at("11:54"), { "1": 30_000, "1A": 30_000, "2": 20_000, "3": 10_000, "4": 4_000 }), grid);
  });
});
