/**
 * The bench's database: race days of 10 tracks x 10 races, 12 runners, 120
 * win boards 15 s apart before each post (1,440 odds rows a race), laid down
 * time-major across a day's races as ingest would write them, so one race's
 * rows sit among all the others'. Every 7th race also has an exacta grid and
 * two alerts, so the race page has something in each part.
 *
 * Cards go through applyRaceCard (a day per group commit); the snapshot rows
 * through @totewatch/db/testing's rawSnapshotInserts (bare prepared inserts,
 * a few days per transaction): about a minute for 10 million rows where
 * recordWinSnapshot would take several. The file is built once per
 * (migrations fingerprint, races, FILL_VERSION) under the OS temp folder and
 * reused while it matches; a run that is stopped leaves no half-built cache.
 */
import { copyFileSync, existsSync, readdirSync, renameSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  applyRaceCard,
  createDb,
  entriesForRace,
  evaluationTransaction,
  raceDates,
  racesOnDate,
  registerTrack,
  writeBatch,
  type Db,
  type ExactaSnapshotInput,
  type RaceKey,
  type RaceSummary,
  type WinSnapshotInput,
} from "@totewatch/db";
import { migratedTemplate, rawSnapshotInserts, rowCount, scratchDir } from "@totewatch/db/testing";
import { progress, stopIfAsked } from "./common.js";

/** Bump when what the fill writes changes: older cached files are then rebuilt. */
const FILL_VERSION = 1;
const CACHE_PREFIX = "totewatch-dashboard-bench-";

export const RUNNERS = Array.from({ length: 12 }, (_, i) => String(i + 1));
export const BOARDS_PER_RACE = 120;
export const BOARD_EVERY_MS = 15_000;
export const ROWS_PER_RACE = RUNNERS.length * BOARDS_PER_RACE;
const TRACKS = 10;
const RACES_PER_TRACK = 10;
const RACES_PER_DAY = TRACKS * RACES_PER_TRACK;
/** Race days per raw-insert transaction (about 720k rows). */
const DAYS_PER_CHUNK = 5;
/** Races with an exacta grid and alerts: every ALERT_EVERY-th. */
export const ALERT_EVERY = 7;
const FIRST_DAY = Date.UTC(2025, 3, 1);
const MINUTE_MS = 60_000;

const trackName = (t: number) => `Bench Downs ${t + 1}`;

/** Race `k` of the fill: which day, track and number. */
function raceKey(k: number): RaceKey & { day: number; postTime: Date } {
  const day = Math.floor(k / RACES_PER_DAY);
  const track = Math.floor((k % RACES_PER_DAY) / RACES_PER_TRACK);
  const number = k % RACES_PER_TRACK;
  const date = FIRST_DAY + day * 86_400_000;
  return {
    track: trackName(track),
    raceDate: new Date(date).toISOString().slice(0, 10),
    raceNumber: number + 1,
    day,
    // Post 12:00 New York (16:00Z in summer) then every 30 minutes; a track's first race a minute later per track.
    postTime: new Date(date + 16 * 60 * MINUTE_MS + number * 30 * MINUTE_MS + track * MINUTE_MS),
  };
}

export const raceKeyText = (key: RaceKey) => `${key.track}|${key.raceDate}|${key.raceNumber}`;

/** Races needed for at least `rows` odds rows. */
export const racesFor = (rows: number) => Math.max(1, Math.ceil(rows / ROWS_PER_RACE));

/** When board `s` (0 = first) of a race was fetched: the last one 15 s before post. */
const boardTime = (postTime: Date, s: number) =>
  new Date(postTime.getTime() - (BOARDS_PER_RACE - s) * BOARD_EVERY_MS);

/** Runner i's odds-to-1 on board s of race k: a price that drifts a little from board to board. */
function oddsOf(k: number, i: number, s: number): number {
  const base = 1.2 + ((i * 7 + k * 3) % 25);
  const drift = 1 + 0.25 * Math.sin((s + i * 11 + k) / 17);
  return Math.round(base * drift * 10) / 10;
}

function winSnapshot(k: number, s: number): WinSnapshotInput {
  const key = raceKey(k);
  const totalWinPool = 20_000 + s * 600;
  return {
    track: key.track,
    raceDate: key.raceDate,
    raceNumber: key.raceNumber,
    fetchedAt: boardTime(key.postTime, s),
    totalWinPool,
    runners: RUNNERS.map((programNumber, i) => {
      const winOdds = oddsOf(k, i, s);
      return { programNumber, winOdds, winPoolAmount: Math.round(totalWinPool / (winOdds + 1) / 1.6) };
    }),
  };
}

