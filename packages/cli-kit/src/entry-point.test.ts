import { mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { isEntryPoint } from "./entry-point.js";

describe("isEntryPoint", () => {
  const argv = [...process.argv];
  afterEach(() => {
    process.argv.splice(0, process.argv.length, ...argv);
  });

  it("matches the script node was started with, also through a symlink, and nothing else", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "totewatch-entry-"));
    const script = path.join(dir, "cli.ts");
    const other = path.join(dir, "demo.ts");
    const link = path.join(dir, "alerts");
    writeFileSync(script, "");
    writeFileSync(other, "");
    symlinkSync(script, link);
    const url = pathToFileURL(script).href;

    process.argv[1] = script;
    expect(isEntryPoint(url)).toBe(true);
    process.argv[1] = link;
    expect(isEntryPoint(url)).toBe(true);
    process.argv[1] = other;
    expect(isEntryPoint(url)).toBe(false);
    process.argv[1] = path.join(dir, "missing.ts");
    expect(isEntryPoint(url)).toBe(false);
    process.argv.splice(1);
    expect(isEntryPoint(url)).toBe(false);
  });
});
