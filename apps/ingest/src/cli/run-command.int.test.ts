/**
 * `ingest poll` through runCommand, as the command line runs it (a config file, a migrated
 * database file, the exit code): `--strict` fails when a page adapter could not read a field,
 * which is not an invalid message; and a module endpoint that cannot be imported is a usage
 * error (exit 2) before anything is fetched. The poller runs on a fake clock.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { EXIT } from "@totewatch/cli-kit";
import { freshTestDatabaseUrl, json, startTestServer, type TestServer } from "@totewatch/test-utils";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeTime } from "../../test/fake-time.js";
import { cardMessage, DATE, POST, TRACK } from "../../test/race-feed.js";
import { createPoller } from "../poll/poller.js";
import { runCommand, type CommandSummary } from "./run-command.js";

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
  // runCommand's logger and summary table write to stdout / stderr: kept out of the test output.
  vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  vi.spyOn(process.stderr, "write").mockImplementation(() => true);
});
afterEach(async () => {
  vi.restoreAllMocks();
  await server.close();
});

/** A config file polling the test server's card (feed) and win (`win`, an html or module endpoint). */
async function configFile(win: Record<string, unknown>): Promise<{ file: string; db: string }> {
  const folder = mkdtempSync(path.join(tmpdir(), "totewatch-run-"));
  const file = path.join(folder, "totewatch.yaml");
  const config = {
    tracks: [
      {
        name: TRACK,
        code: "TST",
        timezone: "America/Chicago",
        pools: ["win"],
        endpoints: {
          card: `${server.url}/card/{code}/{date}`,
          win: { url: `${server.url}/win/{date}/{race}`, ...win },
          status: `${server.url}/status/{date}/{race}`,
        },
      },
    ],
    http: { minHostDelayMs: 0, retries: 0, timeoutMs: 2000 },
  };
  writeFileSync(file, JSON.stringify(config));
  // A file on SQLite, a postgresql:// url in the postgres project.
  return { file, db: await freshTestDatabaseUrl("run-command") };
}

/** Serves race 1: its card, the us-win.html board (runner 5's "7x2" unreadable), status official. */
function serveRace(): void {
  const board = readFileSync(path.join(import.meta.dirname, "../../test-fixtures/pages/us-win.html"), "utf8");
  const entries = ["1", "1A", "2", "3", "4", "5"].map((program) => ({
    program_number: program,
    horse: `H${program}`,
  }));
  server.routes.set(`/card/TST/${DATE}`, json({ ...cardMessage, entries }));
  server.routes.set(`/win/${DATE}/1`, (_req, res) => {
    res.writeHead(200, { "content-type": "text/html" }).end(board);
  });
  server.routes.set(
    `/status/${DATE}/1`,
    json({ kind: "status", track: TRACK, date: DATE, race: 1, status: "official" }),
  );
}

const HTML_WIN = { format: "html", rows: "#tote tbody tr", program: ".pgm", odds: ".odds", pool: ".pool" };

/** `ingest poll --date DATE` of `file`, on a fake clock 5 minutes before post; the exit code and summary. */
async function poll(file: string, db: string, strict: boolean) {
  let summary: CommandSummary | undefined;
  const code = await runCommand(
    "poll",
    { config: file, db, strict, quiet: true },
    new AbortController().signal,
    (context) => {
      const time = fakeTime(POST - 5 * 60_000);
      const poller = createPoller({
        config: context.config,
        db: context.db!,
        logger: context.logger,
        date: DATE,
        clock: time.clock,
        sleep: time.sleep,
        retention: false,
      });
      return poller.run().then((result) => (summary = result));
    },
  );
  return { code, summary };
}

describe("ingest poll through runCommand", () => {
  it("--strict fails (exit 1) on a field the page adapter could not read; without it, exit 0", async () => {
    serveRace();
    const { file, db } = await configFile(HTML_WIN);
    const plain = await poll(file, db, false);
    expect(plain.code).toBe(EXIT.ok);
    // One board fetch (the status is official at once), one unreadable odds cell ("7x2"), no invalid message.
    expect(plain.summary).toMatchObject({ invalid: 0, unreadable: 1 });
    // A fresh database: in the first one the race is already official, so nothing would be polled.
    const strict = await poll(file, await freshTestDatabaseUrl("run-command-strict"), true);
    expect(strict.summary).toMatchObject({ invalid: 0, unreadable: 1 });
    expect(strict.code).toBe(EXIT.failed);
  });

  it("--strict passes (exit 0) when every field was read", async () => {
    serveRace();
    // The same board with rows limited to the first five (runner 5's "7x2" row is the sixth).
    const { file, db } = await configFile({ ...HTML_WIN, rows: "#tote tbody tr:nth-child(-n+5)" });
    const result = await poll(file, db, true);
    expect(server.requests).toContain(`/win/${DATE}/1`);
    expect(result.summary).toMatchObject({ invalid: 0, unreadable: 0 });
    expect(result.code).toBe(EXIT.ok);
  });

  it("exits 2, fetching nothing, when a module endpoint cannot be imported", async () => {
    serveRace();
    const { file, db } = await configFile({ format: "module", module: "./adapters/missing.ts" });
    const result = await poll(file, db, false);
    expect(result.code).toBe(EXIT.usage);
    expect(server.requests).toEqual([]);
    const written = vi
      .mocked(process.stderr.write)
      .mock.calls.map(([text]) => String(text))
      .join("");
    expect(written).toMatch(
      /endpoints\.win\.module: track "Test Downs" win endpoint: module \.\/adapters\/missing\.ts/,
    );
  });
});
