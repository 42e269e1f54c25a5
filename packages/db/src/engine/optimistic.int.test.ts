/**
 * Transactions that do not take the writers' lock up front, on the engine the tests run on.
 * Optimistic ones (an alerts pass): on PostgreSQL one reads without the writers' lock, takes it
 * at its first write, and runs again when another writer changed a row it writes. Row-locked
 * ones (a delivery claim): on PostgreSQL they never take it. On SQLite both are write
 * transactions from BEGIN.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  deliveryRows,
  freshDatabaseFile,
  freshPostgresDatabase,
  storeSteamAlert,
  testEngine,
} from "../../testing/index.js";
import { createDb, type Db } from "../client.js";
import { claimDelivery } from "../queries/delivery-claims.js";
import { optimisticTransaction, rowLockedTransaction, writeTransaction, type Sql } from "../sql.js";

const onPostgres = testEngine() === "postgres";
const clients: Db[] = [];

/** Two clients on one new migrated database. */
async function twoClients(label: string): Promise<[Db, Db]> {
  const url = onPostgres ? await freshPostgresDatabase(label) : freshDatabaseFile(label);
  const pair: [Db, Db] = [createDb({ url }), createDb({ url })];
  clients.push(...pair);
  return pair;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((db) => db.close()));
});

const position = async (sql: Sql, name: string) =>
  (await sql.get<{ position: number }>(`SELECT position FROM cursor WHERE name = ?`, name))?.position ?? 0;
const setPosition = (sql: Sql, name: string, value: number) =>
  sql.run(
    `INSERT INTO cursor (name, position, updated_at) VALUES (?, ?, 0)
     ON CONFLICT (name) DO UPDATE SET position = excluded.position`,
    name,
    value,
  );

function gate(): { open: () => void; opened: Promise<void> } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("an optimistic transaction", () => {
  it(
    onPostgres
      ? "reads without the writers' lock (a writer commits meanwhile) and holds it from its first write"
      : "is a write transaction on SQLite: a writer waits for it from its first read",
    async () => {
      const [a, b] = await twoClients("optimistic-lock");
      const events: string[] = [];
      const readDone = gate();
      const goWrite = gate();
      const wrote = gate();
      const goCommit = gate();
      const pass = optimisticTransaction(a, async (sql) => {
        await position(sql, "pass");
        events.push("pass read");
        readDone.open();
        await goWrite.opened;
        await setPosition(sql, "pass", 1);
        events.push("pass wrote");
        wrote.open();
        await goCommit.opened;
        events.push("pass commits");
      });
      await readDone.opened;
      const writer = (label: string) =>
        writeTransaction(b, async (sql) => {
          await setPosition(sql, label, 1);
          events.push(`${label} wrote`);
        });
      // A writer while the pass only reads.
      const whileReading = writer("ingest 1");
      await settle(200);
      goWrite.open();
      await wrote.opened;
      // A writer while the pass holds what it wrote.
      const whileWriting = writer("ingest 2");
      await settle(200);
      goCommit.open();
      await Promise.all([pass, whileReading, whileWriting]);
      expect(events).toEqual(
        onPostgres
          ? ["pass read", "ingest 1 wrote", "pass wrote", "pass commits", "ingest 2 wrote"]
          : ["pass read", "pass wrote", "pass commits", "ingest 1 wrote", "ingest 2 wrote"],
      );
    },
  );

  it.runIf(onPostgres)(
    "that another overtook (it wrote the same row since this one's snapshot) runs again on what that one stored",
    async () => {
      const [a, b] = await twoClients("optimistic-retry");
      const bothRead = [gate(), gate()] as const;
      const aGoes = gate();
      const bGoes = gate();
      let bRuns = 0;
      const first = optimisticTransaction(a, async (sql) => {
        const seen = await position(sql, "n");
        bothRead[0].open();
        await aGoes.opened;
        await setPosition(sql, "n", seen + 1);
      });
      const second = optimisticTransaction(b, async (sql) => {
        bRuns++;
        const seen = await position(sql, "n");
        bothRead[1].open();
        await bGoes.opened;
        await setPosition(sql, "n", seen + 1);
        return seen;
      });
      await Promise.all(bothRead.map((g) => g.opened));
      // Both read 0. The first commits 1; the second's write of the same row fails
      // (serialization failure), so it runs again: it reads 1 and stores 1 + 1 = 2.
      aGoes.open();
      await first;
      bGoes.open();
      expect(await second).toBe(1);
      expect(bRuns).toBe(2);
      expect(await writeTransaction(a, (sql) => position(sql, "n"))).toBe(2);
    },
  );

  it.runIf(onPostgres)(
    "overtaken once, runs again under the writers' lock from BEGIN, where nothing overtakes it",
    async () => {
      const [a, b] = await twoClients("optimistic-locked-retry");
      const events: string[] = [];
      let runs = 0;
      let other: Promise<unknown> = Promise.resolve();
      await optimisticTransaction(a, async (sql) => {
        runs++;
        const seen = await position(sql, "n");
        if (runs === 1) {
          // Another writer changes the row after this run's snapshot: its write fails.
          await writeTransaction(b, (otherSql) => setPosition(otherSql, "n", seen + 100));
        } else {
          // The second run holds the writers' lock: a writer started now waits for its commit.
          other = writeTransaction(b, async () => void events.push("other writer"));
          await settle(200);
          events.push("second run writes");
        }
        await setPosition(sql, "n", seen + 1);
      });
      await other;
      expect(runs).toBe(2);
      expect(events).toEqual(["second run writes", "other writer"]);
      // The other writer's 0 + 100, then this one's 100 + 1.
      expect(await writeTransaction(a, (sql) => position(sql, "n"))).toBe(101);
    },
  );
});

