/**
 * A sample tote server (`ingest serve-sample`): a simulated race day
 * (@totewatch/simulator) laid onto today's wall clock and served over HTTP on
 * 127.0.0.1 in the feed format (docs/feed.md), so `ingest poll` can be tried
 * without a real tote. Each endpoint answers with what the tote showed at the
 * moment of the request: the latest card of each race, the latest win board,
 * exacta grid and status of a race (an empty array before there is one).
 *
 * The day: track i's first post is `firstPostInMinutes` (+ 10 min per track
 * before it) from the start, on the minute, in the track's own zone and
 * calendar; races follow every 30 simulated minutes while they fit before
 * local midnight. With `speed` N the simulated day runs N times faster: every
 * instant the feed shows (post times, fetched_at, status times) is moved onto
 * the wall clock, anchored at the track's first post, so a poller sees a
 * coherent day on its own clock. Endpoints follow totewatch.example.yaml's
 * templates: /{code}/{date}/card and /{code}/{date}/{race}/win|exacta|status.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { EXIT } from "@totewatch/cli-kit";
import {
  createLogger,
  DEFAULT_DATABASE_PATH,
  systemClock,
  userCwd,
  type Clock,
  type Logger,
} from "@totewatch/config";
import type { FeedMessageInput } from "@totewatch/feed";
import { BUILT_IN_TRACKS, simulateTimedRaceDay } from "@totewatch/simulator";
import { localDateOf, localDateTimeOf, parseIsoInstant } from "@totewatch/tote";

const MINUTE = 60_000;
/** Simulated minutes between two races of a track (the simulator's default). */
const MINUTES_BETWEEN_RACES = 30;
/** Track i's first post comes this long after track i-1's, so the tracks' races interleave. */
const TRACK_STAGGER_MS = 10 * MINUTE;
/** The simulator's limit. */
export const MAX_SAMPLE_RACES = 30;
export const MAX_SAMPLE_TRACKS = BUILT_IN_TRACKS.length;
export const SAMPLE_HOST = "127.0.0.1";
/** The first line of a config file serve-sample writes: only such a file is ever overwritten. */
export const SAMPLE_CONFIG_HEADER = "# Written by `totewatch ingest serve-sample`";
/** Where serve-sample writes its config unless told: data/sample-tote.yaml beside the default database. */
export const DEFAULT_SAMPLE_CONFIG = path.join(path.dirname(DEFAULT_DATABASE_PATH), "sample-tote.yaml");

export type SampleKind = "card" | "win" | "exacta" | "status";

export interface SampleDayOptions {
  /** Wall-clock epoch ms the day is laid out from (the server's start). */
  start: number;
  tracks: number;
  racesPerTrack: number;
  seed: number;
  /** N times real time (> 0). */
  speed: number;
  /** Minutes from `start` to the first race's post (> 0). */
  firstPostInMinutes: number;
}

export interface SampleTrack {
  name: string;
  code: string;
  timezone: string;
  /** The race date, in the track's local calendar. */
  date: string;
  races: number;
  /** Wall-clock epoch ms of the first and last posts. */
  firstPost: number;
  lastPost: number;
  /** Fewer races than asked for: the rest would run past local midnight. */
  shortened: boolean;
}

interface Shown {
  /** Wall-clock epoch ms from which the tote shows this message. */
  at: number;
  message: FeedMessageInput;
}

export interface SampleDay {
  tracks: SampleTrack[];
  /** `${code}/${date}/${race}/${kind}` -> what the tote showed, in time order. */
  timelines: Map<string, Shown[]>;
}

