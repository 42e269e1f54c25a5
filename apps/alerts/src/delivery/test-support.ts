/** Test helpers for the delivery tests: a stored alert, real receivers on 127.0.0.1, a captured log. */
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { createLogger, type Logger } from "@totewatch/config";
import { applyRaceCard, createAlert, entriesForRace, findRace, type Db } from "@totewatch/db";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
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

export interface ReceivedEmail {
  from: string | undefined;
  to: string[];
  /** Whether the session was TLS (implicit or after STARTTLS). */
  secure: boolean;
  user: string | undefined;
  raw: string;
  /** Unfolded header lines by lower-case name (the last one wins). */
  headers: Map<string, string>;
  /** The decoded plain-text body. */
  text: string;
}

export interface SmtpReceiver {
  port: number;
  messages: ReceivedEmail[];
  close(): Promise<void>;
}

/** A real SMTP server from `smtp-server`; `reject(n)` makes the n-th message fail with that SMTP error text. */
export async function startSmtpReceiver(
  options: Partial<SMTPServerOptions> & { rejectMessage?: (messageNumber: number) => string | null } = {},
): Promise<SmtpReceiver> {
  const messages: ReceivedEmail[] = [];
  let attempts = 0;
  const { rejectMessage, ...serverOptions } = options;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    ...serverOptions,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        attempts += 1;
        const rejection = rejectMessage?.(attempts) ?? null;
        if (rejection !== null) {
          const error = Object.assign(new Error(rejection), { responseCode: 550 });
          callback(error);
          return;
        }
        const raw = Buffer.concat(chunks).toString("utf8");
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          secure: session.secure,
          user: typeof session.user === "string" ? session.user : undefined,
          raw,
          ...parseMessage(raw),
        });
        callback();
      });
    },
  });
  server.listen(0, "127.0.0.1");
  await once(server.server, "listening");
  const { port } = server.server.address() as AddressInfo;
  return { port, messages, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Just enough RFC 5322/MIME for a single-part text message: unfolded headers and a decoded body. */
function parseMessage(raw: string): { headers: Map<string, string>; text: string } {
  const split = raw.indexOf("\r\n\r\n");
  const head = split === -1 ? raw : raw.slice(0, split);
  const body = split === -1 ? "" : raw.slice(split + 4);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n[ \t]+/g, " ").split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const encoding = headers.get("content-transfer-encoding")?.toLowerCase();
  let text = body;
  if (encoding === "quoted-printable") {
    text = Buffer.from(
      body
        .replace(/=\r\n/g, "")
        .replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
      "latin1",
    ).toString("utf8");
  } else if (encoding === "base64") {
    text = Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  }
  return { headers, text: text.replace(/\r\n/g, "\n") };
}

export interface CapturedLog {
  logger: Logger;
  records: Array<Record<string, unknown> & { level: number; msg: string }>;
}

/** A real pino logger whose JSON lines are kept for assertions. */
export function captureLog(): CapturedLog {
  const records: CapturedLog["records"] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) records.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger({ name: "alerts", level: "debug", stream }), records };
}

/** A writable that keeps what was written (console channel output). */
export function captureStream(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString("utf8"));
      done();
    },
  });
  return { stream, text: () => chunks.join("") };
}

export const PINO_LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;
