/**
 * The poller against a database another process holds locked for longer
 * than the busy timeout (packages/db: 15 s), as a VACUUM, a `.backup` or a
 * `BEGIN` left open in the sqlite3 shell does: a real second process holds
 * `BEGIN IMMEDIATE` on the same file. The poller keeps running, keeps the
 * batch it fetched, logs once when the write starts failing and once when it
 * goes through, and the rows arrive. (Slow by nature: one write has to wait
 * out the full busy timeout before it fails.)
 */
import {
  captureLogs,
  countRows,
  freshDatabaseFile,
  json,
  startTestServer,
  testEngine,
} from "@totewatch/test-utils";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createRequire } from "node:module";
import { once } from "node:events";
import { parseConfig, type Sleep } from "@totewatch/config";
import { createDb, type Db } from "@totewatch/db";
import { writeFeedMessage } from "@totewatch/feed";
import { afterEach, describe, expect, it } from "vitest";
import { cardMessage, DATE, POST, TRACK, winAt } from "../../test/race-feed.js";
import { createPoller } from "./poller.js";

/** better-sqlite3 as packages/db has it (ingest does not depend on it). */
const betterSqlite3 = createRequire(createRequire(import.meta.url).resolve("@totewatch/db")).resolve(
  "better-sqlite3",
);

/** A second process on `file`: "lock" takes the write lock (BEGIN IMMEDIATE), "release" commits. */
const HOLDER = `
const Database = require(process.argv[1]);
const db = new Database(process.argv[2]);
require("node:readline").createInterface({ input: process.stdin }).on("line", (line) => {
  if (line === "lock") db.exec("BEGIN IMMEDIATE");
  if (line === "release") db.exec("COMMIT");
  process.stdout.write(line + "ed\\n");
});
process.stdout.write("ready\\n");
`;

interface LockHolder {
  lock(): Promise<void>;
  release(): Promise<void>;
}

const children: ChildProcessWithoutNullStreams[] = [];
const opened: Db[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) child.kill();
  await Promise.all(opened.splice(0).map((db) => db.close()));
});

async function lockHolder(file: string): Promise<LockHolder> {
  const child = spawn(process.execPath, ["-e", HOLDER, betterSqlite3, file]);
  children.push(child);
  const lines: string[] = [];
  child.stdout.setEncoding("utf8").on("data", (text: string) => lines.push(...text.split("\n")));
  const said = async (word: string) => {
    while (!lines.includes(word)) await once(child.stdout, "data");
    lines.splice(lines.indexOf(word), 1);
  };
  await said("ready");
  const send = async (command: string) => {
    child.stdin.write(`${command}\n`);
    await said(`${command}ed`);
  };
  return { lock: () => send("lock"), release: () => send("release") };
}

describe("a database locked by another process past the busy timeout", () => {
  // SQLite only: a second process holds the file's write lock past the busy timeout (SQLITE_BUSY).
  it.runIf(testEngine() === "sqlite")(
    "keeps the fetched batch, retries until the lock is released, logs once each way, never exits",
    {
      timeout: 90_000,
    },
    async () => {
      const server = await startTestServer();
      try {
        const file = freshDatabaseFile("ingest-locked");
        const db = createDb({ url: file });
        opened.push(db);
        const holder = await lockHolder(file);
        let held = false;
        // The card is served with the file locked: its write is the one that meets the lock.
        server.routes.set(`/card/TST/${DATE}`, async (req, res) => {
          if (server.requests.filter((p) => p.startsWith("/card")).length === 1) {
            await holder.lock();
            held = true;
          }
          json(cardMessage)(req, res);
        });
        let now = POST - 20 * 60_000;
        server.routes.set(`/win/${DATE}/1`, (req, res) => json(winAt(now))(req, res));
        const logs = captureLogs();
        const lockedWarnings = () =>
          logs.records.filter((r) => r.msg.includes("is locked by another process"));
        const sleeps: number[] = [];
        // Fake time; the first wait after the poller said it is locked is when the other process lets go.
        const sleep: Sleep = async (ms) => {
          sleeps.push(ms);
          if (held && lockedWarnings().length > 0) {
            held = false;
            await holder.release();
          }
          now += Math.max(0, ms);
        };
        const poller = createPoller({
          config: parseConfig(
            JSON.stringify({
              tracks: [
                {
                  name: TRACK,
                  code: "TST",
                  timezone: "America/Chicago",
                  pools: ["win"],
                  endpoints: {
                    card: `${server.url}/card/{code}/{date}`,
                    win: `${server.url}/win/{date}/{race}`,
                  },
                },
              ],
              http: { minHostDelayMs: 0, retries: 0 },
            }),
          ),
          db,
          date: DATE,
          logger: logs.logger,
          clock: { now: () => now },
          sleep,
          random: () => 1,
          retention: false,
          apply: async (target, message) => {
            const result = await writeFeedMessage(target, message);
            if (message.kind === "win") poller.stop();
            return result;
          },
        });
        const summary = await poller.run();

        // The card was fetched once and written on the retry (1 s backoff, random 1: the full first step).
        expect(server.requests.filter((p) => p.startsWith("/card"))).toHaveLength(1);
        expect(sleeps[0]).toBe(1000);
        // Written: race 1 + 2 horses + 2 entries (the card), then 2 win odds rows.
        expect(summary).toMatchObject({ applied: 2, invalid: 0, rows: 1 + 2 + 2 + 2 });
        expect(await countRows(db)).toMatchObject({ race: 1, entry: 2, odds_snapshot: 2 });
        expect(lockedWarnings()).toHaveLength(1);
        expect(lockedWarnings()[0]).toMatchObject({
          level: 40,
          file,
          what: expect.stringContaining("/card/"),
        });
        const recovered = logs.records.filter((r) => r.msg.includes("is writable again"));
        expect(recovered).toMatchObject([{ level: 30, file, failures: 1, lockedSeconds: 1 }]);
      } finally {
        await server.close();
      }
    },
  );
});
