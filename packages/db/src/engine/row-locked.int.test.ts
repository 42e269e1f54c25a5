/**
 * Row-locked transactions (a delivery claim), on the engine the tests run on: on PostgreSQL they
 * never take the writers' lock; on SQLite they are write transactions from BEGIN.
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
import { rowLockedTransaction, writeTransaction, type Sql } from "../sql.js";

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