/** The day a sample server serves, laid onto the wall clock from `options.start` (pure). */
export function buildSampleDay(options: SampleDayOptions): SampleDay {
  const { start, speed } = options;
  const tracks: SampleTrack[] = [];
  const timelines = new Map<string, Shown[]>();
  BUILT_IN_TRACKS.slice(0, options.tracks).forEach((spec, index) => {
    // Wall and simulated time agree at the track's first post, a whole minute (the simulator
    // takes a local "HH:MM"); everything else is `speed` times closer to it on the wall clock.
    const anchor =
      Math.ceil((start + options.firstPostInMinutes * MINUTE + index * TRACK_STAGGER_MS) / MINUTE) * MINUTE;
    const local = localDateTimeOf(new Date(anchor), spec.timezone);
    const date = local.slice(0, 10);
    let races = options.racesPerTrack;
    while (races > 1 && localDateOf(new Date(postOf(anchor, races)), spec.timezone) !== date) races--;
    const wall = (simulated: number) => Math.round(anchor + (simulated - anchor) / speed);
    const moved = (iso: string) => (speed === 1 ? iso : isoUtc(wall(parseIsoInstant(iso).getTime())));
    const day = simulateTimedRaceDay({
      date,
      tracks: [spec],
      racesPerTrack: races,
      // One seed per track: each is simulated on its own, and horses are matched by name.
      seed: options.seed + index * 7919,
      firstPostLocal: local.slice(11, 16),
      minutesBetweenRaces: MINUTES_BETWEEN_RACES,
      exacta: true,
    });
    for (const { atMs, message } of day) {
      const key = `${spec.code}/${date}/${message.race}/${message.kind}`;
      let timeline = timelines.get(key);
      if (!timeline) timelines.set(key, (timeline = []));
      // A race's first card is up from the start, however fast the day runs (the program is out).
      const at = message.kind === "card" && timeline.length === 0 ? Math.min(wall(atMs), start) : wall(atMs);
      timeline.push({ at, message: withMovedTimes(message, moved) });
    }
    tracks.push({
      ...spec,
      date,
      races,
      firstPost: anchor,
      lastPost: wall(postOf(anchor, races)),
      shortened: races < options.racesPerTrack,
    });
  });
  return { tracks, timelines };
}

/** Simulated epoch ms of race `race`'s post, race 1 at `firstPost`. */
function postOf(firstPost: number, race: number): number {
  return firstPost + (race - 1) * MINUTES_BETWEEN_RACES * MINUTE;
}

function withMovedTimes(message: FeedMessageInput, moved: (iso: string) => string): FeedMessageInput {
  switch (message.kind) {
    case "card":
      return typeof message.post_time === "string"
        ? { ...message, post_time: moved(message.post_time) }
        : message;
    case "win":
    case "exacta":
      return { ...message, fetched_at: moved(message.fetched_at) };
    case "status":
      return typeof message.at === "string" ? { ...message, at: moved(message.at) } : message;
    default:
      return message;
  }
}

function isoUtc(epochMs: number): string {
  const text = new Date(epochMs).toISOString();
  return text.endsWith(".000Z") ? `${text.slice(0, -5)}Z` : text;
}

/** The message of `timeline` the tote shows at `now`: the latest from at or before it. */
function shownAt(timeline: readonly Shown[] | undefined, now: number): FeedMessageInput | null {
  if (!timeline) return null;
  for (let i = timeline.length - 1; i >= 0; i--) if (timeline[i]!.at <= now) return timeline[i]!.message;
  return null;
}

export interface SampleResponse {
  status: number;
  body: unknown;
}

/**
 * The answer to GET `pathname` at wall-clock `now`: a card endpoint lists the latest card of
 * each race already published, a race endpoint the latest board or status (an empty array
 * before the first one: a poller applies nothing and asks again later); `/` describes the server.
 */
export function sampleResponse(day: SampleDay, pathname: string, now: number): SampleResponse {
  const parts = pathname.split("/").filter((part) => part !== "");
  if (parts.length === 0) return { status: 200, body: describeDay(day, now) };
  const track = day.tracks.find((t) => t.code === parts[0]);
  if (!track || parts[1] !== track.date || parts.length < 3) return notFound(day, pathname);
  if (parts.length === 3 && parts[2] === "card") {
    const cards: FeedMessageInput[] = [];
    for (let race = 1; race <= track.races; race++) {
      const card = shownAt(day.timelines.get(`${track.code}/${track.date}/${race}/card`), now);
      if (card) cards.push(card);
    }
    return { status: 200, body: cards };
  }
  const race = Number(parts[2]);
  const kind = parts[3];
  if (
    parts.length !== 4 ||
    !Number.isInteger(race) ||
    race < 1 ||
    race > track.races ||
    (kind !== "win" && kind !== "exacta" && kind !== "status")
  ) {
    return notFound(day, pathname);
  }
  const shown = shownAt(day.timelines.get(`${track.code}/${track.date}/${race}/${kind}`), now);
  return { status: 200, body: shown ?? [] };
}

function notFound(day: SampleDay, pathname: string): SampleResponse {
  return {
    status: 404,
    body: {
      error: `no such endpoint: ${pathname}`,
      endpoints: ENDPOINT_PATHS,
      tracks: day.tracks.map((t) => ({ code: t.code, date: t.date, races: t.races })),
    },
  };
}

