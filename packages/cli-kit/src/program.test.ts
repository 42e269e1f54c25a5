import { Writable } from "node:stream";
import { ConfigError } from "@totewatch/config";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { EXIT } from "./exit-codes.js";
import { wholeNumber } from "./options.js";
import { runProgram } from "./program.js";

function sink(): { stream: Writable; text: () => string } {
  let text = "";
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString("utf8");
      done();
    },
  });
  return { stream, text: () => text };
}

/** A program with one command whose action records what it got, or throws. */
function program(seen: number[], err: Writable): Command {
  const root = new Command("tool").configureOutput({ writeErr: (s) => err.write(s), writeOut: () => {} });
  root
    .command("go")
    .option("--n <n>", "a count", wholeNumber("--n", { min: 1 }), 1)
    .option("--fail", "throw from the action")
    .option("--bad-config", "throw a ConfigError from the action")
    .action((options: { n: number; fail?: boolean; badConfig?: boolean }) => {
      if (options.fail) throw new Error("the receiver is down");
      if (options.badConfig) throw new ConfigError("t.yaml", [{ path: "log.level", message: "not a level" }]);
      seen.push(options.n);
    });
  return root;
}

describe("runProgram", () => {
  it("runs the command and exits 0", async () => {
    const seen: number[] = [];
    const err = sink();
    expect(
      await runProgram(program(seen, err.stream), ["go", "--n", "3"], { name: "tool", stderr: err.stream }),
    ).toBe(EXIT.ok);
    expect(seen).toEqual([3]);
    expect(err.text()).toBe("");
  });

  it("exits 2 on a bad option value or an unknown option, with commander's message, running nothing", async () => {
    const seen: number[] = [];
    const err = sink();
    const bad = await runProgram(program(seen, err.stream), ["go", "--n", "0"], {
      name: "tool",
      stderr: err.stream,
    });
    expect(bad).toBe(EXIT.usage);
    expect(err.text()).toContain("--n must be a whole number >= 1");
    const unknown = await runProgram(program(seen, err.stream), ["go", "--nope"], {
      name: "tool",
      stderr: err.stream,
    });
    expect(unknown).toBe(EXIT.usage);
    expect(err.text()).toContain("unknown option '--nope'");
    expect(seen).toEqual([]);
  });

  it("exits 0 on --help", async () => {
    const err = sink();
    expect(await runProgram(program([], err.stream), ["--help"], { name: "tool", stderr: err.stream })).toBe(
      EXIT.ok,
    );
  });

  it("prints an action's error as 'name: message' and exits 1", async () => {
    const err = sink();
    const code = await runProgram(program([], err.stream), ["go", "--fail"], {
      name: "tool",
      stderr: err.stream,
    });
    expect(code).toBe(EXIT.failed);
    expect(err.text()).toBe("tool: the receiver is down\n");
  });

  it("exits 2 on a bad configuration (nothing was done), printing where it is wrong", async () => {
    const err = sink();
    const code = await runProgram(program([], err.stream), ["go", "--bad-config"], {
      name: "tool",
      stderr: err.stream,
    });
    expect(code).toBe(EXIT.usage);
    expect(err.text()).toMatch(/^tool: t\.yaml: .*log\.level.*not a level/);
  });
});
