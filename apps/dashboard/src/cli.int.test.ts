/**
 * `totewatch dashboard` as a user runs it: the refusals to start are one line on stderr and
 * exit 2; a good start prints the URL to open and serves until stopped.
 */
import { PassThrough } from "node:stream";
import { freshTestDatabaseUrl, missingTestDatabaseUrl } from "@totewatch/test-utils";
import { describe, expect, it } from "vitest";
import { main } from "./cli.js";

function capture() {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

async function run(args: string[], signal?: AbortSignal) {
  const stdout = capture();
  const stderr = capture();
  const code = await main(args, { stdout: stdout.stream, stderr: stderr.stream, env: {}, signal });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe("totewatch dashboard", () => {
  it("refuses a public host without a token in one line, exit 2", async () => {
    const result = await run(["--db", await freshTestDatabaseUrl(), "--host", "0.0.0.0", "--port", "0"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n"), result.stderr).toHaveLength(1);
    expect(result.stderr).toContain("dashboard: host 0.0.0.0 can be reached from other machines");
  });

  it("refuses a database that does not exist, naming it, exit 2", async () => {
    const missing = missingTestDatabaseUrl("dash-cli");
    const result = await run(["--db", missing, "--port", "0"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`no database at ${missing} yet`);
  });

  it("prints the URL to open, serves it, and stops when told", async () => {
    const stop = new AbortController();
    const stdout = capture();
    const running = main(["--db", await freshTestDatabaseUrl(), "--port", "0"], {
      stdout: stdout.stream,
      stderr: new PassThrough(),
      env: {},
      signal: stop.signal,
    });
    await expect
      .poll(() => stdout.text(), { timeout: 10_000 })
      .toMatch(/Totewatch dashboard: http:\/\/127\.0\.0\.1:\d+\//);
    const url = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout.text())![1]!;
    expect(((await (await fetch(`${url}healthz`)).json()) as { ok: boolean }).ok).toBe(true);
    stop.abort();
    expect(await running).toBe(0);
  });
});
