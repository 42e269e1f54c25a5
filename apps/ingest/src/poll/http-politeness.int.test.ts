/**
 * FeedHttpClient's politeness against a real HTTP server on 127.0.0.1 (the server records
 * every request path): robots.txt (obeyed, cached per origin, its Crawl-delay, "ignore"),
 * conditional requests (ETag, Last-Modified, 304) and compressed bodies (a gzip bomb cut at
 * http.maxBodyBytes). robots.txt's rules alone: robots.test.ts.
 */
import { gzipSync } from "node:zlib";
import type { IncomingHttpHeaders } from "node:http";
import { captureLogs, json, type Route } from "@totewatch/test-utils";
import { describe, expect, it } from "vitest";
import { fakeTime } from "../../test/fake-time.js";
import { toteServerEachTest } from "../../test/tote-server.js";
import { FeedHttpClient, type HttpSettings } from "./http.js";
import { ROBOTS_TTL_MS } from "./robots.js";

const server = toteServerEachTest();

const ROBOTS = ["User-agent: *", "Disallow: /", "", "User-agent: totewatch", "Disallow: /exacta/"].join("\n");
const JSONL = '{"kind":"a"}\n{"kind":"b"}\n';

function client(http: Partial<HttpSettings> = {}) {
  const time = fakeTime(0);
  const logs = captureLogs();
  const feed = new FeedHttpClient({
    http: {
      timeoutMs: 5000,
      minHostDelayMs: 0,
      retries: 0,
      backoffBaseMs: 1000,
      backoffMaxMs: 1000,
      failureLogAfter: 3,
      userAgent: "totewatch/0.1",
      maxBodyBytes: 1 << 20,
      ...http,
    },
    clock: time.clock,
    sleep: time.sleep,
    random: () => 1,
    logger: logs.logger,
  });
  return { feed, time, logs };
}

/** A route answering `text` with status 200, recording the request headers it got. */
function text(
  body: string | Buffer,
  headers: Record<string, string> = {},
  seen?: IncomingHttpHeaders[],
): Route {
  return (req, res) => {
    seen?.push(req.headers);
    res.writeHead(200, { "content-type": "text/plain", ...headers }).end(body);
  };
}

