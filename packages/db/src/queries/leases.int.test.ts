// Track leases (acquire, renew, refuse, take over at expiry, release) worked by hand with
// explicit instants, on a real migrated database (either engine).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../client.js";
import { createTestDb } from "../../testing/index.js";
import { acquireTrackLease, releaseTrackLease, trackLeases } from "./leases.js";

let db: Db;
const T0 = Date.UTC(2025, 8, 13, 16, 0);
const at = (ms: number) => new Date(T0 + ms);
const TTL = 30_000;

beforeAll(() => {
  db = createTestDb("leases");
});
afterAll(async () => {
  await db.close();
});

describe("track leases", () => {
  it("acquires a free lease, renews its own, and refuses another worker while it lasts", async () => {
    // A: takes the free lease at t=0, until t=30s.
    expect(await acquireTrackLease(db, { track: "Saratoga", holder: "A", now: at(0), ttlMs: TTL })).toEqual({
      held: true,
      holder: "A",
      expiresAt: at(30_000),
      takenOverFrom: null,
    });
    // A renews at t=10s: until t=40s, acquired_at stays t=0.
    expect(
      await acquireTrackLease(db, { track: "Saratoga", holder: "A", now: at(10_000), ttlMs: TTL }),
    ).toEqual({
      held: true,
      holder: "A",
      expiresAt: at(40_000),
      takenOverFrom: null,
    });
    // B at t=20s: A holds it until t=40s.
    expect(
      await acquireTrackLease(db, { track: "Saratoga", holder: "B", now: at(20_000), ttlMs: TTL }),
    ).toEqual({
      held: false,
      holder: "A",
      expiresAt: at(40_000),
      takenOverFrom: null,
    });
    expect(await trackLeases(db)).toEqual([
      { track: "Saratoga", holder: "A", acquiredAt: at(0), expiresAt: at(40_000) },
    ]);
  });

  it("lets another worker take an expired lease exactly at expires_at, not 1 ms before", async () => {
    // 1 ms before A's expiry (t=40s): still A's.
    const early = await acquireTrackLease(db, {
      track: "Saratoga",
      holder: "B",
      now: at(39_999),
      ttlMs: TTL,
    });
    expect(early).toMatchObject({ held: false, holder: "A", takenOverFrom: null });
    // At t=40s it has expired: B takes it over from A, until t=70s.
    expect(
      await acquireTrackLease(db, { track: "Saratoga", holder: "B", now: at(40_000), ttlMs: TTL }),
    ).toEqual({
      held: true,
      holder: "B",
      expiresAt: at(70_000),
      takenOverFrom: "A",
    });
    expect(await trackLeases(db)).toEqual([
      { track: "Saratoga", holder: "B", acquiredAt: at(40_000), expiresAt: at(70_000) },
    ]);
    // A, back late, is refused.
    expect(
      await acquireTrackLease(db, { track: "Saratoga", holder: "A", now: at(41_000), ttlMs: TTL }),
    ).toEqual({
      held: false,
      holder: "B",
      expiresAt: at(70_000),
      takenOverFrom: null,
    });
  });

  it("keeps one lease per track", async () => {
    const other = await acquireTrackLease(db, { track: "Del Mar", holder: "A", now: at(41_000), ttlMs: TTL });
    expect(other).toEqual({ held: true, holder: "A", expiresAt: at(71_000), takenOverFrom: null });
    expect((await trackLeases(db)).map((l) => [l.track, l.holder])).toEqual([
      ["Del Mar", "A"],
      ["Saratoga", "B"],
    ]);
  });

  it("releases a lease only for its holder", async () => {
    expect(await releaseTrackLease(db, { track: "Saratoga", holder: "A" })).toBe(false);
    expect((await trackLeases(db)).map((l) => [l.track, l.holder])).toEqual([
      ["Del Mar", "A"],
      ["Saratoga", "B"],
    ]);
    expect(await releaseTrackLease(db, { track: "Saratoga", holder: "B" })).toBe(true);
    expect((await trackLeases(db)).map((l) => l.track)).toEqual(["Del Mar"]);
    // Released, it is free at once (long before its old expiry).
    expect(
      await acquireTrackLease(db, { track: "Saratoga", holder: "A", now: at(42_000), ttlMs: TTL }),
    ).toEqual({
      held: true,
      holder: "A",
      expiresAt: at(72_000),
      takenOverFrom: null,
    });
  });

  it("rejects an empty name or a ttl that is not > 0", async () => {
    await expect(acquireTrackLease(db, { track: " ", holder: "A", now: at(0), ttlMs: TTL })).rejects.toThrow(
      /track/,
    );
    await expect(
      acquireTrackLease(db, { track: "Saratoga", holder: "", now: at(0), ttlMs: TTL }),
    ).rejects.toThrow(/holder/);
    await expect(
      acquireTrackLease(db, { track: "Saratoga", holder: "A", now: at(0), ttlMs: 0 }),
    ).rejects.toThrow(/ttlMs/);
  });
});
