import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseConfig, resolveRuleSettings, totewatchConfigSchema } from "./index.js";

const exampleFile = fileURLToPath(new URL("../../../totewatch.example.yaml", import.meta.url));
const exampleEnv = { TOTEWATCH_WEBHOOK_SECRET: "s3cret", SMTP_USER: "mailer", SMTP_PASS: "hunter2" };

/** A config for which every track is pollable, for tests about something else. */
const belmont = `
tracks:
  - name: Belmont Park
    code: BEL
    endpoints:
      card: http://127.0.0.1:8080/{code}/{date}/card
      win: http://127.0.0.1:8080/{code}/{date}/{race}/win
      exacta: http://127.0.0.1:8080/{code}/{date}/{race}/exacta
`;

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

describe("defaults", () => {
  it("an empty text is a complete config", () => {
    const config = parseConfig("", "<inline>", {});
    expect(config).toEqual(totewatchConfigSchema.parse({}));
    expect(config.database.url).toBeUndefined();
    expect(config.log.level).toBe("info");
    expect(config.tracks).toEqual([]);
    expect(config.cadence).toEqual({
      defaultIntervalSeconds: 300,
      nearPostIntervalSeconds: 60,
      nearPostThresholdSeconds: 600,
      finalIntervalSeconds: 20,
      finalThresholdSeconds: 120,
      afterOffSeconds: 600,
      cardRefreshSeconds: 900,
    });
    expect(config.http).toEqual({
      timeoutMs: 10_000,
      minHostDelayMs: 1000,
      retries: 4,
      backoffBaseMs: 1000,
      backoffMaxMs: 60_000,
      failureLogAfter: 3,
      userAgent: "totewatch/0.1",
      maxBodyBytes: 16_777_216,
      robots: "obey",
    });
    expect(config.retention).toEqual({ oddsDays: 30, alertsDays: 90, batchSize: 5000, hourOfDay: 4 });
    expect(config.alerts.pollIntervalMs).toBe(1000);
    expect(config.alerts.rules).toEqual({
      oddsThreshold: { enabled: true, below: 2, above: 50 },
      oddsChange: { enabled: true, minPercent: 30 },
      steam: {
        enabled: true,
        probabilityPoints: 5,
        oddsDropPercent: 35,
        windowMinutes: 10,
        withinMinutesToPost: 20,
      },
      drift: {
        enabled: true,
        probabilityPoints: 5,
        oddsRisePercent: 50,
        windowMinutes: 10,
        withinMinutesToPost: 20,
      },
      scratch: { enabled: true },
      overlay: { enabled: true, ratio: 2, withinMinutesToPost: 10 },
      exactaPayout: { enabled: false, min: null, max: null, combinations: [] },
      crossPool: {
        enabled: true,
        overlayPercent: 100,
        underlayPercent: 50,
        exactaTakeout: 0.2,
        withinMinutesToPost: 10,
        maxWinAgeSeconds: 120,
      },
      lateChange: { enabled: true, minPercent: 20 },
      minPool: { win: 10_000, exacta: 10_000 },
    });
    expect(config.alerts.trackOverrides).toEqual({});
    expect(config.alerts.suppression).toEqual({
      duplicateWindowMinutes: 30,
      maxPerRace: 20,
      maxPerRacePerRule: 3,
    });
    expect(config.alerts.channels).toEqual({
      console: { enabled: true },
      webhook: { enabled: false, timeoutMs: 5000 },
      email: {
        enabled: false,
        port: 587,
        secure: false,
        requireTls: true,
        to: [],
        subjectPrefix: "[Totewatch]",
      },
      telegram: { enabled: false, apiBase: "https://api.telegram.org", timeoutMs: 10_000 },
      discord: { enabled: false, timeoutMs: 10_000 },
      slack: { enabled: false, timeoutMs: 10_000 },
      ntfy: { enabled: false, timeoutMs: 10_000 },
    });
    expect(config.alerts.delivery).toEqual({ maxAttempts: 10, backoffBaseMs: 1000, backoffMaxMs: 300_000 });
  });

  it("a file of comments, or sections left empty, also gives the defaults", () => {
    const defaults = parseConfig("", "<inline>", {});
    expect(parseConfig("# nothing yet\n", "<inline>", {})).toEqual(defaults);
    expect(parseConfig("database:\nlog:\ntracks:\nalerts:\n  rules:\n    steam:\n", "<inline>", {})).toEqual(
      defaults,
    );
  });

  it("fills defaults inside a track and keeps what was written", () => {
    const [track] = parseConfig(belmont, "<inline>", {}).tracks;
    expect(track).toEqual({
      name: "Belmont Park",
      code: "BEL",
      timezone: "America/New_York",
      enabled: true,
      pools: ["win", "exacta"],
      oddsFormat: "odds_to_one",
      dividendUnit: 1,
      currency: "USD",
      endpoints: {
        card: "http://127.0.0.1:8080/{code}/{date}/card",
        win: "http://127.0.0.1:8080/{code}/{date}/{race}/win",
        exacta: "http://127.0.0.1:8080/{code}/{date}/{race}/exacta",
      },
    });
  });

  it("accepts a single address for email.to", () => {
    const config = parseConfig(
      "alerts:\n  channels:\n    email:\n      to: ops@example.com\n",
      "<inline>",
      {},
    );
    expect(config.alerts.channels.email.to).toEqual(["ops@example.com"]);
  });
});

