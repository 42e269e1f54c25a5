import { describe, expect, it } from "vitest";
import { formatKeyPath } from "./key-path.js";

describe("formatKeyPath", () => {
  it("joins identifiers with dots and indexes with brackets", () => {
    expect(formatKeyPath(["tracks", 0, "endpoints", "win"])).toBe("tracks[0].endpoints.win");
    expect(formatKeyPath([2, "win_odds"])).toBe("[2].win_odds");
    expect(formatKeyPath([])).toBe("");
  });

  it("quotes keys that are not identifiers", () => {
    expect(formatKeyPath(["probables", "1-2"])).toBe('probables["1-2"]');
    expect(formatKeyPath(["alerts", "trackOverrides", "Belmont Park", "steam"])).toBe(
      'alerts.trackOverrides["Belmont Park"].steam',
    );
    expect(formatKeyPath([Symbol("x")])).toBe('["Symbol(x)"]');
  });
});
