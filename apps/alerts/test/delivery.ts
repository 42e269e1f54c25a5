/**
 * Test support for the delivery tests: a webhook receiver built on test-utils' real HTTP
 * server that reads the alerts channel's own headers (the sample alert is test-utils'
 * storeSteamAlert).
 */
import { startTestServer } from "@totewatch/test-utils";
import { IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER } from "../src/delivery/webhook-channel.js";

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
