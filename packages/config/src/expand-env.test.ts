import { describe, expect, it } from "vitest";
import { ConfigError } from "./config-error.js";
import { parseConfig } from "./config.js";
import { expandReferences } from "./expand-env.js";

/** The problems a config text produces, one line each. */
function problemsOf(yamlText: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(yamlText, "totewatch.yaml", env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message.split("\n");
  }
  throw new Error("expected a ConfigError");
}

/** A config with the webhook enabled and its secret written as `secretYaml`. */
function webhookSecret(secretYaml: string, env: NodeJS.ProcessEnv): string | undefined {
  const text = [
    "alerts:",
    "  channels:",
    "    webhook:",
    "      enabled: true",
    "      url: http://127.0.0.1:9000/hook",
    `      secret: ${secretYaml}`,
    "",
  ].join("\n");
  return parseConfig(text, "<inline>", env).alerts.channels.webhook.secret;
}

describe("expandReferences", () => {
  it("replaces ${NAME} with the variable's value, and ${NAME:-default} when it is unset or empty", () => {
    const env = { SECRET: "abc", USER_NAME: "me", EMPTY: "" };
    expect(expandReferences("${SECRET}/${USER_NAME}", env)).toEqual({ value: "abc/me", problems: [] });
    expect(expandReferences("${PORT:-587}", {}).value).toBe("587");
    expect(expandReferences("${PORT:-587}", { PORT: "" }).value).toBe("587");
    expect(expandReferences("${PORT:-587}", { PORT: "2525" }).value).toBe("2525");
    expect(expandReferences("${URL:-http://h:1/x}", {}).value).toBe("http://h:1/x");
    expect(expandReferences("${EMPTY}", env).value).toBe("");
  });

  it("turns $${X} into a literal ${X} and inserts values as they are (never expanded again)", () => {
    expect(expandReferences("$${NOT_A_VAR} and ${A}", { A: "1" }).value).toBe("${NOT_A_VAR} and 1");
    expect(expandReferences("${A}", { A: "${B} $${C} \\t" }).value).toBe("${B} $${C} \\t");
  });

  it("reports unset variables and malformed references with their index", () => {
    expect(expandReferences("x ${A} ${B:-b} ${C}", {}).problems).toEqual([
      {
        index: 2,
        reference: "${A}",
        unset: "A",
        message: "environment variable A is not set (referenced as ${A})",
      },
      {
        index: 15,
        reference: "${C}",
        unset: "C",
        message: "environment variable C is not set (referenced as ${C})",
      },
    ]);
    expect(expandReferences("${}", {}).problems[0]?.message).toMatch(
      /^malformed variable reference "\$\{\}"/,
    );
    expect(expandReferences("${NOT CLOSED", {}).problems[0]?.message).toMatch(/malformed.*"\$\{NOT CLOSED"/);
    expect(expandReferences("${1ABC}", {}).problems[0]?.unset).toBeUndefined();
  });
});

