/**
 * The server as the CLI starts it, on a real port on 127.0.0.1: what it
 * refuses before listening, and the event stream a page hears (a board
 * committed by another client arrives as a change of its race; a page that
 * reconnects with Last-Event-ID hears what it missed). On both engines; a
 * database file replaced while served is SQLite's alone.
 */
import { copyFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createLogger, parseConfig } from "@totewatch/config";
import { createDb, type Db } from "@totewatch/db";
import {
  emptyTestDatabaseUrl,
  freshDatabaseFile,
  freshTestDatabaseUrl,
  missingTestDatabaseUrl,
  testEngine,
} from "@totewatch/test-utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isLoopbackHost, startDashboard, type RunningDashboard } from "./serve.js";
import { DATE, writeBoard, writeRaceDay, type RaceDayIds } from "../test/race-day.js";
import { readEvents } from "../test/sse.js";

const config = parseConfig("", "<test>");
const logger = createLogger({ name: "test", level: "silent" });
const start = (databaseUrl: string, extra: { host?: string; token?: string } = {}) =>
  startDashboard({ databaseUrl, host: "127.0.0.1", port: 0, config, logger, ...extra });

describe("starting the dashboard", () => {
  it("refuses a host other machines can reach without a token", async () => {
    await expect(start(await freshTestDatabaseUrl(), { host: "0.0.0.0" })).rejects.toThrow(
      /host 0\.0\.0\.0 can be reached from other machines, so the dashboard needs a token/,
    );
    expect(isLoopbackHost("127.0.0.1") && isLoopbackHost("::1") && isLoopbackHost("localhost")).toBe(true);
    expect(isLoopbackHost("0.0.0.0") || isLoopbackHost("192.168.1.20") || isLoopbackHost("::")).toBe(false);
  });

  it("serves a public host when a token is set", async () => {
    const running = await start(await freshTestDatabaseUrl(), {
      host: "0.0.0.0",
      token: "a-long-enough-token-1234",
    });
    try {
      expect(running.url).toBe(`http://127.0.0.1:${running.port}/`);
      expect((await fetch(`${running.url}api/races`)).status).toBe(401);
    } finally {
      await running.close();
    }
  });

  it("refuses a database that does not exist, or is not a migrated one, naming the command that fixes it", async () => {
    const missing = missingTestDatabaseUrl("dash");
    await expect(start(missing)).rejects.toThrow(`no database at ${missing} yet`);
    const empty = await emptyTestDatabaseUrl("dash");
    await expect(start(empty)).rejects.toThrow(`totewatch db migrate --db ${empty}`);
  });
});

describe("the event stream", () => {
  let writer: Db;
  let running: RunningDashboard;
  let ids: RaceDayIds;

  beforeAll(async () => {
    const url = await freshTestDatabaseUrl("dash-events");
    writer = createDb({ url });
    ids = await writeRaceDay(writer);
    running = await start(url);
  });

  afterAll(async () => {
    await running?.close();
    await writer?.close();
  });

  it("tells an open page which race changed when another client commits a board", async () => {
    const events = await readEvents(`${running.url}api/events`);
    try {
      const hello = await events.next("hello");
      expect(hello.id).toMatch(/^o\d+/);
      await writeBoard(writer, new Date("2025-06-07T16:57:00Z"), [0.6, 2, 3, 5200, 3000, 1800]);
      const change = await events.next("change");
      expect(JSON.parse(change.data)).toMatchObject({ raceIds: [ids.raceId], alerts: false, all: false });
      expect(change.id).not.toBe(hello.id);
    } finally {
      events.close();
    }
  });

  it("resends what a page missed while it was away (Last-Event-ID)", async () => {
    const first = await readEvents(`${running.url}api/events`);
    const hello = await first.next("hello");
    first.close();
    await writeBoard(writer, new Date("2025-06-07T16:58:00Z"), [0.6, 2, 3, 5300, 3000, 1700]);
    const again = await readEvents(`${running.url}api/events`, { lastEventId: hello.id });
    try {
      const missed = await again.next("change");
      expect(JSON.parse(missed.data)).toMatchObject({ raceIds: [ids.raceId] });
    } finally {
      again.close();
    }
  });
});

describe.runIf(testEngine() === "sqlite")("a database file replaced while the dashboard serves it", () => {
  it("is followed: pages are told to reload everything, and the new file is served", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "totewatch-dash-replaced-"));
    const file = path.join(dir, "day.db");
    copyFileSync(freshDatabaseFile(), file);
    const writer = createDb({ url: file });
    await writeRaceDay(writer);
    await writer.close();
    const running = await startDashboard({
      databaseUrl: file,
      host: "127.0.0.1",
      port: 0,
      config,
      logger,
      pollMs: 100,
    });
    try {
      const day = async () =>
        ((await (await fetch(`${running.url}api/races?date=${DATE}`)).json()) as { races: unknown[] }).races;
      expect(await day()).toHaveLength(2);
      const events = await readEvents(`${running.url}api/events`);
      await events.next("hello");
      // First a file that is no migrated database: not shown, the old day stays.
      const bad = path.join(dir, "bad.db");
      writeFileSync(bad, "");
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
      renameSync(bad, file);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(await day()).toHaveLength(2);
      // Then as `pnpm demo` does: a new (empty, migrated) file put in place.
      const next = path.join(dir, "next.db");
      copyFileSync(freshDatabaseFile(), next);
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
      renameSync(next, file);
      const change = await events.next("change", 5000);
      expect(JSON.parse(change.data)).toMatchObject({ all: true });
      events.close();
      expect(await day()).toEqual([]);
    } finally {
      await running.close();
    }
  });
});
