/**
 * robots.txt for the HTTP client (RFC 9309), one per origin, for http.userAgent.
 *
 * Invariants:
 * - No URL of an origin is requested before that origin's robots.txt was answered: a check
 *   waits for it (concurrent checks of one origin share one request).
 * - 2xx: the file is parsed (robots-parser) and obeyed. 4xx other than 429: there is no
 *   robots.txt for us, everything is allowed. 5xx, 429, a timeout, a network failure or a
 *   body over the limit: nothing of the origin is allowed (a retryable failure saying
 *   robots.txt could not be read), unless an earlier robots.txt of the origin was read: that
 *   one stays in force.
 * - An answer is kept for ROBOTS_TTL_MS, then asked for again; a failure with an earlier copy
 *   in force is asked for again after ROBOTS_RETRY_MS. A failure with no copy is not kept: the
 *   next check (the fetch's retry) asks again.
 * - A disallowed URL is a failure that is not retried, naming the URL (through redactUrl: never
 *   a password) and the rule; warned once per URL, at debug level after that.
 * - Crawl-delay (seconds) for the user agent is reported per origin; the client spaces its
 *   requests to the host by the larger of it and http.minHostDelayMs.
 */
import { redactUrl, type Clock, type Logger } from "@totewatch/config";
import robotsParserModule from "robots-parser";

// robots-parser is CommonJS (module.exports is the function) typed as an ES default export,
// so under NodeNext TypeScript sees the default import as the module object. It is the function.
const robotsParser = robotsParserModule as unknown as typeof robotsParserModule.default;

/** How long a robots.txt answer is used before it is asked for again: 1 hour. */
export const ROBOTS_TTL_MS = 60 * 60 * 1000;
/** How soon a robots.txt that could not be read is asked for again while an earlier copy is used. */
export const ROBOTS_RETRY_MS = 5 * 60 * 1000;
/** Disallowed URLs remembered as already warned about (the oldest forgotten first). */
const WARNED_LIMIT = 5000;

/** What asking for `<origin>/robots.txt` gave. */
export type RobotsAnswer =
  | { kind: "file"; text: string }
  /** An HTTP status that means "no robots.txt for you": everything is allowed. */
  | { kind: "none"; status: number }
  /** It could not be read (5xx, 429, timeout, network, too large): `reason` says why. */
  | { kind: "unreadable"; reason: string };

export type RobotsVerdict = { ok: true } | { ok: false; error: string; retryable: boolean };

/** The answer for a status that is not 2xx: 4xx is "none" (RFC 9309 2.3.1.3), except 429. */
export function answerForStatus(status: number, statusText: string): RobotsAnswer {
  if (status >= 400 && status < 500 && status !== 429) return { kind: "none", status };
  return { kind: "unreadable", reason: `HTTP ${status} ${statusText}`.trim() };
}

type Robot = ReturnType<typeof robotsParser>;

interface Rules {
  /** null: everything allowed (no robots.txt). */
  robot: Robot | null;
  lines: string[];
}

interface Entry {
  rules: Rules | null;
  /** When to ask again. */
  freshUntil: number;
  /** Why robots.txt could not be read, when `rules` is null. */
  reason?: string;
}

export interface RobotsRulesOptions {
  userAgent: string;
  clock: Clock;
  /**
   * GETs `robotsUrl` as the client would (user agent, timeout, body limit, host gap), with the
   * basic auth of the URL that asked (a tote behind basic auth may guard its robots.txt too).
   */
  fetchRobots: (robotsUrl: string, authorization: string | null) => Promise<RobotsAnswer>;
  logger?: Logger;
  ttlMs?: number;
}

export class RobotsRules {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<Entry>>();
  private readonly warned = new Set<string>();
  private readonly ttlMs: number;

  constructor(private readonly options: RobotsRulesOptions) {
    this.ttlMs = options.ttlMs ?? ROBOTS_TTL_MS;
  }

  /** Whether `url` (without credentials) may be fetched; `shown` is the URL as logged. */
  async check(
    url: string,
    shown = redactUrl(url),
    authorization: string | null = null,
  ): Promise<RobotsVerdict> {
    const origin = new URL(url).origin;
    const robotsUrl = `${origin}/robots.txt`;
    const entry = await this.entryFor(origin, robotsUrl, authorization);
    if (!entry.rules) {
      return {
        ok: false,
        error: `robots.txt could not be read (${robotsUrl}: ${entry.reason ?? "unknown"}); ${shown} not fetched until it can be`,
        retryable: true,
      };
    }
    const { robot, lines } = entry.rules;
    const { userAgent } = this.options;
    // robots-parser answers undefined for a URL of another origin: cannot happen, the origin is the URL's.
    if (!robot || robot.isAllowed(url, userAgent) !== false) {
      this.warned.delete(shown);
      return { ok: true };
    }
    const line = robot.getMatchingLineNumber(url, userAgent);
    const rule = lines[line - 1]?.trim();
    const error = `${shown} is disallowed by ${robotsUrl} for user agent ${userAgent}${rule ? ` (line ${line}: ${rule})` : ""}`;
    const fields = { source: shown, robots: robotsUrl, userAgent };
    if (this.warned.has(shown)) {
      this.options.logger?.debug(fields, error);
    } else {
      remember(this.warned, shown, WARNED_LIMIT);
      this.options.logger?.warn(fields, `${error}: not fetched (http.robots is "obey")`);
    }
    return { ok: false, error, retryable: false };
  }

  /** The Crawl-delay for the user agent in the origin's robots.txt as known now, in ms. */
  crawlDelayMs(url: string): number {
    const robot = this.entries.get(new URL(url).origin)?.rules?.robot;
    const seconds = robot?.getCrawlDelay(this.options.userAgent);
    return seconds !== undefined && Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
  }

  private async entryFor(origin: string, robotsUrl: string, authorization: string | null): Promise<Entry> {
    const cached = this.entries.get(origin);
    if (cached && this.options.clock.now() < cached.freshUntil) return cached;
    let pending = this.inFlight.get(origin);
    if (!pending) {
      pending = this.load(origin, robotsUrl, authorization, cached).finally(() =>
        this.inFlight.delete(origin),
      );
      this.inFlight.set(origin, pending);
    }
    return pending;
  }

  private async load(
    origin: string,
    robotsUrl: string,
    authorization: string | null,
    earlier?: Entry,
  ): Promise<Entry> {
    const answer = await this.options.fetchRobots(robotsUrl, authorization);
    const now = this.options.clock.now();
    if (answer.kind === "unreadable") {
      if (earlier?.rules) {
        this.options.logger?.debug(
          { robots: robotsUrl, error: answer.reason },
          "robots.txt could not be read again: the earlier copy stays in force",
        );
        const entry = { rules: earlier.rules, freshUntil: now + Math.min(ROBOTS_RETRY_MS, this.ttlMs) };
        this.entries.set(origin, entry);
        return entry;
      }
      // Not kept: the next check asks again.
      return { rules: null, freshUntil: now, reason: answer.reason };
    }
    const rules: Rules =
      answer.kind === "file"
        ? { robot: robotsParser(robotsUrl, answer.text), lines: answer.text.split(/\r\n|\r|\n/) }
        : { robot: null, lines: [] };
    const entry = { rules, freshUntil: now + this.ttlMs };
    this.entries.set(origin, entry);
    return entry;
  }
}

/** Adds `key` as the newest of a bounded set, dropping the oldest past `limit`. */
function remember(set: Set<string>, key: string, limit: number): void {
  set.delete(key);
  set.add(key);
  if (set.size > limit) set.delete(set.values().next().value!);
}