describe("totewatch.example.yaml", () => {
  it("loads, with its secrets taken from the environment", () => {
    const config = loadConfig({ file: exampleFile, env: exampleEnv });
    expect(config.source).toBe(exampleFile);
    expect(config.tracks.map((track) => [track.name, track.code])).toEqual([["Belmont Park", "BEL"]]);
    expect(config.tracks[0]?.endpoints.win).toBe("http://127.0.0.1:8090/{code}/{date}/{race}/win");
    expect(config.alerts.channels.webhook.secret).toBe("s3cret");
    expect(config.alerts.channels.email).toMatchObject({ user: "mailer", pass: "hunter2" });
    expect(config.database.url).toBe(`file:${path.join(path.dirname(exampleFile), "data", "horses.db")}`);
    expect(resolveRuleSettings(config, "Belmont Park").minPool.win).toBe(20_000);
  });

  it("writes out the default rules and suppression, so it documents them", () => {
    const config = loadConfig({ file: exampleFile, env: exampleEnv });
    const defaults = parseConfig("", "<inline>", {});
    expect(config.alerts.rules).toEqual(defaults.alerts.rules);
    expect(config.alerts.suppression).toEqual(defaults.alerts.suppression);
  });

  it("loads with an empty environment: its channels are disabled, so they need no secrets", () => {
    const config = loadConfig({ file: exampleFile, env: {} });
    expect(config.alerts.channels.webhook).toMatchObject({
      enabled: false,
      url: "http://127.0.0.1:9000/totewatch",
    });
    expect(config.alerts.channels.webhook.secret).toBeUndefined();
    expect(config.alerts.channels.email).toMatchObject({
      enabled: false,
      host: "smtp.example.com",
      port: 587,
    });
    expect(config.alerts.channels.email.user).toBeUndefined();
    expect(config.alerts.channels.email.pass).toBeUndefined();
    // Only SMTP_USER set: still fine while email is disabled.
    expect(loadConfig({ file: exampleFile, env: { SMTP_USER: "mailer" } }).alerts.channels.email.user).toBe(
      "mailer",
    );
  });

  it("names each missing secret with its line once its channel is enabled", () => {
    const text = readFileSync(exampleFile, "utf8").replaceAll(
      "enabled: false # url and secret are required when enabled",
      "enabled: true",
    );
    const enabled = text.replace(
      "enabled: false # host, from and to are required when enabled",
      "enabled: true",
    );
    const lines = enabled.split("\n");
    const lineOf = (needle: string) => lines.findIndex((line) => line.includes(needle)) + 1;
    expect(() => parseConfig(enabled, "totewatch.yaml", { SMTP_USER: "mailer" })).toThrow(
      [
        `totewatch.yaml:${lineOf("${TOTEWATCH_WEBHOOK_SECRET}")}:15: environment variable TOTEWATCH_WEBHOOK_SECRET is not set (referenced as \${TOTEWATCH_WEBHOOK_SECRET})`,
        `totewatch.yaml:${lineOf("${SMTP_PASS}")}:13: environment variable SMTP_PASS is not set (referenced as \${SMTP_PASS})`,
      ].join("\n"),
    );
  });
});

