/**
 * The alerts engine's batching policy, in one place: which snapshots the
 * next evaluation pass reads. The engine only passes its high-water marks
 * (and, in tests, smaller bounds).
 *
 * Why here, beside the SQL: a snapshot is stored as rows sharing (race,
 * fetched_at) with ids after the mark, and only the query sees where one
 * ends. So the bounds, the cut (a snapshot the row bound splits is left
 * whole for the next pass), the growth (a single snapshot bigger than the
 * bound makes the read grow until it fits) and what is left pending are
 * decided together, the same way for win boards and exacta grids. The bounds
 * exist because a pass holds the write lock while it evaluates: ingest must
 * never wait long. The reads run on the pass's async `Sql` session, in text
 * both engines read.
 */
import type { OddsSnapshot } from "../../generated/prisma/client.js";
import { InvalidInputError } from "../../errors.js";
import type { Sql, SqlRow } from "../../sql.js";
import { fromDbTime, type DbTime } from "../../time.js";

/** How much one pass reads. */
export interface PassLimits {
  /** Win odds rows (default 20000). */
  maxWinRows: number;
  /** Exacta grids (default 500)... */
  maxExactaGrids: number;
  /** ...read from at most this many exacta rows (default 100000). */
  maxExactaRows: number;
}

export const DEFAULT_PASS_LIMITS: PassLimits = {
  maxWinRows: 20_000,
  maxExactaGrids: 500,
  maxExactaRows: 100_000,
};

/** One whole stored snapshot: a race's win board, or its exacta grid, at one instant. */
export type SnapshotHead = Pick<OddsSnapshot, "raceId" | "fetchedAt"> & {
  /** Highest row id of the snapshot after the mark (the mark moves to it once evaluated). */
  lastId: number;
};

export interface SnapshotBatch {
  /** Whole snapshots after the mark, by their last id. */
  heads: SnapshotHead[];
  /** More rows follow the batch... */
  truncated: boolean;
  /** ...and then, per race, the earliest instant they hold (empty when not truncated). */
  pending: Map<number, Date>;
}

/** High-water marks of the two streams: the last row id evaluated in each table. */
export interface StreamMarks {
  win: number;
  exacta: number;
}

const STREAMS = {
  win: { table: "odds_snapshot", id: "snapshot_id" },
  exacta: { table: "exacta_probable", id: "exacta_id" },
} as const;

type Stream = keyof typeof STREAMS;

/** The next pass's snapshots of both streams. */
export async function nextBatch(
  sql: Sql,
  marks: StreamMarks,
  limits: Partial<PassLimits> = {},
): Promise<{ win: SnapshotBatch; exacta: SnapshotBatch }> {
  const bound = (name: keyof PassLimits) => {
    const value = limits[name] ?? DEFAULT_PASS_LIMITS[name];
    if (!Number.isInteger(value) || value < 1) {
      throw new InvalidInputError(`evaluation pass: ${name} must be a whole number >= 1, got ${value}`);
    }
    return value;
  };
  // Every bound is checked before either stream is read.
  const maxWinRows = bound("maxWinRows");
  const maxExactaRows = bound("maxExactaRows");
  const maxExactaGrids = bound("maxExactaGrids");
  return {
    win: await snapshotsAfter(sql, "win", marks.win, maxWinRows, Number.POSITIVE_INFINITY),
    exacta: await snapshotsAfter(sql, "exacta", marks.exacta, maxExactaRows, maxExactaGrids),
  };
}

async function snapshotsAfter(
  sql: Sql,
  stream: Stream,
  afterId: number,
  maxRows: number,
  maxSnapshots: number,
): Promise<SnapshotBatch> {
  const { table, id } = STREAMS[stream];
  // Grouped over an id range (the primary key), never over the whole table.
  const read = (rows: number) =>
    sql.all<SqlRow<SnapshotHead> & { n: number }>(
      `SELECT race_id AS "raceId", fetched_at AS "fetchedAt", max(${id}) AS "lastId", count(*) AS n FROM (
         SELECT race_id, fetched_at, ${id} FROM ${table} WHERE ${id} > ? ORDER BY ${id} LIMIT ?) AS s
       GROUP BY race_id, fetched_at ORDER BY "lastId"`,
      afterId,
      rows,
    );
  let rows = maxRows;
  let groups = await read(rows);
  // The read filled its bound: the snapshot of its last row may go on after it.
  let cut = groups.reduce((sum, group) => sum + group.n, 0) >= rows;
  // One snapshot bigger than the bound: read more until it fits.
  while (cut && groups.length === 1) {
    rows *= 2;
    groups = await read(rows);
    cut = groups.reduce((sum, group) => sum + group.n, 0) >= rows;
  }
  if (cut) groups.pop();
  const truncated = cut || groups.length > maxSnapshots;
  const heads = groups
    .slice(0, maxSnapshots)
    .map(({ raceId, fetchedAt, lastId }) => ({ raceId, fetchedAt: fromDbTime(fetchedAt), lastId }));
  const lastId = heads.at(-1)?.lastId ?? afterId;
  return { heads, truncated, pending: truncated ? await pendingStarts(sql, stream, lastId) : new Map() };
}

/** Per race, the earliest fetched_at of the rows after the mark (what is still pending there). */
async function pendingStarts(sql: Sql, stream: Stream, afterId: number): Promise<Map<number, Date>> {
  const { table, id } = STREAMS[stream];
  // NOT INDEXED: a range scan of the primary key (PostgreSQL's engine drops the hint, engine/pg-text.ts).
  // By race, so the map's order is the same on both engines.
  const rows = await sql.all<{ raceId: number; first: DbTime }>(
    `SELECT race_id AS "raceId", min(fetched_at) AS first FROM ${table} NOT INDEXED WHERE ${id} > ? GROUP BY race_id ORDER BY race_id`,
    afterId,
  );
  return new Map(rows.map((row) => [row.raceId, fromDbTime(row.first)]));
}
