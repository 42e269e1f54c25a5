/**
 * GET /api/events: the server-sent event stream a page listens to (README: `hello` on
 * connect, `change` with the races that changed, `ping` every `pingMs`).
 *
 * Invariants:
 * - The page is subscribed before `hello` is sent, so a page that fetches after `hello`
 *   misses no commit; a page that reconnects with Last-Event-ID first hears what changed
 *   while it was away.
 * - Whatever ends the stream (the page leaving, a failed write, an error while resuming)
 *   unsubscribes it and stops its ping: nothing is left behind per page.
 * - A page that cannot keep up never makes the server hold an unbounded queue: past
 *   MAX_QUEUED changes they fold into one "reload everything" change.
 * - HEAD is answered with the headers alone (no stream, no subscription).
 */
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { formatChangeMarks, parseChangeMarks } from "@totewatch/db";
import type { ChangeEvent } from "./api/types.js";
import type { LiveChange, LiveFeed } from "./live.js";

const MAX_QUEUED = 100;

export function eventStream(c: Context, live: LiveFeed, pingMs: number): Response | Promise<Response> {
  c.header("Cache-Control", "no-store");
  // A proxy (nginx) in front would otherwise hold events back in its buffer.
  c.header("X-Accel-Buffering", "no");
  if (c.req.method === "HEAD") return c.body(null, 200, { "Content-Type": "text/event-stream" });
  const lastEventId = c.req.header("last-event-id");
  const resumeFrom = lastEventId === undefined ? null : parseChangeMarks(lastEventId);
  return streamSSE(c, async (stream) => {
    let queue: LiveChange[] = [];
    let wake: (() => void) | null = null;
    let ping: NodeJS.Timeout | undefined;
    const unsubscribe = live.subscribe((change) => {
      queue.push(change);
      if (queue.length > MAX_QUEUED) queue = [{ ...change, raceIds: [], alerts: true, stale: true }];
      wake?.();
    });
    stream.onAbort(() => wake?.());
    const send = (change: LiveChange) => {
      const data: ChangeEvent = {
        raceIds: change.raceIds,
        alerts: change.alerts,
        all: change.stale,
        at: new Date().toISOString(),
      };
      return stream.writeSSE({
        event: "change",
        id: formatChangeMarks(change.marks),
        data: JSON.stringify(data),
      });
    };
    try {
      if (resumeFrom !== null) {
        // What cannot be read now is "reload everything", never a dropped stream the page retries.
        const missed = await live
          .since(resumeFrom)
          .catch(() => ({ marks: live.current(), raceIds: [], alerts: true, stale: true }));
        if (missed.raceIds.length > 0 || missed.alerts || missed.stale) await send(missed);
      }
      await stream.writeSSE({
        event: "hello",
        id: formatChangeMarks(live.current()),
        data: "{}",
        retry: 2000,
      });
      ping = setInterval(() => {
        stream.writeSSE({ event: "ping", data: "{}" }).catch(() => stream.abort());
      }, pingMs);
      while (!stream.aborted && !stream.closed) {
        const next = queue.shift();
        if (next !== undefined) {
          await send(next);
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
      }
    } finally {
      clearInterval(ping);
      unsubscribe();
    }
  });
}
