/**
 * How ingest polls: `cadence:` (how often, closer to post more often, and how
 * long past the off) and `http:` (timeouts, politeness between requests,
 * retries with backoff, the largest response body read, robots.txt).
 */
import { z } from "zod";
import { backoffOrder, nonNegativeInt, notAbove, positiveInt, section } from "./helpers.js";

/** http.maxBodyBytes's default: 16 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

export const cadenceSchema = section({
  defaultIntervalSeconds: positiveInt.default(300),
  nearPostIntervalSeconds: positiveInt.default(60),
  nearPostThresholdSeconds: positiveInt.default(600),
  finalIntervalSeconds: positiveInt.default(20),
  finalThresholdSeconds: positiveInt.default(120),
  /**
   * How long a race that is off is still polled (at finalIntervalSeconds) unless it is
   * official or cancelled first: US pools keep merging after the gates open, so the final
   * odds differ from the last board a player could bet into. 0 stops at the off.
   */
  afterOffSeconds: nonNegativeInt.default(600),
  cardRefreshSeconds: positiveInt.default(900),
}).superRefine((cadence, ctx) => {
  // Closer to post polls at least as often, and the final phase starts inside the near-post one.
  notAbove(cadence, "finalIntervalSeconds", "nearPostIntervalSeconds", ctx);
  notAbove(cadence, "nearPostIntervalSeconds", "defaultIntervalSeconds", ctx);
  notAbove(cadence, "finalThresholdSeconds", "nearPostThresholdSeconds", ctx);
});

export const httpSchema = section({
  timeoutMs: positiveInt.default(10_000),
  /** Politeness gap between two requests to the same host. */
  minHostDelayMs: nonNegativeInt.default(1000),
  retries: nonNegativeInt.default(4),
  backoffBaseMs: positiveInt.default(1000),
  backoffMaxMs: positiveInt.default(60_000),
  /** Consecutive failures of one endpoint before it is logged as a warning. */
  failureLogAfter: positiveInt.default(3),
  userAgent: z.string().min(1, "must not be empty").default("totewatch/0.1"),
  /**
   * The largest response body read, in bytes: a longer one (an endless or runaway body) is
   * cut off there and counts as a failed fetch, retried like any other. Default 16 MiB,
   * some hundred times a big race's exacta grid.
   */
  maxBodyBytes: positiveInt.default(DEFAULT_MAX_BODY_BYTES),
  /**
   * "obey" (the default): a URL that a site's robots.txt disallows for userAgent is never
   * fetched, and its Crawl-delay widens minHostDelayMs for that host. "ignore" skips robots.txt
   * altogether: only for a site that gave you permission to poll it (a tote feed licensed to
   * you, your own server), whatever its robots.txt says for crawlers in general.
   */
  robots: z.enum(["obey", "ignore"]).default("obey"),
}).superRefine(backoffOrder);
