import { freshDatabaseFile } from "@totewatch/test-utils";
import { existsSync, mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { ROOT as root, run, totewatch } from "../test/run.js";

const fixtures = path.join(root, "apps/ingest/test-fixtures");
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

describe("the totewatch command", { timeout: 120_000 }, () => {
  it("--help exits 0 listing the commands and the exit codes", async () => {
    const help = await totewatch(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stderr).toBe("");
    expect(help.stdout).toMatch(/^ {2}ingest <command> /m);
    expect(help.stdout).toMatch(/^ {2}130 +stopped at once/m);
  });

  it("a bad option is one line and exit 2, its own or a command's", async () => {
    const own = await totewatch(["--bogus"]);
    expect(own.code).toBe(2);
    expect(own.stdout).toBe("");
    expect(own.stderr).toBe("totewatch: unknown option '--bogus' (totewatch --help lists the commands)\n");

    // The ingest command line answers for itself; totewatch adds nothing around it.
    const ingest = await totewatch(["ingest", "--bogus"]);
    expect(ingest.code).toBe(2);
    expect(ingest.stdout).toBe("");
    expect(ingest.stderr.split("\n")[0]).toBe("error: unknown option '--bogus'");
    const direct = await run(process.execPath, [
      "--import",
      tsxLoader,
      path.join(root, "apps/ingest/src/cli.ts"),
      "--bogus",
    ]);
    expect(direct.code).toBe(2);
    expect(ingest.stderr).toBe(direct.stderr);
  });

  it("passes exit codes through: 1 for --strict with invalid messages, 0 without, 2 for a bad db option", async () => {
    const db = freshDatabaseFile("totewatch-cli");
    const invalid = path.join(fixtures, "invalid-day.jsonl");
    const strict = await totewatch(["ingest", "replay", invalid, "--db", db, "--strict", "--quiet"]);
    expect(strict.code).toBe(1);
    const lenient = await totewatch(["ingest", "replay", invalid, "--db", db, "--quiet"]);
    expect(lenient.code).toBe(0);
    const badDb = await totewatch(["db", "migrate", "--bogus"]);
    expect(badDb.code).toBe(2);
    expect(badDb.stderr).toMatch(/unknown option '--bogus'/);
  });

  it("runs packages/db's scripts: db migrate creates the database DATABASE_URL names", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "totewatch-db-"));
    const file = path.join(dir, "new.db");
    const migrate = await totewatch(["db", "migrate"], { env: { DATABASE_URL: `file:${file}` } });
    expect(migrate.stderr).toBe("");
    expect(migrate.code).toBe(0);
    expect(existsSync(file)).toBe(true);
  });

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`passes ${signal} sent to it alone on to the command, which stops cleanly (exit 0)`, async () => {
      const config = path.join(mkdtempSync(path.join(os.tmpdir(), "totewatch-sample-")), "sample.yaml");
      let sent = false;
      const served = await totewatch(
        ["ingest", "serve-sample", "--port", "0", "--tracks", "1", "--write-config", config],
        {
          onStdout: (text, child) => {
            if (sent || !text.includes("sample tote on")) return;
            sent = true;
            // To the totewatch process only, as `kill <pid>` would: not to its process group.
            child.kill(signal);
          },
        },
      );
      expect(sent).toBe(true);
      expect(served.stderr).toBe("");
      expect(served.signal).toBe(null);
      expect(served.code).toBe(0);
      expect(served.stdout).toMatch(/sample tote stopped/);
    });
  }
});

describe("pnpm at the repository root", { timeout: 120_000 }, () => {
  it("`pnpm totewatch` and the shortcuts print nothing of pnpm's and keep the exit code", async () => {
    const own = await run("pnpm", ["totewatch", "--bogus"], { cwd: root });
    expect(own.code).toBe(2);
    expect(own.stdout).toBe("");
    expect(own.stderr).toBe("totewatch: unknown option '--bogus' (totewatch --help lists the commands)\n");

    const ingest = await run("pnpm", ["ingest", "--bogus"], { cwd: root });
    expect(ingest.code).toBe(2);
    expect(ingest.stderr.split("\n")[0]).toBe("error: unknown option '--bogus'");
    expect(ingest.stderr).not.toMatch(/ELIFECYCLE|ERR_PNPM|^\$ /m);
  });
});