describe("robots.txt", () => {
  it("never requests a path it disallows for the user agent, and requests the allowed ones", async () => {
    const robotsHeaders: IncomingHttpHeaders[] = [];
    server.routes.set("/robots.txt", text(ROBOTS, {}, robotsHeaders));
    server.routes.set("/win/1", text(JSONL));
    server.routes.set("/exacta/1", text(JSONL));
    const { feed, logs } = client({ retries: 3 });
    const port = new URL(server.url).port;
    const secret = `http://ops:s3cret@127.0.0.1:${port}`;

    expect(await feed.fetchFeed(`${secret}/win/1`)).toMatchObject({ ok: true, attempts: 1 });
    const refused = {
      ok: false,
      attempts: 1,
      stopped: false,
      error:
        `http://ops:***@127.0.0.1:${port}/exacta/1 is disallowed by http://127.0.0.1:${port}/robots.txt ` +
        "for user agent totewatch/0.1 (line 5: Disallow: /exacta/)",
    };
    expect(await feed.fetchFeed(`${secret}/exacta/1`)).toEqual(refused);
    expect(await feed.fetchFeed(`${secret}/exacta/1`)).toEqual(refused);
    expect(await feed.allowedByRobots(`${server.url}/exacta/2`)).toMatchObject({
      ok: false,
      retryable: false,
    });

    expect(server.requests).toEqual(["/robots.txt", "/win/1"]);
    expect(robotsHeaders[0]).toMatchObject({
      "user-agent": "totewatch/0.1",
      authorization: expect.any(String),
    });
    const warnings = logs.records.filter((r) => r.level === 40);
    expect(warnings.map((r) => r.source)).toEqual([
      `http://ops:***@127.0.0.1:${port}/exacta/1`,
      `${server.url}/exacta/2`,
    ]);
    expect(JSON.stringify(logs.records)).not.toContain("s3cret");
    expect(feed.failureCount(`${secret}/exacta/1`)).toBe(0);
  });

  it("reads a 404 robots.txt as everything allowed", async () => {
    server.routes.set("/a", text(JSONL));
    const { feed } = client();
    expect(await feed.fetchFeed(`${server.url}/a`)).toMatchObject({ ok: true, attempts: 1 });
    expect(server.requests).toEqual(["/robots.txt", "/a"]);
  });

  it("fetches nothing while robots.txt answers 500: a retryable failure, until it can be read", async () => {
    let status = 500;
    server.routes.set("/robots.txt", (_req, res) => res.writeHead(status).end(ROBOTS));
    server.routes.set("/win/1", text(JSONL));
    const { feed, time } = client({ retries: 2 });
    const url = `${server.url}/win/1`;
    expect(await feed.fetchFeed(url)).toEqual({
      ok: false,
      attempts: 3,
      stopped: false,
      error:
        `robots.txt could not be read (${server.url}/robots.txt: HTTP 500 Internal Server Error); ` +
        `${url} not fetched until it can be`,
    });
    // Backed off like any failure (1 s, 1 s): retried, not given up.
    expect(time.clock.now()).toBe(2000);
    expect(feed.failureCount(url)).toBe(3);
    expect(server.requests).toEqual(["/robots.txt", "/robots.txt", "/robots.txt"]);
    status = 200;
    expect(await feed.fetchFeed(url)).toMatchObject({ ok: true });
    expect(server.requests.slice(3)).toEqual(["/robots.txt", "/win/1"]);
  });

  it("asks an origin for robots.txt once within the hour, again after it", async () => {
    server.routes.set("/robots.txt", text(ROBOTS));
    server.routes.set("/win/1", text(JSONL));
    server.routes.set("/win/2", text(JSONL));
    const { feed, time } = client();
    await feed.fetchFeed(`${server.url}/win/1`);
    await feed.fetchFeed(`${server.url}/win/2`);
    await feed.allowedByRobots(`${server.url}/win/3`);
    time.advance(ROBOTS_TTL_MS - 1);
    await feed.fetchFeed(`${server.url}/win/1`);
    expect(server.requests.filter((p) => p === "/robots.txt")).toHaveLength(1);
    time.advance(1);
    await feed.fetchFeed(`${server.url}/win/1`);
    expect(server.requests).toEqual(["/robots.txt", "/win/1", "/win/2", "/win/1", "/robots.txt", "/win/1"]);
  });

  it("spaces requests to the host by a Crawl-delay longer than minHostDelayMs", async () => {
    const { feed, time, logs } = client({ minHostDelayMs: 1000 });
    const seen: string[] = [];
    server.routes.set("/robots.txt", (req, res) => {
      seen.push(`robots@${time.clock.now()}`);
      text("User-agent: totewatch\nCrawl-delay: 5\n")(req, res);
    });
    server.routes.set("/a", (req, res) => {
      seen.push(`a@${time.clock.now()}`);
      json([])(req, res);
    });
    for (let i = 0; i < 3; i++) await feed.fetchFeed(`${server.url}/a`);
    expect(seen).toEqual(["robots@0", "a@5000", "a@10000", "a@15000"]);
    const info = logs.records.filter((r) => r.msg.includes("Crawl-delay"));
    expect(info).toMatchObject([{ level: 30, crawlDelayMs: 5000 }]);
  });

  it('with robots: "ignore" never asks for robots.txt', async () => {
    server.routes.set("/robots.txt", text("User-agent: *\nDisallow: /\nCrawl-delay: 60\n"));
    server.routes.set("/a", text(JSONL));
    const { feed, time } = client({ robots: "ignore", minHostDelayMs: 1000 });
    expect(await feed.fetchFeed(`${server.url}/a`)).toMatchObject({ ok: true });
    expect(await feed.fetchFeed(`${server.url}/a`)).toMatchObject({ ok: true });
    expect(await feed.allowedByRobots(`${server.url}/a`)).toEqual({ ok: true });
    expect(server.requests).toEqual(["/a", "/a"]);
    expect(time.clock.now()).toBe(1000);
  });
});

