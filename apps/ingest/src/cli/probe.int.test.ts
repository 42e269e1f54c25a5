/**
 * `ingest probe`: a track's adapter run once on a local file and on a URL served on 127.0.0.1,
 * the report listing the messages it made (checked as poll checks them) and every field it
 * could not read; no database is opened (none is configured here).
 */
import path from "node:path";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { parseConfig } from "@totewatch/config";
import { startTestServer } from "@totewatch/test-utils";
import { describe, expect, it } from "vitest";
import { DEFAULT_CHROMIUM } from "../poll/browser-render.js";
import { formatProbeReport, runProbe } from "./probe.js";

const pages = path.join(import.meta.dirname, "../../test-fixtures/pages");

const config = (base: string) =>
  parseConfig(
    JSON.stringify({
      tracks: [
        {
          name: "Test Downs",
          code: "TST",
          timezone: "America/Chicago",
          pools: ["win", "exacta"],
          endpoints: {
            card: "http://127.0.0.1:9/card",
            win: {
              url: `${base}/win/{date}/{race}`,
              format: "html",
              rows: "#tote tbody tr",
              program: ".pgm",
              odds: ".odds",
              pool: ".pool",
              total: "#win-total",
            },
            exacta: {
              url: `${base}/exacta/{race}`,
              format: "html",
              matrix: "table.probables",
              total: ".pool",
            },
          },
        },
      ],
      http: { retries: 0, minHostDelayMs: 0 },
    }),
  );