describe("${VAR} in totewatch.yaml", () => {
  // Each of these broke, or was silently changed, when references were expanded in the text.
  const secrets = {
    "backslash-t (not a tab)": "tab\\tsecret",
    "a real tab": "tab\tsecret",
    backslashes: "C:\\new\\x41\\",
    "double quotes": 'say "hi"',
    "single quotes": "it's",
    "dollars and references": "$a$$b ${B} $${C} $",
    unicode: "pässwörd ✓ 🐎 \u00a0",
    "comment and mapping marks": "a # b: c",
    "a newline": "line1\nline2",
    "leading and trailing spaces": "  padded  ",
    "YAML-like text": "[1, 2] {a: 1} &x *y !tag |",
    "a number": "0123456",
    "a boolean": "true",
    "null-like": "~",
  };

  it("passes every secret through byte for byte: plain, double-quoted, single-quoted or in a block", () => {
    for (const [what, secret] of Object.entries(secrets)) {
      const env = { TOTEWATCH_WEBHOOK_SECRET: secret };
      expect(webhookSecret("${TOTEWATCH_WEBHOOK_SECRET}", env), `${what}, plain`).toBe(secret);
      expect(webhookSecret('"${TOTEWATCH_WEBHOOK_SECRET}"', env), `${what}, double-quoted`).toBe(secret);
      expect(webhookSecret("'${TOTEWATCH_WEBHOOK_SECRET}'", env), `${what}, single-quoted`).toBe(secret);
      expect(webhookSecret("pre-${TOTEWATCH_WEBHOOK_SECRET}-post", env), `${what}, within text`).toBe(
        `pre-${secret}-post`,
      );
      expect(webhookSecret("|-\n        ${TOTEWATCH_WEBHOOK_SECRET}", env), `${what}, block`).toBe(secret);
    }
  });

  it("reads an unquoted reference as a number or boolean where the setting is one", () => {
    const config = parseConfig(
      "alerts:\n  channels:\n    email:\n      port: ${SMTP_PORT}\n      secure: ${SMTP_SECURE:-false}\n" +
        "  rules:\n    exactaPayout:\n      max: ${MAX_PAYOUT:-~}\n",
      "<inline>",
      { SMTP_PORT: "2525" },
    );
    expect(config.alerts.channels.email.port).toBe(2525);
    expect(config.alerts.channels.email.secure).toBe(false);
    expect(config.alerts.rules.exactaPayout.max).toBeNull();
    // Quoted, it is text, as YAML reads a quoted "2525".
    expect(
      problemsOf('alerts:\n  channels:\n    email:\n      port: "${SMTP_PORT}"\n', { SMTP_PORT: "2525" }),
    ).toEqual([
      'totewatch.yaml: alerts.channels.email.port: expected number, received string "2525" (line 4)',
    ]);
    expect(problemsOf("http:\n  timeoutMs: ${T}\n", { T: "soon" })).toEqual([
      'totewatch.yaml: http.timeoutMs: expected number, received string "soon" (line 2)',
    ]);
  });

  it("keeps $${ as a literal ${, and leaves keys and comments alone", () => {
    const track = [
      "# secret: ${UNSET_IN_A_COMMENT}",
      "tracks:",
      "  - name: $${NOT_A_VAR} ${A} # ${ALSO_UNSET}",
      "    code: X",
      "    races: 3",
      "    pools: [win]",
      "    endpoints:",
      '      win: "http://h/{race}#${A}"',
      "",
    ].join("\n");
    const config = parseConfig(track, "<inline>", { A: "1" });
    expect(config.tracks[0]?.name).toBe("${NOT_A_VAR} 1");
    expect(config.tracks[0]?.endpoints.win).toBe("http://h/{race}#1");
    // A key is not expanded: this override names the track "${NOT_A_VAR} ${A}", as written.
    expect(
      problemsOf(`${track}alerts:\n  trackOverrides:\n    \${NOT_A_VAR} \${A}:\n      steam: {}\n`, {
        A: "1",
      }),
    ).toEqual([
      'totewatch.yaml: alerts.trackOverrides["${NOT_A_VAR} ${A}"]: no track named "${NOT_A_VAR} ${A}" (tracks: "${NOT_A_VAR} 1") (line 11)',
    ]);
  });

  it("names every unset variable with its line and column", () => {
    expect(
      problemsOf('a: 1\nsecret: ${WEBHOOK_SECRET}\nuser: ${SMTP_USER:-x}\npass: "x ${SMTP_PASS}"\n'),
    ).toEqual([
      "totewatch.yaml:2:9: environment variable WEBHOOK_SECRET is not set (referenced as ${WEBHOOK_SECRET})",
      "totewatch.yaml:4:10: environment variable SMTP_PASS is not set (referenced as ${SMTP_PASS})",
    ]);
    expect(
      problemsOf(
        "alerts:\n  channels:\n    webhook:\n      enabled: true\n      secret: ${WEBHOOK_SECRET}\n",
      ),
    ).toEqual([
      "totewatch.yaml:5:15: environment variable WEBHOOK_SECRET is not set (referenced as ${WEBHOOK_SECRET})",
    ]);
  });

  it("rejects malformed references with their position", () => {
    expect(problemsOf("log:\n  level: ${}\n")).toEqual([
      'totewatch.yaml:2:10: malformed variable reference "${}" (use ${NAME} or ${NAME:-default}; write $${ for a literal ${)',
    ]);
    expect(problemsOf("log:\n  level: ${NOT CLOSED\n")[0]).toMatch(
      /:2:10: malformed variable reference "\$\{NOT CLOSED"/,
    );
  });

  it("says to quote a reference inside [ ] or { }", () => {
    expect(problemsOf("alerts:\n  channels:\n    email:\n      to: [${ALERT_TO}]\n")[0]).toMatch(
      /^totewatch\.yaml:4:\d+: .* \(inside \[ \] or \{ \}, quote a reference: \["\$\{NAME\}"\]\)$/,
    );
    const config = parseConfig('alerts:\n  channels:\n    email:\n      to: ["${ALERT_TO}"]\n', "<inline>", {
      ALERT_TO: "ops@example.com",
    });
    expect(config.alerts.channels.email.to).toEqual(["ops@example.com"]);
  });
});