describe("phone channels and routing", () => {
  it("the example's chat channels load disabled, their secrets from the environment", () => {
    const config = loadConfig({
      file: exampleFile,
      env: { TOTEWATCH_TELEGRAM_TOKEN: "1:abc", TOTEWATCH_NTFY_TOPIC: "t0pic", TOTEWATCH_NTFY_TOKEN: "tk" },
    });
    expect(config.alerts.channels.telegram).toMatchObject({ enabled: false, token: "1:abc" });
    expect(config.alerts.channels.ntfy).toMatchObject({
      enabled: false,
      url: "https://ntfy.sh/t0pic",
      token: "tk",
      only: { types: ["steam", "scratch"], minStrength: 0.5 },
    });
    expect(loadConfig({ file: exampleFile, env: {} }).alerts.channels.discord.url).toBeUndefined();
  });

  it("names each required key of an enabled chat channel", () => {
    expect(
      problemsOf(
        "alerts:\n  channels:\n    telegram: { enabled: true }\n    discord: { enabled: true }\n" +
          "    slack: { enabled: true }\n    ntfy: { enabled: true }\n",
      ),
    ).toEqual([
      "totewatch.yaml: alerts.channels.telegram.token: required when enabled (line 3)",
      "totewatch.yaml: alerts.channels.telegram.chatId: required when enabled (line 3)",
      "totewatch.yaml: alerts.channels.discord.url: required when enabled (line 4)",
      "totewatch.yaml: alerts.channels.slack.url: required when enabled (line 5)",
      "totewatch.yaml: alerts.channels.ntfy.url: required when enabled (line 6)",
    ]);
  });

  it("only: an unknown alert type is named with its path; any channel takes it", () => {
    const config = parseConfig(
      "alerts:\n  channels:\n    email:\n      only: { types: [steam], tracks: [Anywhere], minStrength: 1 }\n",
      "<inline>",
      {},
    );
    // No tracks configured: any track name is accepted.
    expect(config.alerts.channels.email.only).toEqual({
      types: ["steam"],
      tracks: ["Anywhere"],
      minStrength: 1,
    });
    const [problem] = problemsOf("alerts:\n  channels:\n    console:\n      only: { types: [stem] }\n");
    expect(problem).toMatch(
      /^totewatch\.yaml: alerts\.channels\.console\.only\.types\[0\]: expected one of .*"steam".*received string "stem" \(line 4\)$/,
    );
  });

  it("digestMinutes: a whole number of minutes on any channel; 0 or absent is immediate", () => {
    expect(loadConfig({ file: exampleFile, env: {} }).alerts.channels.email.digestMinutes).toBe(15);
    const names = ["console", "webhook", "email", "telegram", "discord", "slack", "ntfy"] as const;
    const config = parseConfig(
      `alerts:\n  channels:\n${names.map((name, i) => `    ${name}: { digestMinutes: ${i} }\n`).join("")}`,
      "<inline>",
      {},
    );
    expect(names.map((name) => config.alerts.channels[name].digestMinutes)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(parseConfig("", "<inline>", {}).alerts.channels.ntfy.digestMinutes).toBeUndefined();
    expect(problemsOf("alerts:\n  channels:\n    ntfy: { digestMinutes: 1.5 }\n")).toEqual([
      expect.stringMatching(/^totewatch\.yaml: alerts\.channels\.ntfy\.digestMinutes: .*\(line 3\)$/),
    ]);
    expect(problemsOf("alerts:\n  channels:\n    slack: { digestMinutes: -5 }\n")).toEqual([
      expect.stringMatching(/^totewatch\.yaml: alerts\.channels\.slack\.digestMinutes: .*\(line 3\)$/),
    ]);
  });

  it("only.tracks must name configured tracks when there are any", () => {
    const yamlText = `${belmont}alerts:\n  channels:\n    ntfy:\n      only:\n        tracks: [Belmont Park, Saratoga]\n`;
    expect(problemsOf(yamlText)).toEqual([
      expect.stringMatching(
        /^totewatch\.yaml: alerts\.channels\.ntfy\.only\.tracks\[1\]: no track named "Saratoga" \(tracks: "Belmont Park"\)/,
      ),
    ]);
  });
});

describe("errors", () => {
  it("reports a wrong type with its path", () => {
    expect(problemsOf("alerts:\n  rules:\n    steam:\n      windowMinutes: ten\n")).toEqual([
      'totewatch.yaml: alerts.rules.steam.windowMinutes: expected number, received string "ten" (line 4)',
    ]);
  });

  it("reports an unknown key, suggesting the likely one", () => {
    const yamlText = belmont.replace("    endpoints:", "    endpiont: 1\n    endpoints:");
    expect(problemsOf(yamlText)).toEqual([
      'totewatch.yaml: tracks[0].endpiont: unknown key (did you mean "endpoints"?) (line 5)',
    ]);
    expect(problemsOf("colour: blue\n")).toEqual(["totewatch.yaml: colour: unknown key (line 1)"]);
  });

  it("reports a value outside an enum", () => {
    expect(problemsOf("log:\n  level: verbose\n")).toEqual([
      'totewatch.yaml: log.level: expected one of "trace", "debug", "info", "warn", "error", received string "verbose" (line 2)',
    ]);
  });

  it("reports numbers out of range and fractions where whole numbers belong", () => {
    expect(problemsOf("retention:\n  oddsDays: 0\n  batchSize: 2.5\n")).toEqual([
      "totewatch.yaml: retention.oddsDays: must be > 0 (line 2)",
      "totewatch.yaml: retention.batchSize: expected whole number, received number 2.5 (line 3)",
    ]);
    expect(problemsOf("alerts:\n  rules:\n    crossPool:\n      maxWinAgeSeconds: 0\n")).toEqual([
      "totewatch.yaml: alerts.rules.crossPool.maxWinAgeSeconds: must be > 0 (line 4)",
    ]);
  });

  it("reports cadence intervals out of order", () => {
    expect(
      problemsOf(
        "cadence:\n  finalIntervalSeconds: 90\n  nearPostThresholdSeconds: 100\n  finalThresholdSeconds: 200\n",
      ),
    ).toEqual([
      "totewatch.yaml: cadence.finalIntervalSeconds: must not exceed nearPostIntervalSeconds (60) (line 2)",
      "totewatch.yaml: cadence.finalThresholdSeconds: must not exceed nearPostThresholdSeconds (100) (line 4)",
    ]);
    expect(problemsOf("cadence:\n  defaultIntervalSeconds: 30\n")).toEqual([
      "totewatch.yaml: cadence.nearPostIntervalSeconds: must not exceed defaultIntervalSeconds (30) (line 1)",
    ]);
  });

  it("reports a backoff whose base is above its cap (http retries, alert deliveries)", () => {
    expect(
      problemsOf(
        "http:\n  backoffBaseMs: 5000\n  backoffMaxMs: 4000\nalerts:\n  delivery:\n    backoffBaseMs: 400000\n",
      ),
    ).toEqual([
      "totewatch.yaml: http.backoffBaseMs: must not exceed backoffMaxMs (4000) (line 2)",
      "totewatch.yaml: alerts.delivery.backoffBaseMs: must not exceed backoffMaxMs (300000) (line 6)",
    ]);
  });

  it("reports bad tracks: time zone, endpoint templates, missing endpoints, duplicate names", () => {
    const yamlText = `
tracks:
  - name: Saratoga
    timezone: America/Saratoga
    endpoints:
      win: ftp://127.0.0.1/{race}
      exacta: http://127.0.0.1/{code}/{racenumber}
  - name: Saratoga
    code: SAR
    pools: [win]
    endpoints:
      win: http://127.0.0.1/{code}/{race}/win
`;
    expect(problemsOf(yamlText)).toEqual([
      "totewatch.yaml: tracks[0].timezone: not an IANA time zone (e.g. America/New_York) (line 4)",
      'totewatch.yaml: tracks[0].endpoints.win: must be an http(s) URL, got "ftp://127.0.0.1/{race}" (line 6)',
      "totewatch.yaml: tracks[0].endpoints.exacta: unknown placeholder {racenumber} (allowed: {track} {code} {date} {race}) (line 7)",
      "totewatch.yaml: tracks[0].endpoints.exacta: uses {code} but the track has no code (line 7)",
      "totewatch.yaml: tracks[0].races: required when endpoints.card is not set (how many races to poll) (line 3)",
      "totewatch.yaml: tracks[1].races: required when endpoints.card is not set (how many races to poll) (line 8)",
      'totewatch.yaml: tracks[1].name: duplicate track name "Saratoga" (also tracks[0]) (line 8)',
    ]);
  });

  it("reports an endpoint using {code} on a track without a code, and pools without endpoints", () => {
    const yamlText =
      "tracks:\n  - name: Aqueduct\n    races: 9\n    endpoints:\n      win: http://h/{code}/{race}\n";
    expect(problemsOf(yamlText)).toEqual([
      "totewatch.yaml: tracks[0].endpoints.win: uses {code} but the track has no code (line 5)",
      'totewatch.yaml: tracks[0].endpoints.exacta: required: pools includes "exacta" (or remove it from pools, or set enabled: false) (line 4)',
    ]);
    expect(() => parseConfig(`${yamlText}    enabled: false\n`, "<inline>", {})).toThrow("has no code");
    expect(
      parseConfig(
        yamlText.replace("{code}", "{track}").replace("races: 9", "races: 9\n    enabled: false"),
        "x",
        {},
      ).tracks[0]?.enabled,
    ).toBe(false);
  });

  it("requires races when the card endpoint is fetched race by race ({race})", () => {
    const yamlText = `
tracks:
  - name: Del Mar
    code: DMR
    pools: [win]
    endpoints:
      card: http://127.0.0.1/{code}/{date}/{race}/card
      win: http://127.0.0.1/{code}/{date}/{race}/win
`;
    expect(problemsOf(yamlText)).toEqual([
      "totewatch.yaml: tracks[0].races: required when endpoints.card uses {race} (the card is fetched race by race) (line 3)",
    ]);
    expect(parseConfig(`${yamlText}    races: 8\n`, "x", {}).tracks[0]?.races).toBe(8);
    // A card listing the whole day needs no count.
    expect(parseConfig(yamlText.replace("/{race}/card", "/card"), "x", {}).tracks[0]?.races).toBeUndefined();
  });

  it("requires url and secret when the webhook is enabled, host/from/to for email", () => {
    expect(
      problemsOf(
        "alerts:\n  channels:\n    webhook:\n      enabled: true\n    email:\n      enabled: true\n",
      ),
    ).toEqual([
      "totewatch.yaml: alerts.channels.webhook.url: required when enabled (line 3)",
      "totewatch.yaml: alerts.channels.webhook.secret: required when enabled (line 3)",
      "totewatch.yaml: alerts.channels.email.host: required when enabled (line 5)",
      "totewatch.yaml: alerts.channels.email.from: required when enabled (line 5)",
      "totewatch.yaml: alerts.channels.email.to: required when enabled (at least one address) (line 5)",
    ]);
    expect(problemsOf("alerts:\n  channels:\n    webhook:\n      url: mailto:x@example.com\n")).toEqual([
      "totewatch.yaml: alerts.channels.webhook.url: must be an http(s) URL (line 4)",
    ]);
  });

  it("reports malformed exacta combinations", () => {
    expect(
      problemsOf(
        "alerts:\n  rules:\n    exactaPayout:\n      max: 500\n      combinations: [1-2, 3-3, 1/2]\n",
      ),
    ).toEqual([
      "totewatch.yaml: alerts.rules.exactaPayout.combinations[1]: the two runners must differ (line 5)",
      'totewatch.yaml: alerts.rules.exactaPayout.combinations[2]: must look like "1-2" (first-second program numbers) (line 5)',
    ]);
  });

  it("reports overrides for unknown tracks, bad override values, and overrides that break a rule", () => {
    const yamlText = `${belmont}
alerts:
  trackOverrides:
    Belmont Park:
      oddsThreshold: { below: 80 }
      stem: { windowMinutes: 5 }
    Belmont:
      minPool: { win: -1 }
`;
    expect(problemsOf(yamlText)).toEqual([
      'totewatch.yaml: alerts.trackOverrides["Belmont Park"].stem: unknown key (did you mean "steam"?) (line 14)',
      "totewatch.yaml: alerts.trackOverrides.Belmont.minPool.win: must be >= 0 (line 16)",
      'totewatch.yaml: alerts.trackOverrides.Belmont: no track named "Belmont" (tracks: "Belmont Park") (line 15)',
    ]);
    expect(
      problemsOf(
        `${belmont}\nalerts:\n  trackOverrides:\n    Belmont Park:\n      oddsThreshold: { below: 80 }\n`,
      ),
    ).toEqual([
      'totewatch.yaml: alerts.trackOverrides["Belmont Park"].oddsThreshold.below: below must be less than above (line 13)',
    ]);
  });

  it("lists every problem at once", () => {
    const lines = problemsOf(
      "log: { level: loud }\nhttp: { retries: -1 }\ncadnce: {}\nretention: { oddsDays: x }\n",
    );
    expect(lines).toHaveLength(4);
    expect(lines.map((line) => line.split(": ")[1])).toEqual([
      "log.level",
      "http.retries",
      "retention.oddsDays",
      "cadnce",
    ]);
  });

  it("gives YAML syntax errors with line and column", () => {
    expect(problemsOf("log:\n  level: info\n level: debug\n")[0]).toMatch(/^totewatch\.yaml:3:\d+: /);
    expect(problemsOf("log: {level: debug}\nlog: {}\n")).toEqual([
      "totewatch.yaml:2:1: Map keys must be unique",
    ]);
  });

  it("rejects a file that is not a mapping", () => {
    expect(problemsOf("- tracks\n")).toEqual([
      "totewatch.yaml: (top level): the file must be a mapping of sections (database:, tracks:, ...)",
    ]);
  });
});

describe("resolveRuleSettings", () => {
  it("lays a track's override over the global rules, one setting at a time", () => {
    const config = parseConfig(
      `${belmont}
alerts:
  rules:
    steam: { windowMinutes: 5 }
    exactaPayout: { enabled: true, max: 400, combinations: ["1-2"] }
  trackOverrides:
    Belmont Park:
      steam: { oddsDropPercent: 50 }
      exactaPayout: { combinations: ["3-4", "5-6"] }
`,
      "<inline>",
      {},
    );
    const belmontRules = resolveRuleSettings(config, "Belmont Park");
    expect(belmontRules.steam).toEqual({
      enabled: true,
      probabilityPoints: 5,
      oddsDropPercent: 50,
      windowMinutes: 5,
      withinMinutesToPost: 20,
    });
    expect(belmontRules.exactaPayout).toEqual({
      enabled: true,
      min: null,
      max: 400,
      combinations: ["3-4", "5-6"],
    });
    expect(belmontRules.overlay).toEqual(config.alerts.rules.overlay);
    expect(resolveRuleSettings(config, "Aqueduct")).toEqual(config.alerts.rules);
    expect(config.alerts.rules.steam.oddsDropPercent).toBe(35);
  });

  it("an override can turn a threshold off with null", () => {
    const config = parseConfig(
      `${belmont}\nalerts:\n  trackOverrides:\n    Belmont Park:\n      oddsThreshold: { above: null }\n`,
      "<inline>",
      {},
    );
    expect(resolveRuleSettings(config, "Belmont Park").oddsThreshold).toEqual({
      enabled: true,
      below: 2,
      above: null,
    });
  });
});
