/**
 * Units of evaluation and the order they are evaluated in. Pure: no I/O.
 *
 * A unit is one whole snapshot: a race's win board at one instant, or its
 * exacta grid at one instant. Suppression is per race (recent alerts of the
 * race, alerts per race), so what must not depend on when the daemon happens
 * to wake up is the order of each race's units. That canonical order is
 * (fetchedAt, win before exacta); the engine, the backtest and any restart
 * all evaluate every race's units in it, so they raise the same alerts.
 */
import type { SnapshotHead } from "@totewatch/db";

export type UnitKind = "win" | "exacta";

export interface EvaluationUnit {
  kind: UnitKind;
  raceId: number;
  fetchedAt: Date;
  /** Highest row id of the unit in its table (the cursor moves to it). */
  lastId: number;
}

const KIND_RANK: Record<UnitKind, number> = { win: 0, exacta: 1 };

/** Canonical order: time, then the win board before the exacta grid of the same instant, then race. */
export function compareUnits(a: EvaluationUnit, b: EvaluationUnit): number {
  return (
    a.fetchedAt.getTime() - b.fetchedAt.getTime() ||
    KIND_RANK[a.kind] - KIND_RANK[b.kind] ||
    a.raceId - b.raceId
  );
}

/** Units of one stream from the whole snapshots the database read (@totewatch/db's batching policy). */
export function snapshotUnits(kind: UnitKind, heads: readonly SnapshotHead[]): EvaluationUnit[] {
  return heads.map((head) => ({ kind, raceId: head.raceId, fetchedAt: head.fetchedAt, lastId: head.lastId }));
}

/** Per race, the earliest instant still pending in a stream (not in this pass). */
export type PendingStarts = Map<number, number>;

/**
 * The units of a pass that can be evaluated without breaking any race's
 * canonical order: from each stream (win, exacta) a prefix in id order (so
 * its cursor can move to the prefix's end), such that no unit is evaluated
 * while a unit of the same race that comes before it (canonically) is still
 * pending in the other stream. `pendingWin` / `pendingExacta` hold, per race,
 * the earliest instant of what a truncated read left for later; they are
 * only needed when a read was truncated (otherwise pass empty maps).
 */
export function selectEvaluable(
  win: readonly EvaluationUnit[],
  exacta: readonly EvaluationUnit[],
  pendingWin: ReadonlyMap<number, number>,
  pendingExacta: ReadonlyMap<number, number>,
): { win: EvaluationUnit[]; exacta: EvaluationUnit[] } {
  const waitingWin = new Map(pendingWin);
  const waitingExacta = new Map(pendingExacta);
  const note = (map: Map<number, number>, unit: EvaluationUnit) => {
    const at = unit.fetchedAt.getTime();
    const known = map.get(unit.raceId);
    if (known === undefined || at < known) map.set(unit.raceId, at);
  };
  let winEnd = win.length;
  let exactaEnd = exacta.length;
  // Deferring a unit can make units of the other stream wait too; repeat until nothing changes.
  for (;;) {
    // A win board at t waits for a pending exacta grid of its race from before t.
    const nextWinEnd = win.findIndex((unit, i) => {
      if (i >= winEnd) return true;
      const exactaAt = waitingExacta.get(unit.raceId);
      return exactaAt !== undefined && exactaAt < unit.fetchedAt.getTime();
    });
    // An exacta grid at t waits for a pending win board of its race from t or before.
    const nextExactaEnd = exacta.findIndex((unit, i) => {
      if (i >= exactaEnd) return true;
      const winAt = waitingWin.get(unit.raceId);
      return winAt !== undefined && winAt <= unit.fetchedAt.getTime();
    });
    const w = nextWinEnd === -1 ? win.length : nextWinEnd;
    const e = nextExactaEnd === -1 ? exacta.length : nextExactaEnd;
    if (w === winEnd && e === exactaEnd) break;
    for (const unit of win.slice(w, winEnd)) note(waitingWin, unit);
    for (const unit of exacta.slice(e, exactaEnd)) note(waitingExacta, unit);
    winEnd = w;
    exactaEnd = e;
  }
  return { win: win.slice(0, winEnd), exacta: exacta.slice(0, exactaEnd) };
}
