import { describe, expect, it } from "vitest";
import type { WinOddsRow } from "@totewatch/db";
import { compareUnits, groupWinRows, selectEvaluable, type EvaluationUnit } from "./units.js";

const t = (minute: number) => new Date(Date.UTC(2025, 5, 1, 12, minute));

function rows(spec: Array<[raceId: number, minute: number, runners: number]>): WinOddsRow[] {
  let id = 100;
  return spec.flatMap(([raceId, minute, runners]) =>
    Array.from({ length: runners }, (_, i) => ({
      snapshotId: ++id,
      raceId,
      entryId: raceId * 10 + i,
      fetchedAt: t(minute),
      winOdds: 3,
      winPoolAmount: null,
      totalWinPool: null,
    })),
  );
}

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

describe("groupWinRows", () => {
  it("groups rows into whole snapshots by race and instant, in id order", () => {
    const batch = groupWinRows(
      rows([
        [1, 0, 3],
        [2, 0, 2],
        [1, 1, 3],
      ]),
      100,
    );
    expect(batch.truncated).toBe(false);
    expect(batch.units.map((u) => [u.raceId, u.fetchedAt.getUTCMinutes(), u.lastId])).toEqual([
      [1, 0, 103],
      [2, 0, 105],
      [1, 1, 108],
    ]);
  });

  it("drops the last snapshot when the read hit its limit (it may be cut mid-way)", () => {
    const all = rows([
      [1, 0, 3],
      [1, 1, 3],
    ]);
    const batch = groupWinRows(all.slice(0, 5), 5);
    expect(batch.truncated).toBe(true);
    expect(batch.units.map((u) => u.lastId)).toEqual([103]);
    // Exactly at the limit with a whole snapshot last: still dropped (the next row might belong to it).
    expect(groupWinRows(all.slice(0, 3), 3).units).toEqual([]);
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
