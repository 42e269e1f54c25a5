/**
 * Endpoints whose URL carries `user:password@`, polled by the whole poller against a real
 * server on 127.0.0.1 that requires basic auth: the credentials go in an Authorization
 * header (fetch refuses a URL carrying them), and the password shows in no log line and no
 * error, whatever goes wrong: a failing source, an oversized body, a refused message, a
 * database locked by another process, a status missing after post.
 */
import { captureLogs, json } from "@totewatch/test-utils";
import { writeFeedMessage } from "@totewatch/feed";
import { describe, expect, it } from "vitest";
import { fakeTime, guardedSleep } from "../../test/fake-time.js";
import { pollerTestBed } from "../../test/poller-test-bed.js";
import { cardMessage, DATE, POST, TRACK } from "../../test/race-feed.js";
import { endpointRequest } from "./http.js";

const { server, freshDb, config, racePoller } = pollerTestBed();

const PASSWORD = "hunter2";
const EXPECTED_AUTH = `Basic ${Buffer.from(`tote:${PASSWORD}`).toString("base64")}`;

describe("endpoints with credentials in their URL", () => {
  it("sends them as basic auth and never logs the password", async () => {
    const seen: { path: string; auth: string | undefined }[] = [];
    /** The route, only to a request with the right credentials (401 otherwise). */
    const guarded =
      (handler: Parameters<typeof server.routes.set>[1]): Parameters<typeof server.routes.set>[1] =>
      (req, res) => {
        seen.push({ path: req.url ?? "", auth: req.headers.authorization });
        if (req.headers.authorization !== EXPECTED_AUTH) res.writeHead(401, "Unauthorized").end();
        else handler(req, res);
      };
    // The card comes with a message the ingestor refuses (its warning names the source).
    server.routes.set(`/card/TST/${DATE}`, guarded(json([cardMessage, { kind: "win", track: TRACK }])));
    // The status keeps failing (a warning naming the source, and one for a status missing after post).
    server.routes.set(
      `/status/${DATE}/1`,
      guarded((_req, res) => res.writeHead(500).end()),
    );
    // The win board is over http.maxBodyBytes (a warning naming the source).
    server.routes.set(
      `/win/${DATE}/1`,
      guarded((_req, res) => res.writeHead(200).end(" ".repeat(4096))),
    );

    const base = server.url.replace("http://", `http://tote:${PASSWORD}@`);
    const time = fakeTime(POST + 60_000);
    const logs = captureLogs();
    let lockedOnce = false;
    const poller = racePoller(time, {
      config: config(
        { failureLogAfter: 1, maxBodyBytes: 1024 },
        {
          endpoints: {
            card: `${base}/card/{code}/{date}`,
            win: `${base}/win/{date}/{race}`,
            status: `${base}/status/{date}/{race}`,
          },
        },
      ),
      db: freshDb(),
      logger: logs.logger,
      random: () => 1,
      giveUpAfterPostMs: 120_000,
      sleep: guardedSleep(time, POST + 3600_000, () => poller.stop()),
      // The first write finds the database locked (its warning names what was being written).
      apply: async (target, message) => {
        if (!lockedOnce) {
          lockedOnce = true;
          throw Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" });
        }
        return writeFeedMessage(target, message);
      },
    });
    const summary = await poller.run();
    expect(JSON.stringify(logs.records)).not.toContain(PASSWORD);
    expect(JSON.stringify(summary)).not.toContain(PASSWORD);

    expect(summary).toMatchObject({ interrupted: false });
    for (const path of [`/card/TST/${DATE}`, `/status/${DATE}/1`, `/win/${DATE}/1`]) {
      expect(seen.filter((request) => request.path === path).length).toBeGreaterThan(0);
    }
    expect(seen.every((request) => request.auth === EXPECTED_AUTH)).toBe(true);

    const messages = logs.records.map((record) => record.msg);
    const expected = [
      /^source keeps failing: .*\/status\//,
      /^response from .*\/win\/.* is over the http.maxBodyBytes limit/,
      /^invalid message at /,
      /^database .* is locked by another process/,
      /^status not fetched after post/,
    ];
    for (const pattern of expected) expect(messages).toContainEqual(expect.stringMatching(pattern));
    // Where a source is named, it is named with the password masked.
    const sources = logs.records.flatMap((record) => [record.source, record.what]).filter(Boolean);
    expect(sources).toContainEqual(expect.stringContaining("http://tote:***@127.0.0.1"));
  });
});

describe("endpointRequest", () => {
  it("moves percent-encoded credentials into the header and masks them in the URL shown", () => {
    expect(endpointRequest("https://ops%40tote:p%3Aw%2Fd@tote.example:8443/win?race=1")).toEqual({
      url: "https://tote.example:8443/win?race=1",
      authorization: `Basic ${Buffer.from("ops@tote:p:w/d").toString("base64")}`,
      shown: "https://ops%40tote:***@tote.example:8443/win?race=1",
    });
    const plain = "http://127.0.0.1:8080/card/TST/2025-09-12";
    expect(endpointRequest(plain)).toEqual({ url: plain, authorization: null, shown: plain });
  });
});
