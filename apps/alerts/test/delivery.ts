/**
 * Test support for the delivery tests: a webhook receiver built on test-utils' real HTTP
 * server that reads the alerts channel's own headers (the sample alert is test-utils'
 * storeSteamAlert).
 */
import { parseConfig } from "@totewatch/config";
import { startTestServer } from "@totewatch/test-utils";
import { IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER } from "../src/delivery/webhook-channel.js";

const { telegram, discord, slack, ntfy } = parseConfig("", "<defaults>", {}).alerts.channels;
/** The chat channels as an empty config has them (disabled), for channel configs built by hand. */
export const CHAT_CHANNELS_OFF = { telegram, discord, slack, ntfy };

export interface ReceivedWebhook {
  idempotencyKey: string | undefined;
  signature: string | undefined;
  timestamp: string | undefined;
  contentType: string | undefined;
  authorization: string | undefined;
  body: string;
}

export interface WebhookReceiver {
  url: string;
  requests: ReceivedWebhook[];
  /** Idempotency keys acted on, as a receiver honouring the key would (first request per key). */
  processed: string[];
  close(): Promise<void>;
}

const HOOK_PATH = "/hooks/totewatch";

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
  const server = await startTestServer();
  server.routes.set(HOOK_PATH, (req, res) => {
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
        authorization: header("authorization"),
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(received);
      const requestNumber = requests.length;
      options.onRequest?.(received, requestNumber);
      const status = statusFor(requestNumber);
      if (status === "hang") return;
      const answer = () => {
        const key = received.idempotencyKey;
        if (status >= 200 && status < 300 && key && !processed.includes(key)) processed.push(key);
        res
          .writeHead(status, { "content-type": "text/plain" })
          .end(status >= 300 ? "receiver is down" : "ok");
      };
      if (options.delayMs === undefined) answer();
      else setTimeout(answer, options.delayMs);
    });
  });
  return { url: `${server.url}${HOOK_PATH}`, requests, processed, close: () => server.close() };
}

/** One request a chat receiver got: method, path (with any token in it), headers, raw body. */
export interface ChatRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface ChatAnswer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

export interface ChatReceiver {
  /** The server's base URL (http://127.0.0.1:port). */
  url: string;
  requests: ChatRequest[];
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 standing in for a chat service at `path`: records each request
 * and answers with `answer(n)` (n = 1, 2, ...).
 */
export async function startChatReceiver(
  path: string,
  answer: (requestNumber: number) => ChatAnswer = () => ({ status: 200 }),
): Promise<ChatReceiver> {
  const server = await startTestServer();
  const requests: ChatRequest[] = [];
  server.routes.set(path, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      requests.push({
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      const reply = answer(requests.length);
      res.writeHead(reply.status, reply.headers).end(reply.body ?? "");
    });
  });
  return { url: server.url, requests, close: () => server.close() };
}
