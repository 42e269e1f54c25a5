/**
 * `ingest probe`: a track's adapter run once on a local file and on a URL served on 127.0.0.1,
 * the report listing the messages it made (checked as poll checks them) and every field it
 * could not read; no database is opened (none is configured here).
 */
import path from "node:path";
import { readFileSync } from "node:fs";
import { parseConfig } from "@totewatch/config";
import { startTestServer } from "@totewatch/test-utils";
import { describe, expect, it } from "vitest";
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
      expect(server.requests).toEqual(["/exacta/3"]);
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

  it("names the configured tracks when --track matches none", async () => {
    const result = await runProbe(config("http://127.0.0.1:9"), "x.html", { track: "Nowhere", kind: "win" });
    expect(result).toEqual({
      ok: false,
      usage: 'no track named "Nowhere" in the config (configured: Test Downs)',
    });
  });
});
