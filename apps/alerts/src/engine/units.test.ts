import { describe, expect, it } from "vitest";
import { compareUnits, selectEvaluable, snapshotUnits, type EvaluationUnit } from "./units.js";

const t = (minute: number) => new Date(Date.UTC(2025, 5, 1, 12, minute));

const win = (raceId: number, minute: number, lastId: number): EvaluationUnit => ({
  kind: "win",
  raceId,
  fetchedAt: t(minute),
  lastId,
});
const exacta = (raceId: number, minute: number, lastId: number): EvaluationUnit => ({
  kind: "exacta",
  raceId,
  fetchedAt: t(minute),
  lastId,
});

describe("snapshotUnits", () => {
  // Grouping rows into whole snapshots, and the cut at a read's bound, are the database's
  // batching policy: packages/db/src/queries/evaluation/batches.int.test.ts.
  it("makes one unit of the stream's kind per whole snapshot, keeping the read's order", () => {
    const heads = [
      { raceId: 1, fetchedAt: t(0), lastId: 103 },
      { raceId: 2, fetchedAt: t(0), lastId: 105 },
    ];
    expect(snapshotUnits("exacta", heads)).toEqual([exacta(1, 0, 103), exacta(2, 0, 105)]);
    expect(snapshotUnits("win", heads)).toEqual([win(1, 0, 103), win(2, 0, 105)]);
  });
});

describe("compareUnits", () => {
  it("orders by instant, then the win board before the exacta grid of the same instant", () => {
    const units = [exacta(1, 1, 9), win(2, 1, 8), exacta(1, 0, 7), win(1, 1, 6), win(1, 0, 5)];
    expect(
      units.sort(compareUnits).map((u) => `${u.kind}${u.raceId}@${u.fetchedAt.getUTCMinutes()}`),
    ).toEqual(["win1@0", "exacta1@0", "win1@1", "win2@1", "exacta1@1"]);
  });
});

describe("selectEvaluable", () => {
  it("takes everything when nothing is pending beyond the reads", () => {
    const w = [win(1, 0, 1), win(1, 1, 2)];
    const e = [exacta(1, 0, 1), exacta(1, 1, 2)];
    expect(selectEvaluable(w, e, new Map(), new Map())).toEqual({ win: w, exacta: e });
  });

  it("holds back an exacta grid while its race's win board of that instant is still pending", () => {
    const w = [win(1, 0, 1)];
    const e = [exacta(1, 0, 1), exacta(1, 1, 2), exacta(2, 1, 3)];
    // Race 1's board at minute 1 was beyond the truncated win read.
    const selected = selectEvaluable(w, e, new Map([[1, t(1).getTime()]]), new Map());
    expect(selected.win).toEqual(w);
    // Race 2's grid is after the held one in id order: held too, so the cursor stays a prefix.
    expect(selected.exacta).toEqual([exacta(1, 0, 1)]);
  });

  it("holds back win boards after a pending exacta grid of their race, and follows deferrals across streams", () => {
    const w = [win(1, 0, 1), win(1, 1, 2), win(2, 1, 3)];
    const e = [exacta(2, 0, 1)];
    // Race 2's grid at minute 0 is read; race 1's grid at minute 0 is beyond the truncated exacta read.
    const selected = selectEvaluable(w, e, new Map(), new Map([[1, t(0).getTime()]]));
    // win1@0 comes before exacta1@0; win1@1 must wait for it, and win2@1 (after it in id order) waits too.
    expect(selected).toEqual({ win: [win(1, 0, 1)], exacta: [exacta(2, 0, 1)] });
  });

  it("a deferred win board makes the same race's later exacta grids wait", () => {
    const w = [win(1, 0, 1), win(2, 0, 2), win(1, 1, 3)];
    const e = [exacta(1, 0, 1), exacta(1, 1, 2)];
    // Race 2 has an exacta grid pending from minute -1 (beyond the truncated exacta read): win2@0 waits,
    // which defers win1@1 (after it in id order), which in turn holds exacta1@1.
    const selected = selectEvaluable(w, e, new Map(), new Map([[2, t(0).getTime() - 60_000]]));
    expect(selected).toEqual({ win: [win(1, 0, 1)], exacta: [exacta(1, 0, 1)] });
  });
});
