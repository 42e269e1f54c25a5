/**
 * Win boards and exacta grids sent in a pipeline: a replay's snapshots are
 * sent in groups without waiting for each group's answer, so on PostgreSQL
 * the server inserts one group while this process reads and prepares the
 * next (one at a time, each waited for, the two took turns).
 *
 * Invariants:
 * - What is stored, and each snapshot's WriteResult, is exactly what
 *   recordWinSnapshot / recordExactaSnapshot called one after another in the
 *   same order would store and say: the same statements, in the same order,
 *   in one transaction.
 * - A group that would be refused (InvalidInputError, UnknownRaceError,
 *   UnknownRunnerError) is refused before any of it is sent: every snapshot
 *   is checked and its race and runners resolved first, so nothing of it is
 *   stored and the pipeline goes on.
 * - A statement the database fails fails the pipeline: nothing sent in it is
 *   stored, and the first failure in sending order is what is thrown, once
 *   everything sent has been answered. The pipeline ends only when
 *   everything sent in it is answered, before its transaction does.
 * - At most two groups are in flight: `send` returns once the group before
 *   it is answered.
 */
import type { Db } from "../client.js";
import { writeTransaction, type Sql, type SqlParam } from "../sql.js";
import { toDbTime } from "../time.js";
import {
  checkExactaSnapshot,
  EXACTA_INSERT,
  exactaSnapshotRows,
  type ExactaSnapshotInput,
} from "./exacta.js";
import { checkWinSnapshot, WIN_INSERT, winSnapshotRows, type WinSnapshotInput } from "./odds.js";
import type { WriteResult } from "./races.js";
import { scratchFromBoard } from "./scratches.js";

/** A win board or an exacta grid, as recordWinSnapshot / recordExactaSnapshot take it. */
export type SnapshotInput =
  { kind: "win"; snapshot: WinSnapshotInput } | { kind: "exacta"; snapshot: ExactaSnapshotInput };

/** A group sent: each snapshot's WriteResult, in order, once the database has answered. */
export interface SentSnapshots {
  written: Promise<WriteResult[]>;
}

export interface SnapshotPipeline {
  /**
   * Checks the group and resolves its races and runners (throwing a refusal, with nothing of it
   * sent), sends its inserts, and resolves once they are sent and the group before is answered.
   * A failure of the database is not thrown here: `written` rejects with it, and so does the
   * pipeline.
   */
  send(snapshots: readonly SnapshotInput[]): Promise<SentSnapshots>;
}

/**
 * Runs `work` as one write transaction (a savepoint inside a group commit) in which snapshots
 * can be sent through the pipeline it is given; resolves with what `work` does once everything
 * sent is answered. Throws the first failure of what was sent, else what `work` threw.
 */
export async function snapshotPipeline<T>(
  db: Db,
  work: (pipeline: SnapshotPipeline) => Promise<T>,
): Promise<T> {
  return writeTransaction(db, async (sql) => {
    const sent: Array<Promise<WriteResult[]>> = [];
    const pipeline: SnapshotPipeline = {
      async send(snapshots) {
        const counts = await sendGroup(db, sql, snapshots);
        const written = settled(counts).then((rows) => rows.map((n) => ({ changed: n > 0, rows: n })));
        // Thrown from the pipeline's end, in sending order; not unhandled meanwhile.
        written.catch(() => {});
        const before = sent.at(-1);
        sent.push(written);
        await before?.catch(() => {});
        return { written };
      },
    };
    let result: T;
    try {
      result = await work(pipeline);
    } catch (error) {
      // A statement that failed earlier is why later work failed ("current transaction is aborted").
      throw (await firstFailure(sent)) ?? error;
    }
    const failed = await firstFailure(sent);
    if (failed) throw failed;
    return result;
  });
}

interface Prepared {
  insert: string;
  rows: SqlParam[][];
  /** A win board's scratches: written before its rows. */
  scratch?: { raceId: number; programs: readonly string[] };
}

/**
 * One group's inserts sent, in order; their changed-row counts to come (a failure of the
 * database among them). Throws only refusals, before any of the group is sent.
 */
async function sendGroup(
  db: Db,
  sql: Sql,
  snapshots: readonly SnapshotInput[],
): Promise<Array<Promise<number>>> {
  for (const item of snapshots) {
    if (item.kind === "win") checkWinSnapshot(item.snapshot);
    else checkExactaSnapshot(item.snapshot);
  }
  const now = toDbTime(new Date());
  const prepared: Prepared[] = [];
  for (const item of snapshots) {
    if (item.kind === "exacta") {
      prepared.push({ insert: EXACTA_INSERT, rows: await exactaSnapshotRows(db, sql, item.snapshot, now) });
      continue;
    }
    const { raceId, rows } = await winSnapshotRows(db, sql, item.snapshot, now);
    const programs = item.snapshot.scratched ?? [];
    prepared.push({
      insert: WIN_INSERT,
      rows,
      scratch: programs.length > 0 ? { raceId, programs } : undefined,
    });
  }
  const counts: Array<Promise<number>> = [];
  for (const [i, { insert, rows, scratch }] of prepared.entries()) {
    if (!scratch) {
      counts.push(sql.runEach(insert, rows));
      continue;
    }
    try {
      // Its scratch write reads a stamp first: what was sent before it is answered first.
      await settled(counts);
      const fetchedAt = toDbTime(snapshots[i]!.snapshot.fetchedAt);
      const scratched = await scratchFromBoard(sql, scratch.raceId, scratch.programs, fetchedAt, now);
      counts.push(sql.runEach(insert, rows).then((inserted) => scratched + inserted));
    } catch (error) {
      // A failure of the database, not a refusal: the group's own, thrown from the pipeline's end
      // (never taken for a refusal by the caller). Nothing after it is sent.
      counts.push(Promise.reject(error));
      break;
    }
  }
  return counts;
}

/** Every count once all are answered, or the first failure in order once all are. */
async function settled(counts: ReadonlyArray<Promise<number>>): Promise<number[]> {
  const results = await Promise.allSettled(counts);
  const failed = results.find((result) => result.status === "rejected");
  if (failed) throw failed.reason;
  return results.map((result) => (result as PromiseFulfilledResult<number>).value);
}

/** The first failure in sending order once everything sent is answered, or undefined. */
async function firstFailure(sent: ReadonlyArray<Promise<unknown>>): Promise<unknown> {
  const results = await Promise.allSettled(sent);
  return results.find((result) => result.status === "rejected")?.reason;
}
