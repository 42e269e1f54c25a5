/**
 * Raw SQL for tests that must look at or provoke what no helper does (a column
 * as stored, a write that fails half-way), on either engine. Text is written as
 * the query modules write it (`?` placeholders; engine/types.ts).
 */
import type { Db } from "../src/client.js";
import { connectionOf } from "../src/connection.js";
import { readRaw, writeTransaction, type SqlParam } from "../src/sql.js";
import { testEngine } from "./postgres.js";

/** Rows of a query, as stored (instants in ms, booleans 0/1). */
export function queryRows<T = Record<string, unknown>>(
  db: Db,
  text: string,
  ...params: SqlParam[]
): Promise<T[]> {
  return readRaw(db, (sql) => sql.all<T>(text, ...params));
}

/** Runs one write in its own transaction; the rows it changed. */
export function runSql(db: Db, text: string, ...params: SqlParam[]): Promise<number> {
  return writeTransaction(db, (sql) => sql.run(text, ...params));
}

let triggers = 0;

/**
 * Makes every insert into `table` whose new row satisfies `condition` (an SQL expression on
 * NEW, the same text on both engines, e.g. `NEW.program_number = '3'`) fail with "injected
 * failure"; resolves to the function that removes the trigger again.
 */
export async function failInserts(db: Db, table: string, condition: string): Promise<() => Promise<void>> {
  const name = `tw_fail_${++triggers}_${process.pid}`;
  await readRaw(db, async (sql) => {
    if (sql.dialect === "sqlite") {
      await sql.run(
        `CREATE TEMP TRIGGER ${name} BEFORE INSERT ON ${table} WHEN ${condition}
         BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
      );
    } else {
      await sql.run(
        `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN IF ${condition} THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$`,
      );
      await sql.run(
        `CREATE TRIGGER ${name} BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION ${name}()`,
      );
    }
  });
  return () =>
    readRaw(db, async (sql) => {
      if (sql.dialect === "sqlite") {
        await sql.run(`DROP TRIGGER ${name}`);
      } else {
        await sql.run(`DROP TRIGGER ${name} ON ${table}`);
        await sql.run(`DROP FUNCTION ${name}()`);
      }
    });
}

/**
 * Transactions left open on the database (by a failed write, say): SQLite's one connection says
 * so itself (0 or 1); PostgreSQL's sessions on the database are listed by the server.
 */
export async function openTransactions(db: Db): Promise<number> {
  if (testEngine() === "sqlite") return db.exclusive(() => (connectionOf(db).inTransaction ? 1 : 0));
  const [row] = await queryRows<{ n: number }>(
    db,
    `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
  );
  return row!.n;
}
