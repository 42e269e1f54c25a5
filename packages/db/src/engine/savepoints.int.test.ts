/**
 * A write nested in a PostgreSQL write transaction is a savepoint sent pipelined, ahead of the
 * nested work's first statement (engine/postgres.ts nested()): it costs no round trip of its own,
 * and it still rolls back alone. Only in the postgres project.
 */
import { describe, expect, it } from "vitest";
import type pg from "pg";
import { freshPostgresDatabase, testEngine } from "../../testing/index.js";
import { postgresEngine, WRITE_LOCK } from "./postgres.js";
import type { Sql } from "./types.js";

const onPostgres = testEngine() === "postgres";

const insert = (sql: Sql, name: string) =>
  sql.run(`INSERT INTO cursor (name, position, updated_at) VALUES (?, 1, 0)`, name);
const names = (sql: Sql) =>
  sql
    .all<{ name: string }>(`SELECT name FROM cursor ORDER BY name`)
    .then((rows) => rows.map((row) => row.name));

/** Each query a pooled client is given, with how many of that client's queries were unanswered then. */
function watchQueries(pool: pg.Pool): Array<{ text: string; unanswered: number }> {
  const seen: Array<{ text: string; unanswered: number }> = [];
  pool.on("connect", (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
    let unanswered = 0;
    (client as unknown as { query: typeof query }).query = (...args: unknown[]) => {
      const first = args[0] as string | { text: string };
      seen.push({ text: typeof first === "string" ? first : first.text, unanswered });
      const answered = query(...args);
      if (answered instanceof Promise) {
        unanswered++;
        void answered.then(
          () => unanswered--,
          () => unanswered--,
        );
      }
      return answered;
    };
  });
  return seen;
}

describe.runIf(onPostgres)("a write nested in a PostgreSQL write transaction", () => {
  it("sends its SAVEPOINT and its first statement without waiting between them", async () => {
    const url = await freshPostgresDatabase("pipelined");
    const engine = postgresEngine({ url, max: 1 });
    const seen = watchQueries(engine.pool);
    try {
      await engine.transaction("write", async (sql) => {
        await insert(sql, "outer");
        await engine.transaction("write", (inner) => insert(inner, "first"));
        await engine.transaction("write", (inner) => insert(inner, "second"));
      });
      // Statements by their first words, savepoints by their place (tw_<count> is per process).
      const sent = seen.map(
        ({ text, unanswered }) => `${unanswered} ${text.split(" (")[0]!.replace(/tw_\d+/g, "tw_N")}`,
      );
      expect(sent).toEqual([
        `0 BEGIN; SELECT pg_advisory_xact_lock(${WRITE_LOCK})`,
        "0 INSERT INTO cursor",
        "0 SAVEPOINT tw_N",
        // The nested work's insert goes out while its SAVEPOINT is still unanswered.
        "1 INSERT INTO cursor",
        "0 RELEASE SAVEPOINT tw_N; SAVEPOINT tw_N",
        "1 INSERT INTO cursor",
        "0 NOTIFY totewatch_commit; COMMIT",
      ]);
      expect(await engine.session(names)).toEqual(["first", "outer", "second"]);
    } finally {
      await engine.close();
    }
  });

  it("rolls back alone when its work fails after its first statement, and the transaction goes on", async () => {
    const url = await freshPostgresDatabase("nested-fails");
    const engine = postgresEngine({ url });
    try {
      await engine.transaction("write", async (sql) => {
        await insert(sql, "kept");
        const failed = await engine
          .transaction("write", async (inner) => {
            await insert(inner, "rolled back");
            throw new Error("nested work fails");
          })
          .catch((error: Error) => error.message);
        expect(failed).toBe("nested work fails");
        // A statement of its own that fails (a repeated primary key) rolls back alone too.
        await expect(engine.transaction("write", (inner) => insert(inner, "kept"))).rejects.toThrow(
          /duplicate key value violates unique constraint/,
        );
        await insert(sql, "after");
      });
      expect(await engine.session(names)).toEqual(["after", "kept"]);
    } finally {
      await engine.close();
    }
  });

  it("in a transaction a failed statement aborted, fails with the server's error and stores nothing", async () => {
    const url = await freshPostgresDatabase("nested-aborted");
    const engine = postgresEngine({ url });
    try {
      const outcome = await engine
        .transaction("write", async (sql) => {
          await insert(sql, "lost");
          // Failed outside any savepoint: the transaction can only roll back now.
          await sql.run(`SELECT 1 / 0`).catch(() => undefined);
          await engine.transaction("write", (inner) => insert(inner, "never"));
        })
        .catch((error: Error) => error.message);
      expect(outcome).toMatch(/current transaction is aborted/);
      expect(await engine.session(names)).toEqual([]);
    } finally {
      await engine.close();
    }
  });
});