describe("ingest probe", () => {
  it("reads a local file with the track's win mapping: a row per runner, the unreadable cell listed", async () => {
    const result = await runProbe(config("http://127.0.0.1:9"), path.join(pages, "us-win.html"), {
      track: "Test Downs",
      kind: "win",
      race: 1,
      date: "2025-09-12",
    });
    if (!result.ok) throw new Error(result.usage);
    const { report } = result;
    expect(report.invalid).toBe(0);
    // Runners 1, 1A, 2, 3 (SCR) and 4; 5 ("7x2") is the one problem.
    expect(report.rows.map((row) => [row[3], row[4], row[5]])).toEqual([
      ["1", "5/2", "12345"],
      ["1A", "5/2", "12345"],
      ["2", "3-1", "8000"],
      ["3", "SCR", ""],
      ["4", "EVN", "20000"],
    ]);
    expect(report.rows[0]!.at(-1)).toBe("ok");
    expect(report.problems.map((p) => [p.field, p.query, p.text])).toEqual([
      ["win rows[5].odds", ".odds", "7x2"],
    ]);
    const text = formatProbeReport(report);
    expect(text).toMatch(
      /could not read 1 field\(s\):\n {2}win rows\[5\]\.odds \(\.odds\) at .*us-win\.html: "7x2"/,
    );
    expect(text).toMatch(/1 message\(s\), 0 invalid, 1 unreadable field\(s\)\n$/);
  });

  it("fetches a URL (its {race} filled in) and reads the exacta matrix", async () => {
    const server = await startTestServer();
    try {
      server.routes.set("/exacta/3", (_req, res) => {
        res
          .writeHead(200, { "content-type": "text/html" })
          .end(readFileSync(path.join(pages, "probables-matrix.html")));
      });
      const result = await runProbe(config(server.url), `${server.url}/exacta/{race}`, {
        track: "Test Downs",
        kind: "exacta",
        race: 3,
        date: "2025-09-12",
      });
      if (!result.ok) throw new Error(result.usage);
      // One request for the page (robots.txt, asked first by http.ts, aside).
      expect(server.requests.filter((request) => request !== "/robots.txt")).toEqual(["/exacta/3"]);
      expect(result.report.problems).toEqual([]);
      expect(result.report.rows.map((row) => `${row[3]} ${row[4]}`)).toEqual([
        "1-2 45.4",
        "1-4 12.6",
        "2-1 50",
        "2-4 9.8",
        "4-1 11.2",
        "4-2 8.4",
      ]);
    } finally {
      await server.close();
    }
  });

  describe("a render: browser endpoint", () => {
    const renderConfig = (base: string, robots?: "ignore") =>
      parseConfig(
        JSON.stringify({
          tracks: [
            {
              name: "Test Downs",
              code: "TST",
              timezone: "America/Chicago",
              pools: ["win"],
              endpoints: {
                card: "http://127.0.0.1:9/card",
                win: {
                  url: `${base}/win/{race}`,
                  format: "html",
                  render: "browser",
                  rows: "#tote tbody tr",
                  program: ".pgm",
                  odds: ".odds",
                },
              },
            },
          ],
          http: { retries: 0, minHostDelayMs: 0, ...(robots ? { robots } : {}) },
        }),
      );
    const serveBoard = (server: Awaited<ReturnType<typeof startTestServer>>) => {
      server.routes.set("/robots.txt", (_req, res) => {
        res.writeHead(200, { "content-type": "text/plain" }).end("User-agent: *\nDisallow: /\n");
      });
      server.routes.set("/win/1", (_req, res) => {
        res
          .writeHead(200, { "content-type": "text/html" })
          .end(
            '<table id="tote"><tbody><tr><td class="pgm">1</td><td class="odds">5-2</td></tr></tbody></table>',
          );
      });
    };
    const probe = { track: "Test Downs", kind: "win", race: 1, date: "2025-09-12" } as const;

    it("asks robots.txt first, and does not load a page it disallows", async () => {
      const server = await startTestServer();
      try {
        serveBoard(server);
        const result = await runProbe(renderConfig(server.url), `${server.url}/win/{race}`, probe);
        if (!result.ok) throw new Error(result.usage);
        expect(server.requests).toEqual(["/robots.txt"]);
        expect(result.report.failure).toMatch(
          new RegExp(`^${server.url}/win/1 is disallowed by ${server.url}/robots.txt for user agent`),
        );
      } finally {
        await server.close();
      }
    });

    it.skipIf(!existsSync(DEFAULT_CHROMIUM))(
      'with http.robots: "ignore", loads it without asking robots.txt',
      { timeout: 60_000 },
      async () => {
        const server = await startTestServer();
        try {
          serveBoard(server);
          const result = await runProbe(
            renderConfig(server.url, "ignore"),
            `${server.url}/win/{race}`,
            probe,
          );
          if (!result.ok) throw new Error(result.usage);
          // (Chromium may ask for /favicon.ico too.)
          expect(server.requests.filter((request) => request !== "/favicon.ico")).toEqual(["/win/1"]);
          expect(result.report.failure).toBeUndefined();
          expect(result.report.rows.map((row) => `${row[3]} ${row[4]}`)).toEqual(["1 5-2"]);
        } finally {
          await server.close();
        }
      },
    );
  });

  it("names the configured tracks when --track matches none", async () => {
    const result = await runProbe(config("http://127.0.0.1:9"), "x.html", { track: "Nowhere", kind: "win" });
    expect(result).toEqual({
      ok: false,
      usage: 'no track named "Nowhere" in the config (configured: Test Downs)',
    });
  });

  describe("a module endpoint", () => {
    const examples = path.resolve(import.meta.dirname, "../../../../examples");
    /** The track with its win endpoint read by `module`, the config file in examples/. */
    const moduleConfig = (base: string, module: string) => ({
      ...parseConfig(
        JSON.stringify({
          tracks: [
            {
              name: "Test Downs",
              code: "TST",
              races: 1,
              pools: ["win"],
              endpoints: { win: { url: `${base}/board/{race}`, format: "module", module } },
            },
          ],
          http: { retries: 0, minHostDelayMs: 0 },
        }),
      ),
      source: path.join(examples, "totewatch.yaml"),
    });
    const board = "RACE 2  POOL 9,000\n1  5-2  3,000\n2  7x2  1,000\n3  SCR\n";

    it("reads a URL through the example module: its messages checked, its problem listed", async () => {
      const server = await startTestServer();
      try {
        server.routes.set("/board/2", (_req, res) => {
          res.writeHead(200, { "content-type": "text/plain" }).end(board);
        });
        const result = await runProbe(
          moduleConfig(server.url, "./adapters/plain-text-board.ts"),
          `${server.url}/board/{race}`,
          { track: "Test Downs", kind: "win", race: 2, date: "2025-09-12" },
        );
        if (!result.ok) throw new Error(result.usage);
        const { report } = result;
        expect(server.requests).toContain("/board/2");
        // Runner 1 at 5-2 with $3,000, 3 SCR; 2's "7x2" is the module's one problem. Pool 9,000.
        expect(report.rows.map((row) => [row[1], row[2], row[3], row[4], row[5], row[6], row[7]])).toEqual([
          ["win", "2", "1", "5-2", "3000", "pool 9000", "ok"],
          ["win", "2", "3", "SCR", "", "pool 9000", ""],
        ]);
        expect(report.problems.map((p) => [p.field, p.query, p.text])).toEqual([
          ["win lines[1].odds", "module ./adapters/plain-text-board.ts", "7x2"],
        ]);
      } finally {
        await server.close();
      }
    });

    it("reads a local file the same way", async () => {
      const file = path.join(mkdtempSync(path.join(tmpdir(), "totewatch-probe-")), "board.txt");
      writeFileSync(file, board);
      const result = await runProbe(
        moduleConfig("http://127.0.0.1:9", "./adapters/plain-text-board.ts"),
        file,
        {
          track: "Test Downs",
          kind: "win",
          race: 2,
          date: "2025-09-12",
        },
      );
      if (!result.ok) throw new Error(result.usage);
      expect(result.report.rows.map((row) => row[3])).toEqual(["1", "3"]);
      expect(result.report.invalid).toBe(0);
    });

    it("is a usage error, naming track, endpoint and path, when the module cannot be imported", async () => {
      const result = await runProbe(moduleConfig("http://127.0.0.1:9", "./adapters/nope.ts"), "x.txt", {
        track: "Test Downs",
        kind: "win",
        race: 2,
      });
      expect(result.ok).toBe(false);
      expect(!result.ok && result.usage).toMatch(
        /tracks\[0\]\.endpoints\.win\.module: track "Test Downs" win endpoint: module \.\/adapters\/nope\.ts \(.*examples\/adapters\/nope\.ts\): cannot be imported/,
      );
    });
  });
});