/** The endpoint templates under the server's URL (totewatch.example.yaml's). */
export const ENDPOINT_PATHS: Readonly<Record<SampleKind, string>> = {
  card: "/{code}/{date}/card",
  win: "/{code}/{date}/{race}/win",
  exacta: "/{code}/{date}/{race}/exacta",
  status: "/{code}/{date}/{race}/status",
};

function describeDay(day: SampleDay, now: number) {
  return {
    server: "totewatch sample tote",
    now: isoUtc(now),
    endpoints: ENDPOINT_PATHS,
    tracks: day.tracks.map((t) => ({
      name: t.name,
      code: t.code,
      timezone: t.timezone,
      date: t.date,
      races: t.races,
      firstPost: isoUtc(t.firstPost),
      lastPost: isoUtc(t.lastPost),
    })),
  };
}

export interface SampleServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface StartSampleServerOptions {
  day: SampleDay;
  /** 0: any free port. */
  port: number;
  /** Whose time the endpoints show; default the system clock. */
  clock?: Clock;
  /** Told about each request answered. */
  onRequest?: (request: { method: string; path: string; status: number }) => void;
}

/** Serves `day` on 127.0.0.1:`port`; rejects when the port cannot be had (e.g. EADDRINUSE). */
export async function startSampleServer(options: StartSampleServerOptions): Promise<SampleServer> {
  const clock = options.clock ?? systemClock;
  const server = http.createServer((request, response) => {
    const method = request.method ?? "GET";
    const pathname = new URL(request.url ?? "/", "http://sample").pathname;
    const answer: SampleResponse =
      method === "GET" || method === "HEAD"
        ? sampleResponse(options.day, pathname, clock.now())
        : { status: 405, body: { error: "only GET and HEAD" } };
    const text = JSON.stringify(answer.body);
    response.writeHead(answer.status, {
      "content-type": "application/json; charset=utf-8",
      "content-length": Buffer.byteLength(text),
      "cache-control": "no-store",
    });
    response.end(method === "HEAD" ? undefined : text);
    options.onRequest?.({ method, path: pathname, status: answer.status });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, SAMPLE_HOST, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${SAMPLE_HOST}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A totewatch.yaml whose tracks poll the sample server at `url` (its database beside the file). */
export function sampleConfigYaml(day: SampleDay, url: string, speed: number): string {
  const q = (text: string) => JSON.stringify(text);
  const lines = [
    `${SAMPLE_CONFIG_HEADER} for its sample tote on ${url}`,
    "# (rewritten by every run that names this file; delete this header to keep your edits).",
    "# Poll it with: totewatch ingest poll --config <this file>",
    "database:",
    "  url: file:./sample.db # beside this file",
    "tracks:",
  ];
  for (const track of day.tracks) {
    lines.push(
      `  - name: ${q(track.name)}`,
      `    code: ${q(track.code)}`,
      `    timezone: ${q(track.timezone)}`,
      "    endpoints:",
      ...(Object.keys(ENDPOINT_PATHS) as SampleKind[]).map(
        (kind) => `      ${kind}: ${url}${ENDPOINT_PATHS[kind]}`,
      ),
      "    pools: [win, exacta]",
    );
  }
  lines.push("http:", "  minHostDelayMs: 0 # the sample tote runs on this machine");
  if (speed !== 1) {
    // The day runs `speed` times faster: poll that much more often (the defaults are 300/60/20 s).
    const scaled = (seconds: number) => Math.max(1, Math.round(seconds / speed));
    lines.push(
      `cadence: # the day runs ${speed}x real time`,
      `  defaultIntervalSeconds: ${scaled(300)}`,
      `  nearPostIntervalSeconds: ${scaled(60)}`,
      `  nearPostThresholdSeconds: ${scaled(600)}`,
      `  finalIntervalSeconds: ${scaled(20)}`,
      `  finalThresholdSeconds: ${scaled(120)}`,
      `  afterOffSeconds: ${scaled(600)}`,
      `  cardRefreshSeconds: ${scaled(900)}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

export interface ServeSampleOptions {
  port: number;
  tracks: number;
  races: number;
  seed: number;
  speed: number;
  firstPost: number;
  /** The config file to write; default DEFAULT_SAMPLE_CONFIG. */
  writeConfig?: string;
  quiet?: boolean;
}

/**
 * `ingest serve-sample`: serves a sample day until `signal` aborts, after writing the config
 * that polls it; resolves with the exit code (2 for a bad option or a config file it may not
 * overwrite, 1 when the port cannot be had).
 */
export async function serveSample(
  options: ServeSampleOptions,
  signal: AbortSignal,
  io: { clock?: Clock; logger?: Logger; stderr?: Pick<NodeJS.WritableStream, "write"> } = {},
): Promise<number> {
  const stderr = io.stderr ?? process.stderr;
  const fail = (code: number, message: string) => {
    stderr.write(`ingest serve-sample: ${message}\n`);
    return code;
  };
  if (options.tracks < 1 || options.tracks > MAX_SAMPLE_TRACKS)
    return fail(EXIT.usage, `--tracks must be from 1 to ${MAX_SAMPLE_TRACKS}`);
  if (options.races < 1 || options.races > MAX_SAMPLE_RACES)
    return fail(EXIT.usage, `--races must be from 1 to ${MAX_SAMPLE_RACES}`);
  if (options.port > 65535) return fail(EXIT.usage, "--port must be from 0 to 65535");
  const configFile = path.resolve(userCwd(), options.writeConfig ?? DEFAULT_SAMPLE_CONFIG);
  const shownConfig = displayPath(configFile);
  const refusal = overwriteRefusal(configFile, shownConfig);
  if (refusal) return fail(EXIT.usage, refusal);

  const clock = io.clock ?? systemClock;
  const logger = io.logger ?? createLogger({ name: "serve-sample" });
  const day = buildSampleDay({
    start: clock.now(),
    tracks: options.tracks,
    racesPerTrack: options.races,
    seed: options.seed,
    speed: options.speed,
    firstPostInMinutes: options.firstPost,
  });
  let server: SampleServer;
  try {
    server = await startSampleServer({
      day,
      port: options.port,
      clock,
      onRequest: options.quiet
        ? undefined
        : ({ method, path: requested, status }) =>
            logger.info({ method, path: requested, status }, `${method} ${requested} ${status}`),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(
      EXIT.failed,
      code === "EADDRINUSE"
        ? `port ${options.port} on ${SAMPLE_HOST} is in use (choose another with --port, or 0 for any free one)`
        : `cannot listen on ${SAMPLE_HOST}:${options.port}: ${(error as Error).message}`,
    );
  }
  try {
    mkdirSync(path.dirname(configFile), { recursive: true });
    writeFileSync(configFile, sampleConfigYaml(day, server.url, options.speed));
  } catch (error) {
    await server.close();
    return fail(EXIT.failed, `cannot write ${shownConfig}: ${(error as Error).message}`);
  }
  for (const track of day.tracks) {
    logger.info(
      { track: track.name, code: track.code, date: track.date, races: track.races },
      `${track.name} (${track.code}) ${track.date}: ${track.races} races, post ${localTime(track.firstPost, track.timezone)}` +
        ` to ${localTime(track.lastPost, track.timezone)}` +
        (track.shortened ? " (fewer races: the rest would run past local midnight)" : ""),
    );
  }
  logger.info(
    { url: server.url, config: configFile, speed: options.speed },
    `sample tote on ${server.url}${options.speed === 1 ? "" : ` at ${options.speed}x real time`}; ` +
      `poll it from another terminal: pnpm totewatch ingest poll --config ${shownConfig} (Ctrl-C stops the server)`,
  );
  if (!signal.aborted)
    await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
  await server.close();
  logger.info("sample tote stopped");
  return EXIT.ok;
}

/** Why `file` must not be overwritten (it exists and is not one serve-sample wrote), or null. */
function overwriteRefusal(file: string, shown: string): string | null {
  if (!existsSync(file)) return null;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    return `cannot read ${shown}: ${(error as Error).message}`;
  }
  return text.startsWith(SAMPLE_CONFIG_HEADER)
    ? null
    : `${shown} exists and was not written by serve-sample: name another file with --write-config`;
}

/** `file` relative to the user's folder when inside it (what they would type), else absolute. */
function displayPath(file: string): string {
  const relative = path.relative(userCwd(), file);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}

/** "14:40 EDT": a wall-clock time in a zone, with the zone's abbreviation. */
function localTime(epochMs: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-US", {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
  }).format(new Date(epochMs));
}
