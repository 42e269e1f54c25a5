/**
 * `alerts:` in totewatch.yaml: the daemon's pace, its rules and per-track
 * overrides, suppression, the delivery channels (console, webhook, email;
 * telegram, discord, slack and ntfy in channels.ts), each with its `only:`
 * routing, and delivery retries.
 */
import { z } from "zod";
import { backoffOrder, httpUrl, orDefault, positiveInt, section } from "./helpers.js";
import {
  digestMinutesSchema,
  discordSchema,
  ntfySchema,
  onlySchema,
  slackSchema,
  telegramSchema,
} from "./channels.js";
import { ruleSettingsOverrideSchema, ruleSettingsSchema } from "./rules.js";

const webhookSchema = section({
  enabled: z.boolean().default(false),
  url: httpUrl.optional(),
  /** Shared secret used to sign each delivery. */
  secret: z.string().min(1, "must not be empty").optional(),
  timeoutMs: positiveInt.default(5000),
  only: onlySchema,
  digestMinutes: digestMinutesSchema,
}).superRefine((webhook, ctx) => {
  if (!webhook.enabled) return;
  if (webhook.url === undefined)
    ctx.addIssue({ code: "custom", path: ["url"], message: "required when enabled" });
  if (webhook.secret === undefined) {
    ctx.addIssue({ code: "custom", path: ["secret"], message: "required when enabled" });
  }
});

const emailAddress = z.string().refine((text) => /\S@\S/.test(text), { message: "not an email address" });

const emailSchema = section({
  enabled: z.boolean().default(false),
  host: z.string().min(1, "must not be empty").optional(),
  port: z.int().min(1).max(65535).default(587),
  /** Implicit TLS from the first byte (port 465). */
  secure: z.boolean().default(false),
  /** Refuse to send unless the server upgrades with STARTTLS. */
  requireTls: z.boolean().default(true),
  user: z.string().optional(),
  pass: z.string().optional(),
  from: emailAddress.optional(),
  // A single address is accepted for `to:` as well as a list.
  to: orDefault(
    z.preprocess((value) => (typeof value === "string" ? [value] : value), z.array(emailAddress).default([])),
  ),
  subjectPrefix: z.string().default("[Totewatch]"),
  only: onlySchema,
  digestMinutes: digestMinutesSchema,
}).superRefine((email, ctx) => {
  // A disabled channel needs nothing (its `${VAR}`s may be unset, leaving settings out).
  if (!email.enabled) return;
  if ((email.user === undefined) !== (email.pass === undefined)) {
    ctx.addIssue({
      code: "custom",
      path: [email.user === undefined ? "user" : "pass"],
      message: "user and pass go together",
    });
  }
  if (email.host === undefined)
    ctx.addIssue({ code: "custom", path: ["host"], message: "required when enabled" });
  if (email.from === undefined)
    ctx.addIssue({ code: "custom", path: ["from"], message: "required when enabled" });
  if (email.to.length === 0) {
    ctx.addIssue({ code: "custom", path: ["to"], message: "required when enabled (at least one address)" });
  }
});

export const alertsSchema = section({
  pollIntervalMs: positiveInt.default(1000),
  rules: orDefault(ruleSettingsSchema.prefault({})),
  /** Per-track changes to `rules`, keyed by track name. */
  trackOverrides: orDefault(
    z
      .record(
        z.string(),
        z.preprocess((value) => value ?? {}, ruleSettingsOverrideSchema),
      )
      .default({}),
  ),
  suppression: section({
    /** The same alert for the same runner is not repeated within this window (0 = never suppress). */
    duplicateWindowMinutes: z.number().nonnegative().default(30),
    /** Alerts one race may raise in all. */
    maxPerRace: positiveInt.default(20),
    /** Alerts one rule (alert type) may raise for one race, so one noisy rule cannot use up maxPerRace. */
    maxPerRacePerRule: positiveInt.default(3),
  }),
  channels: section({
    console: section({
      enabled: z.boolean().default(true),
      only: onlySchema,
      digestMinutes: digestMinutesSchema,
    }),
    webhook: webhookSchema,
    email: emailSchema,
    telegram: telegramSchema,
    discord: discordSchema,
    slack: slackSchema,
    ntfy: ntfySchema,
  }),
  delivery: section({
    maxAttempts: positiveInt.default(10),
    backoffBaseMs: positiveInt.default(1000),
    backoffMaxMs: positiveInt.default(300_000),
  }).superRefine(backoffOrder),
});
