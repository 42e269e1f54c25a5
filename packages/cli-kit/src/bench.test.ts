import { describe, expect, it } from "vitest";
import { benchLine, meetsTarget } from "./bench.js";

describe("benchLine", () => {
  it("is `name: value` for a figure without a target", () => {
    expect(benchLine("replay_rows", 123_456)).toBe("replay_rows: 123456");
  });

  it("adds the target and ok when the value meets it", () => {
    expect(benchLine("replay_ratio_vs_raw", "0.57", { op: ">=", value: 0.5 })).toBe(
      "replay_ratio_vs_raw: 0.57 (target >= 0.5) ok",
    );
    expect(benchLine("day_wall_s", "9.6", { op: "<=", value: 60 })).toBe("day_wall_s: 9.6 (target <= 60) ok");
    expect(benchLine("alert_latency_ms_p99", 1000, { op: "<=", value: 1000 })).toBe(
      "alert_latency_ms_p99: 1000 (target <= 1000) ok",
    );
  });

  it("adds FAIL when it does not", () => {
    expect(benchLine("write_ratio_vs_raw", "0.42", { op: ">=", value: 0.5 })).toBe(
      "write_ratio_vs_raw: 0.42 (target >= 0.5) FAIL",
    );
    expect(benchLine("day_peak_rss_mb", 301, { op: "<=", value: 300 })).toBe(
      "day_peak_rss_mb: 301 (target <= 300) FAIL",
    );
  });

  it("keeps the `name: value` start that scripts read", () => {
    const line = benchLine("latest_odds_growth", "1.19", { op: "<=", value: 2 });
    expect(/^(\w+): (\S+)/.exec(line)?.slice(1)).toEqual(["latest_odds_growth", "1.19"]);
  });
});

describe("meetsTarget", () => {
  it("fails a value that is not a number", () => {
    expect(meetsTarget(Number.NaN, { op: "<=", value: 1000 })).toBe(false);
    expect(meetsTarget("NaN", { op: ">=", value: 0 })).toBe(false);
    expect(meetsTarget("", { op: ">=", value: 0 })).toBe(false);
  });
});
