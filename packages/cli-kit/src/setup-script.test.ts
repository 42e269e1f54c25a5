// scripts/setup.sh (the repository root's; the root is no vitest project, and this package is
// the command-line experience): the install is quiet unless it fails.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const setupScript = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../scripts/setup.sh");
const GYP_NOISE =
  "gyp info it worked if it ends with ok\ngyp info spawn make\n" +
  "  CXX(target) Release/obj.target/better_sqlite3/src/better_sqlite3.o\n";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs setup.sh with a stand-in pnpm (already 12.4.2) whose install prints gyp noise and exits `code`. */
function runSetup(code: number): { status: number | null; output: string; tmp: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "totewatch-setup-test-"));
  dirs.push(dir);
  const bin = path.join(dir, "bin");
  const tmp = path.join(dir, "tmp");
  for (const folder of [bin, tmp]) mkdirSync(folder);
  const pnpm = path.join(bin, "pnpm");
  writeFileSync(
    pnpm,
    `#!/usr/bin/env bash\n` +
      `if [ "$1" = "--version" ]; then echo 12.4.2; exit 0; fi\n` +
      `cat <<'NOISE'\n${GYP_NOISE}NOISE\n` +
      `echo "gyp ERR! build error" >&2\n` +
      `exit ${code}\n`,
  );
  chmodSync(pnpm, 0o755);
  const run = spawnSync("bash", [setupScript], {
    encoding: "utf8",
    env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`, TMPDIR: tmp },
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}`, tmp };
}

describe("scripts/setup.sh", () => {
  it("keeps the install's build output out of sight when it succeeds, and leaves no log", () => {
    const { status, output, tmp } = runSetup(0);
    expect(status).toBe(0);
    expect(output).not.toContain("gyp");
    expect(output).toContain("Dependencies installed.");
    expect(readdirSync(tmp)).toEqual([]);
  });

  it("shows the whole output and where its log is when the install fails, with pnpm's exit code", () => {
    const { status, output, tmp } = runSetup(7);
    expect(status).toBe(7);
    expect(output).toContain(GYP_NOISE);
    expect(output).toContain("gyp ERR! build error");
    const [log] = readdirSync(tmp);
    expect(log).toBeDefined();
    const logPath = path.join(tmp, log!);
    expect(output).toContain(`pnpm install failed (exit 7); its output is above and in ${logPath}`);
    expect(readFileSync(logPath, "utf8")).toContain(GYP_NOISE);
  });
});
