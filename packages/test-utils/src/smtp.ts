/**
 * A real SMTP server (smtp-server) on 127.0.0.1 that keeps what it
 * receives, each message parsed just enough for assertions.
 */
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";

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

/**
 * Starts the receiver. `rejectMessage(n)` (n = 1, 2, ... per message sent) returning text makes
 * that message fail with a 550 and that text; null accepts it. Other options go to smtp-server
 * (e.g. `secure: true`); STARTTLS is off and authentication optional unless they say otherwise.
 */
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
          ...parseEmailMessage(raw),
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

/**
 * Just enough RFC 5322/MIME for a single-part text message: unfolded headers by lower-case name
 * (the last one wins) and the body decoded from quoted-printable or base64, with \n line ends.
 */
export function parseEmailMessage(raw: string): { headers: Map<string, string>; text: string } {
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
