/**
 * Feed messages, version 1 (docs/feed.md): the schema of each kind. Every
 * ingest source produces these; nothing touches the database before a
 * message has parsed here. Unknown fields are ignored (zod strips them);
 * odds and calendar checks are refinements so the error names the field.
 * Sizes, amounts, dates and instants are bounded (bounds.ts): nothing no
 * real tote shows reaches the database.
 */
import { isCalendarDate, ODDS_FORMATS, parseIsoInstant, RACE_STATUSES } from "@totewatch/tote";
import { z } from "zod";
import {
  dateWithinFeedYears,
  MAX_MONEY,
  MAX_NAME_LENGTH,
  MAX_POST_TIME_LENGTH,
  MAX_TIME_ZONE_LENGTH,
  OUT_OF_YEARS,
  withinFeedYears,
} from "./bounds.js";

const calendarDate = z
  .string()
  .refine(isCalendarDate, { message: "not a real calendar date (YYYY-MM-DD)", abort: true })
  .refine(dateWithinFeedYears, { message: OUT_OF_YEARS });

/** Strict, as parseIsoInstant is: Date.parse would roll 2025-02-30 or 24:00 over to another instant. */
const isoInstant = z
  .string()
  .refine((s) => instantOf(s) !== null, {
    message: "not an ISO-8601 instant with a zone (e.g. 2025-09-12T22:30:00Z)",
    abort: true,
  })
  .refine((s) => withinFeedYears(instantOf(s)!), { message: OUT_OF_YEARS });

function instantOf(s: string): number | null {
  try {
    return parseIsoInstant(s).getTime();
  } catch {
    return null;
  }
}

/** A name as people read it: trimmed, not empty, at most MAX_NAME_LENGTH characters. */
const name = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `${what} is empty`)
    .max(MAX_NAME_LENGTH, `${what} is longer than ${MAX_NAME_LENGTH} characters`);

const programNumber = z
  .string()
  .trim()
  .min(1, "program number is empty")
  .max(8, "program number is longer than 8 characters");

/** Odds as the board shows them; parsed later by parseBoardOdds (so errors carry the raw text). */
const boardOdds = z.union([z.string(), z.number(), z.null()]);

const money = z
  .number()
  .int("must be a whole number of currency units")
  .nonnegative("must not be negative")
  .max(MAX_MONEY, `must not exceed ${MAX_MONEY} (10 billion)`);

/** A stake (base_amount, dividend_unit): positive, at most MAX_MONEY. */
const stake = (field: string) =>
  z
    .number()
    .positive(`${field} must be positive`)
    .max(MAX_MONEY, `${field} must not exceed ${MAX_MONEY} (10 billion)`);

export const raceStatusSchema = z.enum(RACE_STATUSES);
export type RaceStatus = z.infer<typeof raceStatusSchema>;

const raceKey = {
  track: name("track"),
  track_code: name("track_code").optional(),
  date: calendarDate,
  race: z.number().int("race must be a whole number").min(1, "race number must be >= 1"),
};

export const cardEntrySchema = z.object({
  program_number: programNumber,
  horse: name("horse name"),
  morning_line: boardOdds.optional(),
  jockey: name("jockey").nullish(),
  trainer: name("trainer").nullish(),
  scratched: z.boolean().optional(),
});

export const cardMessageSchema = z.object({
  kind: z.literal("card"),
  ...raceKey,
  timezone: z
    .string()
    .min(1)
    .max(MAX_TIME_ZONE_LENGTH, `timezone is longer than ${MAX_TIME_ZONE_LENGTH} characters`)
    .optional(),
  post_time: z
    .string()
    .min(1)
    .max(MAX_POST_TIME_LENGTH, `post_time is longer than ${MAX_POST_TIME_LENGTH} characters`)
    .nullish(),
  status: raceStatusSchema.optional(),
  entries: z.array(cardEntrySchema).min(1, "a card needs at least one entry"),
});

export const winMessageSchema = z.object({
  kind: z.literal("win"),
  ...raceKey,
  fetched_at: isoInstant,
  total_win_pool: money.nullish(),
  /** How `win_odds` are quoted; absent: the track's default (totewatch.yaml), else odds-to-1. */
  odds_format: z.enum(ODDS_FORMATS).optional(),
  /** The stake a decimal dividend is quoted for; absent: the track's default, else 1. */
  dividend_unit: stake("dividend_unit").optional(),
  horses: z
    .array(
      z.object({
        program_number: programNumber,
        win_odds: boardOdds,
        win_pool_amount: money.nullish(),
      }),
    )
    .min(1, "a win snapshot needs at least one horse"),
});

export const exactaMessageSchema = z.object({
  kind: z.literal("exacta"),
  ...raceKey,
  fetched_at: isoInstant,
  total_exacta_pool: money.nullish(),
  base_amount: stake("base_amount").default(2),
  /** Payouts for a `base_amount` ticket; 0 or null: no money on the combination. */
  probables: z.record(
    z.string(),
    z
      .number()
      .nonnegative("payout must not be negative")
      .max(MAX_MONEY, `payout must not exceed ${MAX_MONEY} (10 billion)`)
      .nullable(),
  ),
});

export const statusMessageSchema = z.object({
  kind: z.literal("status"),
  ...raceKey,
  status: raceStatusSchema,
  at: isoInstant.optional(),
});

export const feedMessageSchema = z.discriminatedUnion("kind", [
  cardMessageSchema,
  winMessageSchema,
  exactaMessageSchema,
  statusMessageSchema,
]);

export type CardMessage = z.infer<typeof cardMessageSchema>;
export type WinMessage = z.infer<typeof winMessageSchema>;
export type ExactaMessage = z.infer<typeof exactaMessageSchema>;
export type StatusMessage = z.infer<typeof statusMessageSchema>;
export type FeedMessage = z.infer<typeof feedMessageSchema>;
/** What a source may write before defaults are applied (e.g. base_amount optional). */
export type FeedMessageInput = z.input<typeof feedMessageSchema>;
