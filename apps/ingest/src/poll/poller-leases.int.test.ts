/**
 * Two `ingest poll` workers on one database file sharing two tracks through the track leases:
 * each track's endpoints are requested by one worker at a time (the tote's request log, told
 * apart by each worker's User-Agent, and the lease rows), and when a worker dies without
 * releasing its lease the other takes its track over once the lease has expired.
 *
 * Time: one virtual clock for both workers, moved by a driver in 250 ms steps to the next
 * wake-up while someone sleeps (never past a sleeper's wake-up), so a worker busy with a
 * request or a write sees the clock move only a little, as on a real clock, and its
 * renewals (every leaseMs / 3) keep its leases.
 */
import {
  captureLogs,
  freshDatabaseFile,
  freshPostgresDatabase,
  json,
  testEngine,
  type CapturedLogs,
} from "@totewatch/test-utils";
import { parseConfig, type Sleep } from "@totewatch/config";
import { acquireTrackLease, createDb, trackLeases, type Db } from "@totewatch/db";
import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { fakeTime, guardedSleep } from "../../test/fake-time.js";
import { pollerTestBed } from "../../test/poller-test-bed.js";
import { DATE, POST, TRACK } from "../../test/race-feed.js";
import { createPoller } from "./poller.js";

const { server, freshDb, config: oneTrack, serveRace, racePoller } = pollerTestBed();

const LEASE_MS = 30_000;
const START = POST - 20 * 60_000;
/** When worker A dies (stops without releasing its lease). */
const DEATH = POST - 10 * 60_000;
const TRACKS = [
  { name: "Test Downs", code: "TST" },
  { name: "Other Park", code: "OTH" },
] as const;

