import { describe, expect, it } from "vitest";
import { createTestDb } from "../testing/index.js";
import { createDb } from "./client.js";
import { retriableDatabaseError } from "./errors.js";
import { registerTrack } from "./queries/tracks.js";
import { writeTransaction } from "./sql.js";

describe("retriableDatabaseError", () => {
  it("is 'unreachable' for a PostgreSQL server that refuses the connection (a real refusal: port 1)", async () => {
    const db = createDb({ url: "postgresql://postgres@127.0.0.1:1/totewatch" });
    try {
      const error = await registerTrack(db, { name: "Saratoga" }).catch((e: unknown) => e);
      expect((error as { code?: string }).code).toBe("ECONNREFUSED");
      expect(retriableDatabaseError(error)).toBe("unreachable");
    } finally {
      await db.close();
    }
  });

  it("is 'locked' for SQLite's busy error, wherever it is in the cause chain", () => {
    const busy = Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" });
    expect(retriableDatabaseError(busy)).toBe("locked");
    expect(retriableDatabaseError(new Error("batch failed", { cause: busy }))).toBe("locked");
    expect(retriableDatabaseError(Object.assign(new Error("x"), { code: "57P01" }))).toBe("unreachable");
    expect(retriableDatabaseError(Object.assign(new Error("x"), { code: "40P01" }))).toBe("unreachable");
  });

  it("is null for an error that would fail again: a constraint (the engine's own), bad SQL", async () => {
    const db = createTestDb("errors");
    try {
      const error = await writeTransaction(db, (sql) =>
        sql.run(`INSERT INTO race (track_id) VALUES (1)`),
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(retriableDatabaseError(error)).toBeNull();
      expect(retriableDatabaseError(Object.assign(new Error("x"), { code: "23505" }))).toBeNull();
      expect(retriableDatabaseError("not an error")).toBeNull();
    } finally {
      await db.close();
    }
  });
});