describe("conditional requests", () => {
  /** A route with validators `headers` answering 304 when `fresh(request headers)`. */
  function validated(
    headers: Record<string, string>,
    fresh: (h: IncomingHttpHeaders) => boolean,
    seen: IncomingHttpHeaders[],
  ): Route {
    return (req, res) => {
      seen.push(req.headers);
      if (fresh(req.headers)) res.writeHead(304, headers).end();
      else res.writeHead(200, headers).end(JSONL);
    };
  }

  it("sends the ETag back as If-None-Match; a 304 is a success with no records", async () => {
    const seen: IncomingHttpHeaders[] = [];
    server.routes.set(
      "/a",
      validated({ etag: '"v1"' }, (h) => h["if-none-match"] === '"v1"', seen),
    );
    const { feed } = client();
    const first = await feed.fetchFeed(`${server.url}/a`);
    expect(first.ok && first.records).toHaveLength(2);
    expect(first).not.toHaveProperty("notModified");
    expect(await feed.fetchFeed(`${server.url}/a`)).toEqual({
      ok: true,
      records: [],
      attempts: 1,
      notModified: true,
    });
    expect(seen.map((h) => h["if-none-match"])).toEqual([undefined, '"v1"']);
    expect(feed.failureCount(`${server.url}/a`)).toBe(0);
  });

  it("sends Last-Modified back as If-Modified-Since", async () => {
    const date = "Tue, 01 Dec 2026 10:00:00 GMT";
    const seen: IncomingHttpHeaders[] = [];
    server.routes.set(
      "/a",
      validated({ "last-modified": date }, (h) => h["if-modified-since"] === date, seen),
    );
    const { feed } = client();
    await feed.fetchFeed(`${server.url}/a`);
    expect(await feed.fetchFeed(`${server.url}/a`)).toMatchObject({
      ok: true,
      records: [],
      notModified: true,
    });
    expect(seen.map((h) => [h["if-modified-since"], h["if-none-match"]])).toEqual([
      [undefined, undefined],
      [date, undefined],
    ]);
  });

  it("keeps no validators from a body that did not decode, and forgets the earlier ones", async () => {
    const seen: IncomingHttpHeaders[] = [];
    let version = { etag: '"1"', body: JSONL };
    server.routes.set("/a", (req, res) => {
      seen.push(req.headers);
      if (req.headers["if-none-match"] === version.etag) res.writeHead(304).end();
      else res.writeHead(200, { etag: version.etag }).end(version.body);
    });
    const { feed } = client();
    expect(await feed.fetchFeed(`${server.url}/a`)).toMatchObject({ ok: true });
    version = { etag: '"2"', body: "<html>maintenance</html>" };
    expect(await feed.fetchFeed(`${server.url}/a`)).toMatchObject({ ok: false });
    // Unconditional: neither "2" (its body was refused) nor "1" (the body it stood for is gone).
    expect(await feed.fetchFeed(`${server.url}/a`)).toMatchObject({ ok: false });
    expect(seen.map((h) => h["if-none-match"])).toEqual([undefined, '"1"', undefined]);
  });

  it("forgetValidators makes the next request unconditional (a body read outside the decoder failed)", async () => {
    const seen: IncomingHttpHeaders[] = [];
    server.routes.set(
      "/a",
      validated({ etag: '"v1"' }, (h) => h["if-none-match"] === '"v1"', seen),
    );
    const { feed } = client();
    await feed.fetchFeed(`${server.url}/a`);
    feed.forgetValidators(`${server.url}/a`);
    expect(await feed.fetchFeed(`${server.url}/a`)).toMatchObject({ ok: true, records: [{}, {}] });
    expect(seen.map((h) => h["if-none-match"])).toEqual([undefined, undefined]);
  });
});

describe("compressed responses", () => {
  it("asks for gzip, deflate and br and decodes a gzip body", async () => {
    const seen: IncomingHttpHeaders[] = [];
    server.routes.set("/a", text(gzipSync(JSONL), { "content-encoding": "gzip" }, seen));
    const { feed } = client();
    const result = await feed.fetchFeed(`${server.url}/a`);
    expect(result.ok && result.records.map((r) => r.ok && r.raw)).toEqual([{ kind: "a" }, { kind: "b" }]);
    expect(seen[0]!["accept-encoding"]).toBe("gzip, deflate, br");
  });

  it("cuts a small gzip body that inflates past http.maxBodyBytes at the limit: a failed fetch", async () => {
    const limit = 64 * 1024;
    const bomb = gzipSync(Buffer.alloc(64 * limit, " ")); // 4 MiB of spaces in a few KiB
    expect(bomb.length).toBeLessThan(limit);
    server.routes.set(
      "/bomb",
      text(bomb, { "content-encoding": "gzip", "content-length": String(bomb.length) }),
    );
    // Just under the limit once inflated: read.
    const fits = gzipSync(`[${" ".repeat(limit - 2)}]`);
    server.routes.set(
      "/fits",
      text(fits, { "content-encoding": "gzip", "content-length": String(fits.length) }),
    );
    const { feed, logs } = client({ maxBodyBytes: limit });
    expect(await feed.fetchFeed(`${server.url}/bomb`)).toEqual({
      ok: false,
      attempts: 1,
      stopped: false,
      error: "response body over the http.maxBodyBytes limit of 64 KiB (65536 bytes); read stopped there",
    });
    expect(logs.records.filter((r) => r.msg.startsWith("response from"))).toHaveLength(1);
    expect(await feed.fetchFeed(`${server.url}/fits`)).toEqual({ ok: true, records: [], attempts: 1 });
  });
});
