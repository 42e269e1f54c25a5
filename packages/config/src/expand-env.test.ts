import { describe, expect, it } from "vitest";
import { ConfigError } from "./config-error.js";
import { expandEnv } from "./expand-env.js";
import { parseConfig } from "./config.js";

describe("expandEnv", () => {
  it("replaces ${NAME} with the variable's value", () => {
    expect(expandEnv("secret: ${SECRET}\nuser: ${USER_NAME}", { SECRET: "abc", USER_NAME: "me" })).toBe(
      "secret: abc\nuser: me",
    );
  });

  it("uses ${NAME:-default} when the variable is unset or empty", () => {
    expect(expandEnv("port: ${PORT:-587}", {})).toBe("port: 587");
    expect(expandEnv("port: ${PORT:-587}", { PORT: "" })).toBe("port: 587");
    expect(expandEnv("port: ${PORT:-587}", { PORT: "2525" })).toBe("port: 2525");
    expect(expandEnv("url: ${URL:-http://h:1/x}", {})).toBe("url: http://h:1/x");
    expect(expandEnv("x: ${EMPTY_OK}", { EMPTY_OK: "" })).toBe("x: ");
  });

  it("turns $${X} into a literal ${X}", () => {
    expect(expandEnv("template: $${NOT_A_VAR} and ${A}", { A: "1" })).toBe("template: ${NOT_A_VAR} and 1");
  });

  it("leaves references in comments alone", () => {
    expect(expandEnv("# pass: ${SMTP_PASS}\nuser: x # ${ALSO_UNSET}\n", {})).toBe(
      "# pass: ${SMTP_PASS}\nuser: x # ${ALSO_UNSET}\n",
    );
    // A quoted '#' is not a comment.
    expect(expandEnv('x: "a # ${A}"', { A: "1" })).toBe('x: "a # 1"');
  });

  it("names every unset variable with its line and column", () => {
    let error: unknown;
    try {
      expandEnv(
        "a: 1\nsecret: ${WEBHOOK_SECRET}\nuser: ${SMTP_USER:-x}\npass: ${SMTP_PASS}\n",
        {},
        "totewatch.yaml",
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      [
        "totewatch.yaml:2:9: environment variable WEBHOOK_SECRET is not set (referenced as ${WEBHOOK_SECRET})",
        "totewatch.yaml:4:7: environment variable SMTP_PASS is not set (referenced as ${SMTP_PASS})",
      ].join("\n"),
    );
    expect((error as ConfigError).problems.map((problem) => problem.line)).toEqual([2, 4]);
  });

  it("rejects malformed references", () => {
    expect(() => expandEnv("a: ${}\n", {})).toThrow(/<inline>:1:4: malformed variable reference "\$\{\}"/);
    expect(() => expandEnv("a: ${NOT CLOSED\n", {})).toThrow(/malformed variable reference "\$\{NOT CLOSED"/);
    expect(() => expandEnv("a: ${1ABC}\n", {})).toThrow(/malformed/);
  });

  it("expands before parsing, so values take their YAML types", () => {
    const config = parseConfig("alerts:\n  channels:\n    email:\n      port: ${SMTP_PORT}\n", "<inline>", {
      SMTP_PORT: "2525",
    });
    expect(config.alerts.channels.email.port).toBe(2525);
  });
});
