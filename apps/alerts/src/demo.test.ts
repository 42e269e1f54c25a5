import path from "node:path";
import { describe, expect, it } from "vitest";
import { databaseArgument, formatDemoSummary, type DemoSummary } from "./demo.js";

const summary: DemoSummary = {
  database: "/home/me/totewatch/data/demo.db",
  date: "2026-12-02",
  ingest: {
    messages: 1_204,
    applied: 1_204,
    unchanged: 0,
    invalid: 0,
    rows: 20_000,
    elapsedMs: 900,
    messagesPerSecond: 1_337,
    interrupted: false,
  } as DemoSummary["ingest"],
  daemon: { winSnapshots: 400, exactaGrids: 380, raised: 55, delivered: 55 } as DemoSummary["daemon"],
  activity: {
    races: 16,
    winSnapshots: 400,
    winRows: 4_000,
    exactaGrids: 380,
    exactaRows: 40_000,
  } as DemoSummary["activity"],
  alertsByRule: [
    { alertType: "exacta_overlay", count: 26 },
    { alertType: "steam", count: 2 },
  ],
  strongest: [],
  wallSeconds: 5.3,
};

describe("formatDemoSummary", () => {
  it("ends with commands that read the demo's database, not the config's data/horses.db", () => {
    const text = formatDemoSummary(summary, { cwd: "/home/me/totewatch" });
    const commands = text.split("\n").filter((line) => line.trimStart().startsWith("pnpm alerts"));
    expect(commands.map((line) => line.trim())).toEqual([
      "pnpm alerts list --db data/demo.db",
      "pnpm alerts backtest --from 2026-12-02 --to 2026-12-02 --db data/demo.db",
    ]);
  });

  it("puts --db on a continuation line when a long url would pass 100 columns", () => {
    // 71 characters, shown quoted (73).
    const url = "postgresql://totewatch@db.example.internal:5432/totewatch_syndicate_day";
    const text = formatDemoSummary({ ...summary, database: url });
    // "  pnpm alerts backtest --from 2026-12-02 --to 2026-12-02 --db " (62) + 73 = 135 columns: folded.
    expect(text).toContain(
      `  pnpm alerts backtest --from 2026-12-02 --to 2026-12-02 \\\n    --db '${url}'\n`,
    );
    // "  pnpm alerts list --db " (24) + 73 = 97 columns: one line.
    expect(text).toContain(`  pnpm alerts list --db '${url}'\n`);
    for (const line of text.split("\n")) expect([...line].length).toBeLessThanOrEqual(100);
  });

  it("says how to open the same day in the dashboard", () => {
    const text = formatDemoSummary(summary, { cwd: "/home/me/totewatch" });
    expect(text).toContain(
      "  pnpm dashboard --db data/demo.db\n  then open http://127.0.0.1:8080/?date=2026-12-02\n",
    );
    expect(text).toContain("pnpm demo --live");
  });

  it("names the database absolutely when it is not under the folder the demo ran in", () => {
    const text = formatDemoSummary(summary, { cwd: "/home/me/elsewhere" });
    expect(text).toContain("pnpm alerts list --db /home/me/totewatch/data/demo.db\n");
  });

  it("fits 100 columns, the note on a day already stored included", () => {
    const again = { ...summary, ingest: { ...summary.ingest, applied: 0, unchanged: 1_204 } };
    const text = formatDemoSummary(again, { cwd: "/home/me/totewatch" });
    expect(text).toContain("This day was already in the database");
    for (const line of text.split("\n")) expect([...line].length).toBeLessThanOrEqual(100);
  });
});

describe("databaseArgument", () => {
  it("is relative inside the folder, absolute outside it, quoted when the shell needs it", () => {
    const cwd = path.resolve("/srv/tw");
    expect(databaseArgument(path.join(cwd, "data", "demo.db"), cwd)).toBe(path.join("data", "demo.db"));
    expect(databaseArgument(path.resolve("/tmp/x/demo.db"), cwd)).toBe(path.resolve("/tmp/x/demo.db"));
    expect(databaseArgument(path.join(cwd, "my data", "demo.db"), cwd)).toBe(
      `'${path.join("my data", "demo.db")}'`,
    );
    expect(databaseArgument(path.join(cwd, "it's", "demo.db"), cwd)).toBe(`'it'\\''s/demo.db'`);
  });

  it("is a PostgreSQL url as given, quoted, with its password masked", () => {
    expect(databaseArgument("postgresql://tw:hunter2@db.example:5432/totewatch", "/srv/tw")).toBe(
      "'postgresql://tw:***@db.example:5432/totewatch'",
    );
    expect(databaseArgument("postgresql://postgres@127.0.0.1:55432/demo", "/srv/tw")).toBe(
      "'postgresql://postgres@127.0.0.1:55432/demo'",
    );
  });
});
