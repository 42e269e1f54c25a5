/**
 * FeedHttpClient against a real HTTP server on 127.0.0.1: what counts as a
 * failure, retries and backoff, the per-host delay, and when it gives up at
 * once. (Backoff across polls, through the poller, is in poller-failures.int.test.ts;
 * robots.txt, conditional requests and compression in http-politeness.int.test.ts.)
 */
import { captureLogs, json } from "@totewatch/test-utils";
import { realSleep } from "@totewatch/config";
import { describe, expect, it } from "vitest";
import { fakeTime } from "../../test/fake-time.js";
import { toteServerEachTest } from "../../test/tote-server.js";
import { FeedHttpClient } from "./http.js";

const server = toteServerEachTest();

describe("FeedHttpClient", () => {
  it("treats hanging, slow, garbage and error responses as failures and retries them", async () => {
    server.routes.set("/hang", () => {});
    server.routes.set("/slow", (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('[{"kind":"status",');
      setTimeout(() => res.end("]"), 5000).unref();
    });
    server.routes.set("/garbage", (_req, res) => res.writeHead(200).end("<html>maintenance</html>"));
    server.routes.set("/error", (_req, res) => res.writeHead(503, "Service Unavailable").end());
    server.routes.set("/jsonl", (_req, res) => res.writeHead(200).end('{"kind":"a"}\n{"kind":"b"}\n'));
    const client = new FeedHttpClient({
      http: {
        timeoutMs: 300,
        minHostDelayMs: 0,
        retries: 1,
        backoffBaseMs: 5,
        backoffMaxMs: 10,
        failureLogAfter: 2,
        userAgent: "test",
        maxBodyBytes: 1 << 24,
      },
      clock: { now: () => Date.now() },
      sleep: realSleep,
    });
    const hang = await client.fetchFeed(`${server.url}/hang`);
    expect(hang).toMatchObject({ ok: false, attempts: 2, error: "timed out after 300 ms" });
    expect(await client.fetchFeed(`${server.url}/slow`)).toMatchObject({
      ok: false,
      error: "timed out after 300 ms",
    });
    expect(await client.fetchFeed(`${server.url}/garbage`)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/not JSON/),
    });
    expect(await client.fetchFeed(`${server.url}/error`)).toMatchObject({
      ok: false,
      error: "HTTP 503 Service Unavailable",
    });
    expect(client.failureCount(`${server.url}/error`)).toBe(2);
    const ok = await client.fetchFeed(`${server.url}/jsonl`);
    expect(ok.ok && ok.records.map((r) => r.ok && r.raw)).toEqual([{ kind: "a" }, { kind: "b" }]);
    expect(server.requests.filter((p) => p === "/hang")).toHaveLength(2);
  });

  it("keeps the minimum delay between requests to one host", async () => {
    const time = fakeTime(0);
    const seen: number[] = [];
    server.routes.set("/a", (req, res) => {
      seen.push(time.clock.now());
      json({})(req, res);
    });
    const client = new FeedHttpClient({
      http: {
        timeoutMs: 1000,
        minHostDelayMs: 1500,
        retries: 0,
        backoffBaseMs: 5,
        backoffMaxMs: 10,
        failureLogAfter: 2,
        userAgent: "test",
        maxBodyBytes: 1 << 24,
      },
      clock: time.clock,
      sleep: time.sleep,
    });
    const robotsAt: number[] = [];
    server.routes.set("/robots.txt", (_req, res) => {
      robotsAt.push(time.clock.now());
      res.writeHead(404).end();
    });
    for (let i = 0; i < 3; i++) await client.fetchFeed(`${server.url}/a`);
    // robots.txt first, at 0: it takes its place in the host's gaps too.
    expect(robotsAt).toEqual([0]);
    expect(seen).toEqual([1500, 3000, 4500]);
  });

  it("gives up at once on a 4xx other than 408 and 429, still counting it toward the warning", async () => {
    const time = fakeTime(0);
    server.routes.set("/gone", (_req, res) => res.writeHead(404, "Not Found").end());
    server.routes.set("/forbidden", (_req, res) => res.writeHead(403, "Forbidden").end());
    server.routes.set("/busy", (_req, res) => res.writeHead(429, "Too Many Requests").end());
    server.routes.set("/request-timeout", (_req, res) => res.writeHead(408, "Request Timeout").end());
    const logs = captureLogs();
    const client = new FeedHttpClient({
      http: {
        timeoutMs: 1000,
        minHostDelayMs: 0,
        retries: 4,
        backoffBaseMs: 1000,
        backoffMaxMs: 60_000,
        failureLogAfter: 3,
        userAgent: "test",
        maxBodyBytes: 1 << 24,
      },
      clock: time.clock,
      sleep: time.sleep,
      random: () => 1,
      logger: logs.logger,
    });
    const gone = `${server.url}/gone`;
    for (let poll = 1; poll <= 3; poll++) {
      expect(await client.fetchFeed(gone)).toEqual({
        ok: false,
        error: "HTTP 404 Not Found",
        attempts: 1,
        stopped: false,
      });
    }
    expect(await client.fetchFeed(`${server.url}/forbidden`)).toMatchObject({ ok: false, attempts: 1 });
    // No backoff was waited: one request per poll.
    expect(time.clock.now()).toBe(0);
    expect(server.requests.filter((p) => p === "/gone")).toHaveLength(3);
    expect(client.failureCount(gone)).toBe(3);
    const warnings = logs.records.filter((r) => r.msg.startsWith("source keeps failing"));
    expect(warnings).toMatchObject([{ level: 40, failures: 3, source: gone, error: "HTTP 404 Not Found" }]);

    // 408 and 429 say "try again": the full retries with backoff (1 + 2 + 4 + 8 s).
    for (const route of ["/busy", "/request-timeout"]) {
      const before = time.clock.now();
      expect(await client.fetchFeed(`${server.url}${route}`)).toMatchObject({ ok: false, attempts: 5 });
      expect(time.clock.now() - before).toBe(15_000);
    }
  });

  it("stops reading an endless 200 body at http.maxBodyBytes: a failed fetch, retried, memory bounded", async () => {
    const limit = 1024 * 1024; // 1 MiB
    const chunk = Buffer.alloc(64 * 1024, "x"); // 64 KiB: 16 chunks make the limit
    let sent = 0;
    let open = 0;
    server.routes.set("/endless", (_req, res) => {
      open++;
      res.writeHead(200, { "content-type": "application/json" });
      res.on("close", () => open--);
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) sent += chunk.length;
      };
      res.on("drain", pump);
      pump();
    });
    server.routes.set("/declared", (_req, res) => {
      // Says up front it is 2 MiB: refused without reading a byte of it.
      res.writeHead(200, { "content-length": String(2 * limit) });
      res.end(Buffer.alloc(2 * limit, " "));
    });
    server.routes.set("/fits", (_req, res) => res.writeHead(200).end(`[${" ".repeat(limit - 2)}]`));
    const logs = captureLogs();
    const client = new FeedHttpClient({
      http: {
        timeoutMs: 10_000,
        minHostDelayMs: 0,
        retries: 2,
        backoffBaseMs: 5,
        backoffMaxMs: 10,
        failureLogAfter: 3,
        userAgent: "test",
        maxBodyBytes: limit,
      },
      clock: { now: () => Date.now() },
      sleep: realSleep,
      logger: logs.logger,
    });
    global.gc?.();
    const before = process.memoryUsage().rss;
    const started = Date.now();
    const endless = `${server.url}/endless`;
    const result = await client.fetchFeed(endless);
    // Well before the 10 s timeout: the limit, not the clock, ended each read.
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result).toEqual({
      ok: false,
      attempts: 3,
      stopped: false,
      error: "response body over the http.maxBodyBytes limit of 1 MiB (1048576 bytes); read stopped there",
    });
    expect(server.requests.filter((p) => p === "/endless")).toHaveLength(3);
    // Three reads of at most 1 MiB each, plus what sat in socket buffers: far from "endless".
    expect(sent).toBeLessThan(3 * limit + 3 * 8 * limit);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * limit);
    // Every connection was dropped, so the server stopped writing.
    await expect.poll(() => open).toBe(0);
    const warnings = logs.records.filter((r) => r.msg.startsWith("response from"));
    expect(warnings).toMatchObject([{ source: endless, maxBodyBytes: limit }]);
    expect(warnings[0]!.msg).toBe(
      `response from ${endless} is over the http.maxBodyBytes limit of 1 MiB (1048576 bytes): ` +
        "read stopped, counted as a failed fetch",
    );
    expect(client.failureCount(endless)).toBe(3);

    expect(await client.fetchFeed(`${server.url}/declared`)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/over the http.maxBodyBytes limit of 1 MiB/),
    });
    // Exactly the limit is read: 1 + (limit - 2) + 1 bytes.
    expect(await client.fetchFeed(`${server.url}/fits`)).toEqual({ ok: true, records: [], attempts: 1 });
  });
});
