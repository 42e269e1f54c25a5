import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { freshPostgresDatabase, quietLogger, testEngine } from "@totewatch/test-utils";
import { afterAll, describe, expect, it } from "vitest";
import { main as alertsCli } from "./cli.js";
import { formatDemoSummary, runDemo } from "./demo.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "totewatch-demo-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

describe("pnpm demo", () => {
  it(
    "prints alert lines with their track's zone and a summary, every line within 100 columns, " +
      "and its closing commands read the demo's database",
    { timeout: 120_000 },
    async () => {
      // A file the demo makes on SQLite; an empty database in the postgres project.
      const db =
        testEngine() === "postgres" ? await freshPostgresDatabase("demo") : path.join(dir, "demo.db");
      const out = capture();
      const summary = await runDemo({
        db,
        reset: true,
        tracks: 2,
        races: 3,
        seed: 1,
        date: "2025-06-01",
        stdout: out.stream,
        logger: quietLogger(),
      });
      const lines = out.text().split("\n");
      const tooWide = lines.filter((line) => [...line].length > 100);
      expect(tooWide).toEqual([]);

      // Two tracks in two zones (the simulator's first two: New York and Los Angeles).
      const alertLines = lines.filter((line) => /^\d\d:\d\d:\d\d [A-Z]/.test(line));
      expect(alertLines.length).toBeGreaterThan(0);
      expect(alertLines.every((line) => /^\d\d:\d\d:\d\d (EDT|PDT) /.test(line))).toBe(true);
      expect(new Set(alertLines.map((line) => line.slice(9, 12)))).toEqual(new Set(["EDT", "PDT"]));
      expect(out.text()).toContain("The five strongest alerts");

      // The closing commands, run as printed (from this folder), read the demo's alerts.
      expect(out.text()).toContain(formatDemoSummary(summary, { cwd: process.cwd() }).split("Next")[1]);
      // A command too long for one line (a postgresql:// url) goes on with a continuation line.
      const commands = out
        .text()
        .replaceAll(" \\\n", " ")
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line.startsWith("pnpm alerts "))
        // As the shell reads them: a single-quoted word (the url) without its quotes.
        .map((line) =>
          line
            .slice("pnpm alerts ".length)
            .split(/ +/)
            .map((word) => word.replace(/^'(.*)'$/, "$1")),
        );
      expect(commands.map((args) => args[0])).toEqual(["list", "backtest"]);
      const config = path.join(dir, "totewatch.yaml");
      writeFileSync(config, "log: { level: warn }\n");
      const total = summary.alertsByRule.reduce((sum, row) => sum + row.count, 0);
      expect(total).toBeGreaterThan(0);
      for (const args of commands) {
        const stdout = capture();
        const stderr = capture();
        const code = await alertsCli([...args, "--config", config], {
          stdout: stdout.stream,
          stderr: stderr.stream,
          env: {},
        });
        expect(code, stderr.text()).toBe(0);
        expect(stdout.text()).not.toContain("No alerts.");
        expect(stdout.text()).toContain(summary.alertsByRule[0]!.alertType);
      }
    },
  );
});