function exactaGrid(k: number): ExactaSnapshotInput {
  const key = raceKey(k);
  return {
    track: key.track,
    raceDate: key.raceDate,
    raceNumber: key.raceNumber,
    fetchedAt: boardTime(key.postTime, BOARDS_PER_RACE - 1),
    totalExactaPool: 15_000,
    probables: RUNNERS.flatMap((first, i) =>
      RUNNERS.filter((second) => second !== first).map((second, j) => ({
        first,
        second,
        payout: Math.round((oddsOf(k, i, BOARDS_PER_RACE - 1) + 1) * (j + 3) * 4 * 10) / 10,
      })),
    ),
  };
}

/** The migrations fingerprint, as db/testing names its template (`totewatch-template-<fingerprint>.db`). */
function migrationsFingerprint(): string {
  const name = path.basename(migratedTemplate());
  const match = /^totewatch-template-(.+)\.db$/.exec(name);
  if (!match) throw new Error(`unexpected template name ${name}: cannot tell the migrations fingerprint`);
  return match[1]!;
}

export interface BenchDatabase {
  file: string;
  races: number;
  oddsRows: number;
  /** False when a cached file was reused. */
  built: boolean;
}

const removeDatabase = (file: string) => {
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${file}${suffix}`, { force: true });
};

/** A database of at least `rows` odds rows: the cached file when it matches, else built (and cached). */
export async function benchDatabase(rows: number, signal: AbortSignal): Promise<BenchDatabase> {
  const races = racesFor(rows);
  const oddsRows = races * ROWS_PER_RACE;
  const current = `${CACHE_PREFIX}${migrationsFingerprint()}-`;
  const name = `${current}${races}r-v${FILL_VERSION}.db`;
  const file = path.join(os.tmpdir(), name);
  if (existsSync(file)) {
    const found = await storedOddsRows(file).catch(() => -1);
    if (found === oddsRows) {
      progress(`reusing ${file} (${oddsRows.toLocaleString("en-US")} odds rows)`);
      return { file, races, oddsRows, built: false };
    }
    progress(`cached ${file} holds ${found} odds rows, not ${oddsRows}: building it again`);
    removeDatabase(file);
  }
  const scratch = path.join(scratchDir(`${CACHE_PREFIX}build-`), "bench.db");
  copyFileSync(migratedTemplate(), scratch);
  await fill(scratch, races, signal);
  // A stale -wal beside the cache name would be read as part of the new file.
  removeDatabase(file);
  renameSync(scratch, file);
  // Files of other migrations or fill versions will never match again (other sizes may).
  for (const other of readdirSync(os.tmpdir())) {
    const stale = !other.startsWith(current) || !other.endsWith(`-v${FILL_VERSION}.db`);
    if (other.startsWith(CACHE_PREFIX) && /-v\d+\.db$/.test(other) && stale) {
      progress(`removing an outdated bench database: ${other}`);
      removeDatabase(path.join(os.tmpdir(), other));
    }
  }
  return { file, races, oddsRows, built: true };
}

async function storedOddsRows(file: string): Promise<number> {
  const db = createDb({ url: file, readOnly: true });
  try {
    return await rowCount(db, "odds_snapshot");
  } finally {
    await db.close();
  }
}

async function fill(file: string, races: number, signal: AbortSignal): Promise<void> {
  const started = performance.now();
  const total = races * ROWS_PER_RACE;
  progress(
    `building the bench database: ${races.toLocaleString("en-US")} races x ${ROWS_PER_RACE} odds rows ` +
      `= ${total.toLocaleString("en-US")} rows`,
  );
  const db = createDb({ url: file });
  try {
    for (let t = 0; t < TRACKS; t++) {
      await registerTrack(db, { name: trackName(t), code: `BD${t + 1}`, timezone: "America/New_York" });
    }
    const days = Math.ceil(races / RACES_PER_DAY);
    for (let day = 0; day < days; day++) {
      await stopIfAsked(signal);
      await writeBatch(db, async () => {
        for (let k = day * RACES_PER_DAY; k < Math.min(races, (day + 1) * RACES_PER_DAY); k++) {
          const { day: _day, ...key } = raceKey(k);
          await applyRaceCard(db, {
            ...key,
            trackCode: null,
            status: "official",
            entries: RUNNERS.map((programNumber, i) => ({
              programNumber,
              horse: `Bench Horse ${k * RUNNERS.length + i + 1}`,
              morningLineOdds: 1 + ((i * 7 + k * 3) % 25),
              jockey: `J. Jockey ${(k + i) % 60}`,
              trainer: `T. Trainer ${(k * 5 + i) % 90}`,
            })),
          });
        }
      });
    }
    progress(
      `  cards: ${races.toLocaleString("en-US")} races in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    let rows = 0;
    for (let day = 0; day < days; day += DAYS_PER_CHUNK) {
      await stopIfAsked(signal);
      const first = day * RACES_PER_DAY;
      const end = Math.min(races, (day + DAYS_PER_CHUNK) * RACES_PER_DAY);
      const win: WinSnapshotInput[] = [];
      for (let from = first; from < end; from += RACES_PER_DAY) {
        // A day's boards in time order across its races, as a poller writes them.
        const to = Math.min(end, from + RACES_PER_DAY);
        for (let s = 0; s < BOARDS_PER_RACE; s++) for (let k = from; k < to; k++) win.push(winSnapshot(k, s));
      }
      const exacta: ExactaSnapshotInput[] = [];
      for (let k = first; k < end; k++) if (k % ALERT_EVERY === 0) exacta.push(exactaGrid(k));
      const run = await rawSnapshotInserts(db, { win, exacta });
      rows += run.rows - exacta.length * RUNNERS.length * (RUNNERS.length - 1);
      const seconds = (performance.now() - started) / 1000;
      progress(
        `  filling odds_snapshot: ${rows.toLocaleString("en-US")} / ${total.toLocaleString("en-US")} rows ` +
          `(${seconds.toFixed(1)} s)`,
      );
    }
    await storeAlerts(db, races);
  } finally {
    await db.close();
  }
  progress(`  built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** Two alerts (steam on #1, an exacta overlay 1-2) on every ALERT_EVERY-th race, delivered nowhere yet. */
async function storeAlerts(db: Db, races: number): Promise<void> {
  const ids = await raceIds(db);
  const alerts: Array<{ raceId: number; entryId: number; at: Date; k: number }> = [];
  for (let k = 0; k < races; k += ALERT_EVERY) {
    const key = raceKey(k);
    const raceId = ids.get(raceKeyText(key))!;
    const one = (await entriesForRace(db, raceId)).find((entry) => entry.programNumber === "1")!;
    alerts.push({ raceId, entryId: one.entryId, at: boardTime(key.postTime, BOARDS_PER_RACE - 1), k });
  }
  await evaluationTransaction(db, async (tx) => {
    for (const { raceId, entryId, at, k } of alerts) {
      await tx.storeAlert(
        {
          triggeredAt: at,
          raceId,
          entryId,
          alertType: "steam",
          thresholdValue: 20,
          actualValue: -24,
          message: `Bench race ${k}: #1 steamed 24% in 5 min`,
          dedupeKey: `bench:steam:${raceId}`,
          subject: "1",
          details: { strength: 0.24 },
        },
        ["console"],
        at,
      );
      await tx.storeAlert(
        {
          triggeredAt: at,
          raceId,
          entryId: null,
          alertType: "exacta_overlay",
          thresholdValue: 30,
          actualValue: 45,
          message: `Bench race ${k}: exacta 1-2 probable 45% over fair`,
          dedupeKey: `bench:overlay:${raceId}`,
          subject: "1-2",
          details: { strength: 0.6 },
        },
        ["console"],
        at,
      );
    }
  });
  progress(`  alerts: ${alerts.length * 2} on ${alerts.length} races`);
}

/** Every race's id by its natural key. */
async function raceIds(db: Db): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const race of await allRaces(db)) ids.set(raceKeyText(race), race.raceId);
  return ids;
}

/** Every race of the file, by id. */
export async function allRaces(db: Db): Promise<RaceSummary[]> {
  const races: RaceSummary[] = [];
  for (const date of await raceDates(db)) races.push(...(await racesOnDate(db, date)));
  return races.sort((a, b) => a.raceId - b.raceId);
}

/** The id of a race of the fill that has an exacta grid and alerts, about the middle of the file. */
export function pageRaceKey(races: number): RaceKey {
  const k = Math.floor(races / 2 / ALERT_EVERY) * ALERT_EVERY;
  const { track, raceDate, raceNumber } = raceKey(k);
  return { track, raceDate, raceNumber };
}
