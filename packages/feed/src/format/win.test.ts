// Win boards (win.ts): "SCR" picked out as a scratch, null left as no odds now.
import { describe, expect, it } from "vitest";
import { formatFeedError, parseFeedMessage } from "../index.js";

const at = { source: "day.jsonl", line: 3 };
const win = (horses: unknown[], extra: object = {}) => ({
  kind: "win",
  track: "Belmont Park",
  date: "2025-09-12",
  race: 5,
  fetched_at: "2025-09-12T22:30:00Z",
  horses,
  ...extra,
});

function snapshotOf(raw: unknown) {
  const result = parseFeedMessage(raw, at);
  if (!result.ok) throw new Error(formatFeedError(result.error));
  if (result.message.kind !== "win") throw new Error("expected win");
  return result.message.snapshot;
}

describe("parseFeedMessage: scratches on a win board", () => {
  it('carries "SCR" and "SCRATCHED" (any case, spaces trimmed) as scratches, with no odds row', () => {
    const snapshot = snapshotOf(
      win([
        { program_number: "1", win_odds: "5-2", win_pool_amount: 2500 },
        { program_number: "2", win_odds: "SCR" },
        { program_number: "3", win_odds: " scratched " },
        { program_number: "4", win_odds: "Scr" },
      ]),
    );
    expect(snapshot.runners).toEqual([{ programNumber: "1", winOdds: 2.5, winPoolAmount: 2500 }]);
    expect(snapshot.scratched).toEqual(["2", "3", "4"]);
    expect(snapshot.fetchedAt).toEqual(new Date("2025-09-12T22:30:00Z"));
  });

  it("does not take null (no odds now) for a scratch: neither a row nor a scratch", () => {
    const snapshot = snapshotOf(
      win([
        { program_number: "1", win_odds: null },
        { program_number: "2", win_odds: "3-1" },
      ]),
    );
    expect(snapshot.runners).toEqual([{ programNumber: "2", winOdds: 3, winPoolAmount: null }]);
    expect(snapshot.scratched).toEqual([]);
  });

  it("reads a scratch the same on a decimal board", () => {
    const snapshot = snapshotOf(
      win(
        [
          { program_number: "1", win_odds: 3.5 }, // 3.5 - 1 = 2.5
          { program_number: "2", win_odds: "SCR" },
          { program_number: "3", win_odds: null },
        ],
        { odds_format: "decimal" },
      ),
    );
    expect(snapshot.runners).toEqual([{ programNumber: "1", winOdds: 2.5, winPoolAmount: null }]);
    expect(snapshot.scratched).toEqual(["2"]);
  });

  it("scratches a member of a coupled entry alone, without comparing it with its mate", () => {
    const snapshot = snapshotOf(
      win([
        { program_number: "1", win_odds: "5-2", win_pool_amount: 3000 },
        { program_number: "1A", win_odds: "SCR", win_pool_amount: 0 },
      ]),
    );
    expect(snapshot.runners.map((r) => r.programNumber)).toEqual(["1"]);
    expect(snapshot.scratched).toEqual(["1A"]);
  });

  it("still refuses blank odds text and a program number listed twice", () => {
    const reason = (raw: unknown) => {
      const result = parseFeedMessage(raw, at);
      if (result.ok) throw new Error("expected an invalid message");
      return result.error.reason;
    };
    expect(reason(win([{ program_number: "1", win_odds: "  " }]))).toMatch(
      /^horses\[0\]\.win_odds: odds text is empty/,
    );
    expect(
      reason(
        win([
          { program_number: "2", win_odds: "SCR" },
          { program_number: "2", win_odds: "SCR" },
        ]),
      ),
    ).toBe('horses[1].program_number: "2" is listed twice');
  });
});
