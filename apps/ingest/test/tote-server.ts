/** A fake tote: test-utils' real HTTP server on 127.0.0.1, a fresh one for each test. */
import { json, startTestServer, type Route, type TestServer } from "@totewatch/test-utils";
import { afterEach, beforeEach } from "vitest";

/**
 * Call at the top of a test file: returns the running test's server (started before
 * each test, closed after it), so routes and requests never leak between tests.
 */
export function toteServerEachTest(): TestServer {
  let current: TestServer | undefined;
  beforeEach(async () => {
    current = await startTestServer();
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  const server = (): TestServer => {
    if (!current) throw new Error("the tote server runs only during a test");
    return current;
  };
  return {
    get url() {
      return server().url;
    },
    get routes() {
      return server().routes;
    },
    get requests() {
      return server().requests;
    },
    close: () => server().close(),
  };
}

/**
 * A race's status route: `open` for the first `openPolls` polls, then `official`, so a poller
 * polls the race that many times and stops (the page-adapter tests' race day).
 */
export function openThenOfficial(track: string, date: string, openPolls = 1): Route {
  let polls = 0;
  return (req, res) =>
    json({ kind: "status", track, date, race: 1, status: polls++ < openPolls ? "open" : "official" })(
      req,
      res,
    );
}
