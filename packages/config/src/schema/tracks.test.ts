import { describe, expect, it } from "vitest";
import { ConfigError, fillEndpointTemplate, parseConfig } from "../index.js";

/** One enabled, pollable track with `extra` lines added (indented as track keys). */
function trackYaml(extra: string): string {
  return [
    "tracks:",
    "  - name: Sha Tin",
    "    races: 10",
    "    endpoints:",
    "      win: http://127.0.0.1:8080/{date}/{race}/win",
    "      exacta: http://127.0.0.1:8080/{date}/{race}/exacta",
    ...extra
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => `    ${line.trim()}`),
  ].join("\n");
}

function problemsOf(yamlText: string): string {
  try {
    parseConfig(yamlText, "totewatch.yaml", {});
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error("expected a ConfigError");
}

describe("fillEndpointTemplate", () => {
  it("fills placeholders with URL-encoded values and leaves unknown ones", () => {
    const template = "http://127.0.0.1:8080/{track}/{code}/{date}/{race}/win";
    expect(
      fillEndpointTemplate(template, { track: "Belmont Park", code: "BEL", date: "2025-06-07", race: 3 }),
    ).toBe("http://127.0.0.1:8080/Belmont%20Park/BEL/2025-06-07/3/win");
    expect(fillEndpointTemplate(template, { code: "BEL" })).toBe(
      "http://127.0.0.1:8080/{track}/BEL/{date}/{race}/win",
    );
  });
});

describe("a track's odds format", () => {
  it("defaults to odds-to-1 with a dividend unit of 1", () => {
    const [track] = parseConfig(trackYaml(""), "<inline>", {}).tracks;
    expect(track).toMatchObject({ oddsFormat: "odds_to_one", dividendUnit: 1 });
  });

  it("reads a decimal board and its dividend unit", () => {
    const [hk] = parseConfig(trackYaml("oddsFormat: decimal\ndividendUnit: 10"), "<inline>", {}).tracks;
    expect(hk).toMatchObject({ oddsFormat: "decimal", dividendUnit: 10 });
    const [perOne] = parseConfig(trackYaml("oddsFormat: decimal"), "<inline>", {}).tracks;
    expect(perOne).toMatchObject({ oddsFormat: "decimal", dividendUnit: 1 });
  });

  it("refuses an unknown format, a unit of 0 or less, and a unit on an odds-to-1 board", () => {
    expect(problemsOf(trackYaml("oddsFormat: fractional"))).toMatch(/tracks\[0\]\.oddsFormat/);
    expect(problemsOf(trackYaml("oddsFormat: decimal\ndividendUnit: 0"))).toMatch(
      /tracks\[0\]\.dividendUnit: must be > 0/,
    );
    expect(problemsOf(trackYaml("dividendUnit: 10"))).toMatch(
      /tracks\[0\]\.dividendUnit: applies only to oddsFormat: decimal/,
    );
  });
});

describe("a track's currency", () => {
  it("defaults to dollars and reads an ISO 4217 code", () => {
    expect(parseConfig(trackYaml(""), "<inline>", {}).tracks[0]?.currency).toBe("USD");
    expect(parseConfig(trackYaml("currency: GBP"), "<inline>", {}).tracks[0]?.currency).toBe("GBP");
  });

  it("refuses a symbol, lower case and a code no currency has, naming the key", () => {
    for (const bad of ['"£"', "gbp", "XYZ"]) {
      expect(problemsOf(trackYaml(`currency: ${bad}`))).toMatch(
        /tracks\[0\]\.currency: must be an ISO 4217 currency code/,
      );
    }
  });
});

describe("an endpoint's format and mapping", () => {
  /** A track whose endpoints are `endpoints` (JSON). */
  const withEndpoints = (endpoints: Record<string, unknown>) =>
    JSON.stringify({ tracks: [{ name: "Test Downs", races: 3, pools: ["win"], endpoints }] });
  const problems = (endpoints: Record<string, unknown>) => {
    try {
      parseConfig(withEndpoints(endpoints), "totewatch.yaml", {});
    } catch (error) {
      return (error as ConfigError).message;
    }
    throw new Error("expected a ConfigError");
  };
  const win = { url: "http://127.0.0.1/win/{race}", format: "html", rows: "tr", program: ".p", odds: ".o" };

  it("keeps a plain URL as the feed format, and splits an html endpoint into its URL and adapter", () => {
    const [plain] = parseConfig(withEndpoints({ win: "http://127.0.0.1/win/{race}" }), "<inline>", {}).tracks;
    expect(plain!.endpoints).toEqual({ win: "http://127.0.0.1/win/{race}" });
    expect(plain!.adapters).toBeUndefined();
    const [html] = parseConfig(withEndpoints({ win }), "<inline>", {}).tracks;
    expect(html!.endpoints).toEqual({ win: "http://127.0.0.1/win/{race}" });
    expect(html!.adapters).toEqual({
      win: { kind: "win", format: "html", mapping: { rows: "tr", program: ".p", odds: ".o" } },
    });
    // `format: feed` written out is the plain URL.
    const [feed] = parseConfig(
      withEndpoints({ win: { url: win.url, format: "feed" } }),
      "<inline>",
      {},
    ).tracks;
    expect(feed!.adapters).toBeUndefined();
  });

  it("names the path of each mapping problem", () => {
    expect(problems({ win: { ...win, odds: undefined } })).toMatch(
      /tracks\[0\]\.endpoints\.win\.odds: required for format: html/,
    );
    expect(problems({ win: { url: win.url, format: "feed", rows: "tr" } })).toMatch(
      /tracks\[0\]\.endpoints\.win\.rows: only for format: html or json/,
    );
    expect(problems({ win: { ...win, format: "xml" } })).toMatch(/tracks\[0\]\.endpoints\.win\.format/);
    expect(problems({ win: { ...win, colour: "red" } })).toMatch(/tracks\[0\]\.endpoints\.win/);
    expect(problems({ win: { ...win, url: "ftp://x/{race}" } })).toMatch(
      /tracks\[0\]\.endpoints\.win\.url: must be an http\(s\) URL/,
    );
    const exacta = { url: "http://127.0.0.1/x/{race}", format: "json" };
    expect(problems({ win, exacta: { ...exacta, matrix: "table" } })).toMatch(
      /tracks\[0\]\.endpoints\.exacta\.matrix: only for format: html/,
    );
    expect(problems({ win, exacta })).toMatch(
      /tracks\[0\]\.endpoints\.exacta\.rows: give either matrix or rows/,
    );
    expect(problems({ win, exacta: { ...exacta, rows: "x.*", payout: "p" } })).toMatch(
      /tracks\[0\]\.endpoints\.exacta\.combo: required with rows/,
    );
  });

  it("splits a module endpoint into its URL and the module's path, as written", () => {
    const module = { url: "http://127.0.0.1/board/{race}", format: "module", module: "./adapters/board.ts" };
    const [track] = parseConfig(withEndpoints({ win: module }), "<inline>", {}).tracks;
    expect(track!.endpoints).toEqual({ win: "http://127.0.0.1/board/{race}" });
    expect(track!.adapters).toStrictEqual({
      win: { kind: "win", format: "module", module: "./adapters/board.ts" },
    });
  });

  it("names the path of each module problem: no module, an empty one, a mapping beside it, a module elsewhere", () => {
    const url = "http://127.0.0.1/board/{race}";
    expect(problems({ win: { url, format: "module" } })).toMatch(
      /tracks\[0\]\.endpoints\.win\.module: required for format: module/,
    );
    expect(problems({ win: { url, format: "module", module: " " } })).toMatch(
      /tracks\[0\]\.endpoints\.win\.module: must not be empty/,
    );
    expect(problems({ win: { url, format: "module", module: 7 } })).toMatch(
      /tracks\[0\]\.endpoints\.win\.module/,
    );
    expect(problems({ win: { url, format: "module", module: "./a.ts", rows: "tr" } })).toMatch(
      /tracks\[0\]\.endpoints\.win\.rows: not for format: module/,
    );
    expect(problems({ win: { ...win, module: "./a.ts" } })).toMatch(
      /tracks\[0\]\.endpoints\.win\.module: only for format: module/,
    );
    expect(problems({ win: { url, module: "./a.ts" } })).toMatch(
      /tracks\[0\]\.endpoints\.win\.module: only for format: module/,
    );
  });

  it("keeps render: browser and its waitFor on an html endpoint; fetch (the default) adds nothing", () => {
    const [browser] = parseConfig(
      withEndpoints({ win: { ...win, render: "browser", waitFor: "#tote tr" } }),
      "<inline>",
      {},
    ).tracks;
    expect(browser!.adapters).toStrictEqual({
      win: {
        kind: "win",
        format: "html",
        mapping: { rows: "tr", program: ".p", odds: ".o" },
        render: { waitFor: "#tote tr" },
      },
    });
    const [noWait] = parseConfig(
      withEndpoints({ win: { ...win, render: "browser" } }),
      "<inline>",
      {},
    ).tracks;
    expect(noWait!.adapters!.win).toMatchObject({ render: {} });
    const [fetched] = parseConfig(withEndpoints({ win: { ...win, render: "fetch" } }), "<inline>", {}).tracks;
    expect(fetched!.adapters).toStrictEqual({
      win: { kind: "win", format: "html", mapping: { rows: "tr", program: ".p", odds: ".o" } },
    });
  });

  it("refuses render on json, an unknown render, and waitFor without render: browser", () => {
    const json = { ...win, format: "json" };
    expect(problems({ win: { ...json, render: "browser" } })).toMatch(
      /tracks\[0\]\.endpoints\.win\.render: only for format: html/,
    );
    expect(problems({ win: { ...win, render: "chrome" } })).toMatch(/tracks\[0\]\.endpoints\.win\.render/);
    expect(problems({ win: { ...win, waitFor: "#tote" } })).toMatch(
      /tracks\[0\]\.endpoints\.win\.waitFor: only with render: browser/,
    );
  });
});
