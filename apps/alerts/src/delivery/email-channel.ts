import { createHash } from "node:crypto";
import nodemailer from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport/index.js";
import { emailSubject, emailText } from "./format.js";
import { digestKey, emailDigestSubject, emailDigestText } from "./digest-format.js";
import type { Channel } from "./types.js";

export interface EmailChannelOptions {
  host: string;
  port: number;
  /** Implicit TLS from the first byte (usually port 465). */
  secure: boolean;
  /** Refuse to send unless a plain connection is upgraded with STARTTLS. */
  requireTls: boolean;
  user?: string;
  pass?: string;
  from: string;
  to: readonly string[];
  subjectPrefix: string;
  /** Extra nodemailer transport settings (e.g. `tls.ca` for a private CA); laid over the above. */
  transport?: SMTPTransport.Options;
}

/** A slow or silent server fails the attempt (and is retried) instead of hanging delivery. */
const SMTP_TIMEOUTS_MS = { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 30_000 };
/** Connecting, the greeting, then the exchange (socketTimeout is per idle stretch, so this is a practical bound). */
const SMTP_SEND_TIMEOUT_MS =
  SMTP_TIMEOUTS_MS.connectionTimeout + SMTP_TIMEOUTS_MS.greetingTimeout + SMTP_TIMEOUTS_MS.socketTimeout;

/**
 * The Message-ID of an alert's email: derived from its dedupe key only, so a
 * re-send (after a crash between the server accepting it and us recording
 * that) carries the same Message-ID and mail systems can drop the duplicate.
 */
export function alertMessageId(dedupeKey: string, from: string): string {
  const hash = createHash("sha256").update(dedupeKey).digest("hex").slice(0, 32);
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? "totewatch.invalid";
  return `<alert.${hash}@${domain}>`;
}

/** Plain-text email over SMTP (nodemailer), one message per alert. */
export function createEmailChannel(options: EmailChannelOptions): Channel {
  if (options.to.length === 0) throw new Error("email channel: `to` needs at least one address");
  const transporter = nodemailer.createTransport({
    host: options.host,
    port: options.port,
    secure: options.secure,
    requireTLS: options.requireTls,
    auth: options.user !== undefined ? { user: options.user, pass: options.pass ?? "" } : undefined,
    ...SMTP_TIMEOUTS_MS,
    ...options.transport,
  });
  const sendMail = async (mail: { subject: string; text: string; messageId: string; key: string }) => {
    try {
      await transporter.sendMail({
        from: options.from,
        to: [...options.to],
        subject: mail.subject,
        text: mail.text,
        messageId: mail.messageId,
        headers: { "X-Totewatch-Alert-Key": mail.key },
      });
    } catch (error) {
      const code =
        (error as { responseCode?: number; code?: string }).responseCode ?? (error as { code?: string }).code;
      throw new Error(
        `email via ${options.host}:${options.port} failed${code !== undefined ? ` (${code})` : ""}: ${(error as Error).message}`,
      );
    }
  };
  return {
    name: "email",
    sendTimeoutMs: SMTP_SEND_TIMEOUT_MS,
    send: (alert) =>
      sendMail({
        subject: emailSubject(alert, options.subjectPrefix),
        text: emailText(alert),
        messageId: alertMessageId(alert.dedupeKey, options.from),
        key: alert.dedupeKey,
      }),
    // A digest: one email, subject `[Totewatch] 7 alerts`, Message-ID from the digest's key (digestKey).
    sendDigest: (alerts) => {
      const key = digestKey(alerts);
      return sendMail({
        subject: emailDigestSubject(alerts, options.subjectPrefix),
        text: emailDigestText(alerts),
        messageId: alertMessageId(key, options.from),
        key,
      });
    },
  };
}
