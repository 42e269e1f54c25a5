/**
 * RobotsRules without a network: what each robots.txt answer means (RFC 9309), the cache per
 * origin and its TTL, an earlier copy kept through a failure, one warning per disallowed URL,
 * and Crawl-delay. (Against a real server, through FeedHttpClient: http-politeness.int.test.ts.)
 */
import { captureLogs } from "@totewatch/test-utils";
import { describe, expect, it } from "vitest";
import { fakeTime } from "../../test/fake-time.js";
import { answerForStatus, ROBOTS_RETRY_MS, ROBOTS_TTL_MS, RobotsRules, type RobotsAnswer } from "./robots.js";

const UA = "totewatch/0.1";
const ROBOTS = [
  "User-agent: *",
  "Disallow: /",
  "",
  "User-agent: totewatch",
  "Allow: /win/",
  "Disallow: /exacta/",
  "Crawl-delay: 2.5",
].join("\n");

/** RobotsRules whose robots.txt requests answer from `answers` (the last one repeats), recorded in `asked`. */
function rules(answers: RobotsAnswer[]) {
  const time = fakeTime(0);
  const logs = captureLogs();
  const asked: string[] = [];
  const robots = new RobotsRules({
    userAgent: UA,
    clock: time.clock,
    logger: logs.logger,
    fetchRobots: async (robotsUrl) => {
      asked.push(robotsUrl);
      return answers[Math.min(asked.length, answers.length) - 1]!;
    },
  });
  return { robots, time, logs, asked };
}

describe("RobotsRules", () => {
  it("obeys the group for the user agent (its name without the version), not the * group", async () => {
    const { robots } = rules([{ kind: "file", text: ROBOTS }]);
    expect(await robots.check("https://tote.example/win/1")).toEqual({ ok: true });
    expect(await robots.check("https://tote.example/exacta/1")).toEqual({
      ok: false,
      retryable: false,
      error:
        "https://tote.example/exacta/1 is disallowed by https://tote.example/robots.txt " +
        "for user agent totewatch/0.1 (line 6: Disallow: /exacta/)",
    });
    expect(robots.crawlDelayMs("https://tote.example/win/1")).toBe(2500);
    // Another origin has no Crawl-delay known.
    expect(robots.crawlDelayMs("https://other.example/win/1")).toBe(0);
  });

  it("reads 4xx (404, 401, 403) as no robots.txt: everything allowed", async () => {
    for (const status of [404, 401, 403, 410]) {
      const { robots } = rules([answerForStatus(status, "")]);
      expect(await robots.check("https://tote.example/anything")).toEqual({ ok: true });
    }
  });

  it("reads 5xx and 429 as unreadable: nothing allowed, retryable, asked again next time", async () => {
    expect(answerForStatus(503, "Service Unavailable")).toEqual({
      kind: "unreadable",
      reason: "HTTP 503 Service Unavailable",
    });
    expect(answerForStatus(429, "Too Many Requests").kind).toBe("unreadable");
    const { robots, asked } = rules([
      answerForStatus(500, "Internal Server Error"),
      { kind: "file", text: "" },
    ]);
    expect(await robots.check("https://tote.example/win/1")).toEqual({
      ok: false,
      retryable: true,
      error:
        "robots.txt could not be read (https://tote.example/robots.txt: HTTP 500 Internal Server Error); " +
        "https://tote.example/win/1 not fetched until it can be",
    });
    expect(await robots.check("https://tote.example/win/1")).toEqual({ ok: true });
    expect(asked).toHaveLength(2);
  });

  it("asks once per origin within the TTL, again after it; concurrent checks share one request", async () => {
    const { robots, time, asked } = rules([{ kind: "file", text: ROBOTS }]);
    await Promise.all([
      robots.check("https://tote.example/win/1"),
      robots.check("https://tote.example/win/2"),
    ]);
    await robots.check("https://tote.example/exacta/1");
    await robots.check("http://tote.example/win/1"); // another origin: its scheme differs
    expect(asked).toEqual(["https://tote.example/robots.txt", "http://tote.example/robots.txt"]);
    time.advance(ROBOTS_TTL_MS - 1);
    await robots.check("https://tote.example/win/1");
    expect(asked).toHaveLength(2);
    time.advance(1);
    await robots.check("https://tote.example/win/1");
    expect(asked).toEqual([
      "https://tote.example/robots.txt",
      "http://tote.example/robots.txt",
      "https://tote.example/robots.txt",
    ]);
  });

  it("keeps an earlier robots.txt in force when it cannot be read again, retrying sooner", async () => {
    const { robots, time, asked } = rules([
      { kind: "file", text: ROBOTS },
      { kind: "unreadable", reason: "HTTP 503" },
      { kind: "file", text: "User-agent: *\nDisallow:" },
    ]);
    await robots.check("https://tote.example/win/1");
    time.advance(ROBOTS_TTL_MS);
    // The earlier copy answers: /win/ allowed, /exacta/ still disallowed.
    expect(await robots.check("https://tote.example/win/1")).toEqual({ ok: true });
    expect(await robots.check("https://tote.example/exacta/1")).toMatchObject({
      ok: false,
      retryable: false,
    });
    expect(asked).toHaveLength(2);
    time.advance(ROBOTS_RETRY_MS);
    expect(await robots.check("https://tote.example/exacta/1")).toEqual({ ok: true });
    expect(asked).toHaveLength(3);
  });

  it("warns once per disallowed URL, at debug level after that", async () => {
    const { robots, logs } = rules([{ kind: "file", text: ROBOTS }]);
    for (let i = 0; i < 3; i++) await robots.check("https://tote.example/exacta/1");
    await robots.check("https://tote.example/exacta/2");
    const lines = logs.records.filter((r) => r.msg.includes("is disallowed by"));
    expect(lines.map((r) => [r.level, r.source])).toEqual([
      [40, "https://tote.example/exacta/1"],
      [20, "https://tote.example/exacta/1"],
      [20, "https://tote.example/exacta/1"],
      [40, "https://tote.example/exacta/2"],
    ]);
  });
});