/** A clock only the driver moves: to the earliest wake-up, at most STEP at a time, every real tick. */
function virtualTime(start: number, limit: number) {
  // Small enough that a worker busy for ~20 ms of real time (a PostgreSQL round trip or two) sees
  // seconds pass, not the 30 s of its lease.
  const STEP = 250;
  let now = start;
  const sleepers: { at: number; wake: () => void }[] = [];
  let running = true;
  const tick = (): void => {
    if (!running) return;
    if (sleepers.length > 0) {
      const next = Math.min(...sleepers.map((s) => s.at));
      now = Math.min(next, now + STEP);
      for (const sleeper of sleepers.filter((s) => s.at <= now)) {
        sleepers.splice(sleepers.indexOf(sleeper), 1);
        sleeper.wake();
      }
    }
    setTimeout(tick, 1);
  };
  setTimeout(tick, 1);
  const sleep: Sleep = (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted || now > limit) return resolve();
      const onAbort = () => {
        const i = sleepers.indexOf(sleeper);
        if (i >= 0) sleepers.splice(i, 1);
        resolve();
      };
      const sleeper = {
        at: now + Math.max(0, ms),
        wake: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      sleepers.push(sleeper);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  return {
    clock: { now: () => now },
    sleep,
    stop: () => {
      running = false;
      for (const sleeper of sleepers.splice(0)) sleeper.wake();
    },
  };
}

interface Request {
  worker: string;
  track: string;
  path: string;
  at: number;
}

describe("two poll workers sharing tracks through leases", () => {
  it("poll each track from one worker at a time; a dead worker's track is taken over once its lease expires", async () => {
    const time = virtualTime(START, POST + 3600_000);
    const requests: Request[] = [];
    for (const { name, code } of TRACKS) {
      const logged =
        (serve: (req: IncomingMessage, res: ServerResponse) => void) =>
        (req: IncomingMessage, res: ServerResponse) => {
          const path = decodeURIComponent(new URL(req.url!, "http://x").pathname);
          requests.push({
            worker: String(req.headers["user-agent"]),
            track: name,
            path,
            at: time.clock.now(),
          });
          serve(req, res);
        };
      server.routes.set(
        `/card/${code}/${DATE}`,
        logged(
          json({
            kind: "card",
            track: name,
            date: DATE,
            race: 1,
            timezone: "America/Chicago",
            post_time: new Date(POST).toISOString(),
            entries: [
              { program_number: "1", horse: `${code} First` },
              { program_number: "2", horse: `${code} Second` },
            ],
          }),
        ),
      );
      server.routes.set(
        `/status/${code}/${DATE}/1`,
        logged((req, res) =>
          json({
            kind: "status",
            track: name,
            date: DATE,
            race: 1,
            status: time.clock.now() >= POST ? "official" : "open",
          })(req, res),
        ),
      );
      server.routes.set(
        `/win/${code}/${DATE}/1`,
        logged((req, res) =>
          json({
            kind: "win",
            track: name,
            date: DATE,
            race: 1,
            fetched_at: new Date(time.clock.now()).toISOString(),
            horses: [
              { program_number: "1", win_odds: "5-2" },
              { program_number: "2", win_odds: "3-5" },
            ],
          })(req, res),
        ),
      );
    }
    const config = (worker: string) =>
      parseConfig(
        JSON.stringify({
          tracks: TRACKS.map(({ name, code }) => ({
            name,
            code,
            timezone: "America/Chicago",
            pools: ["win"],
            endpoints: {
              card: `${server.url}/card/{code}/{date}`,
              win: `${server.url}/win/{code}/{date}/{race}`,
              status: `${server.url}/status/{code}/{date}/{race}`,
            },
          })),
          http: { minHostDelayMs: 0, retries: 0, timeoutMs: 2000, robots: "ignore", userAgent: worker },
        }),
      );

    // Two clients on one database: a file, or (the postgres project) a database on the test server.
    const url =
      testEngine() === "postgres" ? await freshPostgresDatabase("leases") : freshDatabaseFile("leases");
    const dbA: Db = createDb({ url });
    const dbB: Db = createDb({ url });
    // Each worker already holds one track (as after a restart), so the split is known: A polls
    // Test Downs, B Other Park, and each waits for the other's track.
    const seeded = { now: new Date(START), ttlMs: LEASE_MS };
    await acquireTrackLease(dbA, { track: "Test Downs", holder: "A", ...seeded });
    await acquireTrackLease(dbA, { track: "Other Park", holder: "B", ...seeded });

    const logs: Record<string, CapturedLogs> = { A: captureLogs("info", "A"), B: captureLogs("info", "B") };
    const worker = (name: "A" | "B", db: Db, extra: { releaseLeasesOnStop?: boolean } = {}) =>
      createPoller({
        config: config(name),
        db,
        date: DATE,
        clock: time.clock,
        sleep: time.sleep,
        retention: false,
        logger: logs[name]!.logger,
        workerName: name,
        leaseMs: LEASE_MS,
        ...extra,
      });
    const a = worker("A", dbA, { releaseLeasesOnStop: false });
    const b = worker("B", dbB);
    let leasesAtDeath: Awaited<ReturnType<typeof trackLeases>> = [];
    try {
      const runA = a.run();
      const runB = b.run();
      // A dies at DEATH: it stops polling and leaves its lease to expire.
      while (time.clock.now() < DEATH) await new Promise((resolve) => setTimeout(resolve, 1));
      leasesAtDeath = await trackLeases(dbB);
      const diedAt = time.clock.now();
      a.stop();
      await runA;
      const leaseAfterDeath = (await trackLeases(dbB)).find((l) => l.track === "Test Downs")!;
      const summaryB = await runB;
      expect(summaryB.interrupted).toBe(false);

      // While both ran, each polled its own track and waited for the other's.
      expect(leasesAtDeath.map((l) => [l.track, l.holder])).toEqual([
        ["Other Park", "B"],
        ["Test Downs", "A"],
      ]);
      const waiting = (name: string) =>
        logs[name]!.records.filter((r) => r.msg.includes("is polled by worker")).map((r) => r.msg);
      expect(waiting("A")).toEqual(["track Other Park is polled by worker B; waiting"]);
      expect(waiting("B")).toEqual(["track Test Downs is polled by worker A; waiting"]);

      // Other Park: B only, throughout.
      const other = requests.filter((r) => r.track === "Other Park");
      expect(other.length).toBeGreaterThan(0);
      expect(new Set(other.map((r) => r.worker))).toEqual(new Set(["B"]));
      // Test Downs: A until it died, then B, never both: every A request before every B request.
      const test = requests.filter((r) => r.track === "Test Downs");
      const byA = test.filter((r) => r.worker === "A");
      const byB = test.filter((r) => r.worker === "B");
      expect(byA.length).toBeGreaterThan(0);
      expect(byB.length).toBeGreaterThan(0);
      expect(test.map((r) => r.worker)).toEqual([...byA.map(() => "A"), ...byB.map(() => "B")]);
      // B took over at the dead lease's expiry (not before), renewed by A up to its death.
      const expiry = leaseAfterDeath.expiresAt.getTime();
      expect(leaseAfterDeath.holder).toBe("A");
      expect(expiry).toBeGreaterThan(diedAt);
      expect(expiry).toBeLessThanOrEqual(diedAt + LEASE_MS);
      expect(Math.min(...byB.map((r) => r.at))).toBeGreaterThanOrEqual(expiry);
      const takeovers = logs.B!.records.filter((r) => r.msg.startsWith("took over"));
      expect(takeovers).toEqual([
        expect.objectContaining({
          level: 30,
          track: "Test Downs",
          from: "A",
          msg: "took over track Test Downs from worker A (its lease expired)",
        }),
      ]);
      expect(logs.A!.records.filter((r) => r.msg.startsWith("took over"))).toEqual([]);
      // The tote's own log saw the same requests: every request of either track was a worker's.
      expect(server.requests.filter((p) => p !== "/robots.txt")).toEqual(requests.map((r) => r.path));
      // Both races went official; B, done with the day, released both leases.
      expect(await trackLeases(dbB)).toEqual([]);
    } finally {
      a.stop();
      b.stop();
      time.stop();
      await dbB.close();
      await dbA.close();
    }
  });
});

describe("a worker whose lease another worker took", () => {
  it("stops polling the track at its next renewal, waits, and takes it back once that lease expires", async () => {
    const time = fakeTime(POST - 10 * 60_000);
    const STEAL = POST - 5 * 60_000;
    const db = freshDb();
    const winPolls: number[] = [];
    serveRace(time, (now) => (now >= POST ? "official" : "open"));
    const served = server.routes.get(`/win/${DATE}/1`)!;
    let stolen: { at: number; until: number } | null = null;
    server.routes.set(`/win/${DATE}/1`, async (req, res) => {
      const now = time.clock.now();
      winPolls.push(now);
      if (!stolen && now >= STEAL) {
        // Worker X takes the lease as if it had expired (its clock a lease ahead).
        const lease = await acquireTrackLease(db, {
          track: TRACK,
          holder: "X",
          now: new Date(now + LEASE_MS),
          ttlMs: LEASE_MS,
        });
        expect(lease).toMatchObject({ held: true, takenOverFrom: "A" });
        stolen = { at: now, until: lease.expiresAt.getTime() };
      }
      served(req, res);
    });
    const logs = captureLogs("info");
    const poller = racePoller(time, {
      config: oneTrack(),
      db,
      logger: logs.logger,
      workerName: "A",
      leaseMs: LEASE_MS,
      sleep: guardedSleep(time, POST + 3600_000, () => poller.stop()),
    });
    const summary = await poller.run();
    expect(summary.interrupted).toBe(false);
    expect(stolen).not.toBeNull();
    const { at, until } = stolen!;
    // Polled up to the next renewal after the theft (at most LEASE_MS / 3), then not until X's lease expired.
    expect(winPolls.filter((t) => t > at + LEASE_MS / 3 && t < until)).toEqual([]);
    expect(winPolls.filter((t) => t >= until).length).toBeGreaterThan(0);
    expect(logs.records.map((r) => r.msg).filter((m) => /lease|worker/.test(m))).toEqual([
      "lost the lease of track Test Downs to worker X; stopping polling it",
      "track Test Downs is polled by worker X; waiting",
      "took over track Test Downs from worker X (its lease expired)",
    ]);
    // Done with the day, A released the lease.
    expect(await trackLeases(db)).toEqual([]);
  });
});