describe("a disabled alert channel", () => {
  const channels = [
    "alerts:",
    "  channels:",
    "    webhook:",
    "      enabled: ENABLED",
    "      url: http://127.0.0.1:9000/hook",
    "      secret: ${TOTEWATCH_WEBHOOK_SECRET}",
    "    email:",
    "      host: smtp.example.com",
    "      user: ${SMTP_USER}",
    "      pass: ${SMTP_PASS}",
    "      from: t@example.com",
    '      to: ["${ALERT_TO}", ops@example.com]',
    "",
  ].join("\n");

  it("needs none of its variables: their settings are left unset", () => {
    const config = parseConfig(channels.replace("ENABLED", "false"), "<inline>", { SMTP_USER: "mailer" });
    expect(config.alerts.channels.webhook).toEqual({
      enabled: false,
      url: "http://127.0.0.1:9000/hook",
      timeoutMs: 5000,
    });
    expect(config.alerts.channels.email).toMatchObject({
      enabled: false,
      user: "mailer",
      to: ["ops@example.com"],
    });
    expect(config.alerts.channels.email.pass).toBeUndefined();
  });

  it("still needs them once enabled, including through a variable", () => {
    expect(problemsOf(channels.replace("ENABLED", "true"), { SMTP_USER: "mailer" })).toEqual([
      "totewatch.yaml:6:15: environment variable TOTEWATCH_WEBHOOK_SECRET is not set (referenced as ${TOTEWATCH_WEBHOOK_SECRET})",
    ]);
    const enabledByEnv = channels.replace("ENABLED", "${WEBHOOK_ON:-false}");
    expect(parseConfig(enabledByEnv, "<inline>", {}).alerts.channels.webhook.enabled).toBe(false);
    expect(problemsOf(enabledByEnv, { WEBHOOK_ON: "true" })).toEqual([
      "totewatch.yaml:6:15: environment variable TOTEWATCH_WEBHOOK_SECRET is not set (referenced as ${TOTEWATCH_WEBHOOK_SECRET})",
    ]);
    // A reference in `enabled` itself is always needed.
    expect(problemsOf(channels.replace("ENABLED", "${WEBHOOK_ON}"))).toEqual([
      "totewatch.yaml:4:16: environment variable WEBHOOK_ON is not set (referenced as ${WEBHOOK_ON})",
    ]);
  });

  it("still rejects a malformed reference", () => {
    expect(problemsOf(channels.replace("ENABLED", "false").replace("${SMTP_PASS}", "${SMTP PASS}"))).toEqual([
      'totewatch.yaml:10:13: malformed variable reference "${SMTP PASS}" (use ${NAME} or ${NAME:-default}; write $${ for a literal ${)',
    ]);
  });
});