describe("a delivery claim", () => {
  it(
    onPostgres
      ? "does not wait for the writers' lock, and passes over a row another claimer holds (SKIP LOCKED)"
      : "waits for the writers' lock on SQLite, and claims the row once",
    async () => {
      const [a, b] = await twoClients("claim-lock");
      await storeSteamAlert(a, { channels: ["webhook"] });
      const [row] = await deliveryRows(a);
      const claim = (db: Db) => claimDelivery(db, row!.id, { now: new Date(), forMs: 60_000, attempts: 0 });
      const events: string[] = [];
      const ingestHolds = gate();
      const ingestHolding = gate();
      // Ingest holds the writers' lock.
      const ingest = writeTransaction(a, async (sql) => {
        await setPosition(sql, "ingest", 1);
        ingestHolding.open();
        await ingestHolds.opened;
        events.push("ingest commits");
      });
      await ingestHolding.opened;
      if (onPostgres) {
        // Another deliverer is claiming the row right now (its transaction holds the row): passed over.
        const otherHolds = gate();
        const otherHolding = gate();
        const other = rowLockedTransaction(a, async (sql) => {
          await sql.run(`UPDATE alert_delivery SET attempts = attempts WHERE delivery_id = ?`, row!.id);
          otherHolding.open();
          await otherHolds.opened;
        });
        await otherHolding.opened;
        expect(await claim(b)).toBe(false);
        events.push("claim passed over a held row");
        otherHolds.open();
        await other;
        // Free again, and claimed while ingest still holds the writers' lock.
        expect(await claim(b)).toBe(true);
        events.push("claimed");
        ingestHolds.open();
        await ingest;
        expect(events).toEqual(["claim passed over a held row", "claimed", "ingest commits"]);
      } else {
        const claimed = claim(b).then((got) => events.push(`claimed: ${got}`));
        await settle(200);
        ingestHolds.open();
        await Promise.all([ingest, claimed]);
        expect(events).toEqual(["ingest commits", "claimed: true"]);
      }
      // Claimed once: a second claim of the same row finds it held.
      expect(await claim(a)).toBe(false);
      if (onPostgres) {
        // A write nested in a row-locked transaction would wait for the writers' lock holding rows.
        await expect(
          rowLockedTransaction(a, () => writeTransaction(a, async () => undefined)),
        ).rejects.toThrow(/cannot be nested in a row-locked one/);
      }
    },
  );
});
