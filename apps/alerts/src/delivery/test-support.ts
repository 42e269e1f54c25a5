/** Test helpers for the delivery tests: a stored alert, real receivers on 127.0.0.1, a captured log. */
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { applyRaceCard, createAlert, entriesForRace, findRace, type Db } from "@totewatch/db";
import { IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER } from "./webhook-channel.js";

export const RACE = { track: "Saratoga", raceDate: "2024-08-01", raceNumber: 5 } as const;
export const POST_TIME = new Date("2024-08-01T17:50:00.000Z");

/** A card for Saratoga R5 and one steam alert on #3 Thunder Road (5-1 -> 5-2, 8 min to post). */
export async function storeSteamAlert(
  db: Db,
  overrides: { dedupeKey?: string; triggeredAt?: Date } = {},
): Promise<{ alertId: number; dedupeKey: string }> {
  await applyRaceCard(db, {
    ...RACE,
    timezone: "America/New_York",
    postTime: POST_TIME,
    entries: [
      { programNumber: "1", horse: "Morning Star", morningLineOdds: 2 },
      { programNumber: "3", horse: "Thunder Road", morningLineOdds: 4 },
    ],
  });
  const race = await findRace(db, RACE);
  if (!race) throw new Error("test card was not stored");
  const runner = (await entriesForRace(db, race.raceId)).find((entry) => entry.programNumber === "3");
  if (!runner) throw new Error("test runner was not stored");
  const triggeredAt = overrides.triggeredAt ?? new Date("2024-08-01T17:42:00.000Z");
  const dedupeKey = overrides.dedupeKey ?? `steam:${race.raceId}:3:${triggeredAt.toISOString()}`;
  const { alert } = await createAlert(db, {
    triggeredAt,
    raceId: race.raceId,
    entryId: runner.entryId,
    alertType: "steam",
    thresholdValue: 20,
    actualValue: 50,
    message: "Saratoga R5 #3 Thunder Road: 5 -> 5-2 (-50.0%) in 6 min, 8 min to post",
    dedupeKey,
    subject: "3",
    details: { before: 5, after: 2.5, minutesToPost: 8 },
  });
  return { alertId: alert.id, dedupeKey };
}

export interface ReceivedWebhook {
  idempotencyKey: string | undefined;
  signature: string | undefined;
  timestamp: string | undefined;
  contentType: string | undefined;
  body: string;
}

export interface WebhookReceiver {
  url: string;
  requests: ReceivedWebhook[];
  /** Idempotency keys acted on, as a receiver honouring the key would (first request per key). */
  processed: string[];
  close(): Promise<void>;
}

/**
 * A real HTTP receiver; `statusFor(n)` (n = 1, 2, ...) picks each request's status, "hang" never answers.
 * `delayMs`: answer that long after the request arrived (a receiver doing some work).
 * `onRequest`: called as each request arrives, before it is answered.
 */
export async function startWebhookReceiver(
  statusFor: (requestNumber: number) => number | "hang" = () => 200,
  options: { delayMs?: number; onRequest?: (request: ReceivedWebhook, requestNumber: number) => void } = {},
): Promise<WebhookReceiver> {
  const requests: ReceivedWebhook[] = [];
  const processed: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const header = (name: string) => {
        const value = req.headers[name.toLowerCase()];
        return Array.isArray(value) ? value.join(",") : value;
      };
      const received: ReceivedWebhook = {
        idempotencyKey: header(IDEMPOTENCY_HEADER),
        signature: header(SIGNATURE_HEADER),
        timestamp: header(TIMESTAMP_HEADER),
        contentType: header("content-type"),
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(received);
      const requestNumber = requests.length;
      options.onRequest?.(received, requestNumber);
      const status = statusFor(requestNumber);
      if (status === "hang") return;
      const answer = () => {
        if (
          status >= 200 &&
          status < 300 &&
          received.idempotencyKey &&
          !processed.includes(received.idempotencyKey)
        ) {
          processed.push(received.idempotencyKey);
        }
        res
          .writeHead(status, { "content-type": "text/plain" })
          .end(status >= 300 ? "receiver is down" : "ok");
      };
      if (options.delayMs === undefined) answer();
      else setTimeout(answer, options.delayMs);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/totewatch`,
    requests,
    processed,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
