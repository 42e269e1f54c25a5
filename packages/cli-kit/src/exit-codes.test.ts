import os from "node:os";
import { describe, expect, it } from "vitest";
import { EXIT } from "./exit-codes.js";

describe("EXIT", () => {
  it("uses the shell's conventions: 0 ok, 1 failed, 2 usage, 128 + SIGINT when interrupted", () => {
    expect(EXIT).toEqual({ ok: 0, failed: 1, usage: 2, interrupted: 128 + os.constants.signals.SIGINT });
  });
});
