// The daemon's delivery on a shared database: two deliverers at once, a kill between store and delivery,
// dry runs that leave the database as it was. Real SQLite or PostgreSQL, real receivers on 127.0.0.1.
// Kept whole (over 300 lines): every scenario shares the CLI child-process harness below.
import {
  alertRows,
  allStoredRows,
  captureLogs,
  captureStream,
  deliveryRows,
  freshTestDatabaseUrl,
  storeSteamAlert,
} from "@totewatch/test-utils";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { createDb, type Db } from "@totewatch/db";
import { createChannels } from "../delivery/index.js";
import { startWebhookReceiver, type WebhookReceiver } from "../../test/delivery.js";
import { runDaemon } from "./daemon.js";
import { runOnceCapturing } from "../../test/daemon.js";
import { TEST_CONFIG_YAML, testConfig, writePhaseOne, writePhaseTwo } from "../../test/engine.js";

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const cliScript = path.join(appDir, "src", "cli.ts");
// tsx is a root dev dependency; resolve its ESM loader from here so this works from any cwd.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm")).href;
const SECRET = "daemon-delivery-secret";
/** The console line of a stored steam alert (storeSteamAlert), or of any alert the scripted race raises. */
const CONSOLE_LINE = /\[(steam|odds_below|odds_above|overlay|exacta_low)\]/;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function open(url: string): Db {
  const db = createDb({ url });
  cleanups.push(() => db.close());
  return db;
}

async function receiver(...args: Parameters<typeof startWebhookReceiver>): Promise<WebhookReceiver> {
  const started = await startWebhookReceiver(...args);
  cleanups.push(() => started.close());
  return started;
}

/** Stores `count` steam alerts (distinct keys and times) with a delivery row per channel; returns their keys. */
async function storeAlerts(db: Db, count: number, channels: readonly string[]): Promise<string[]> {
  const keys: string[] = [];
  for (let i = 0; i < count; i++) {
    const { dedupeKey } = await storeSteamAlert(db, {
      dedupeKey: `steam-test-${String(i).padStart(3, "0")}`,
      triggeredAt: new Date(Date.UTC(2024, 7, 1, 17, 0, i)),
      channels,
    });
    keys.push(dedupeKey);
  }
  return keys;
}

function configYaml(webhook: WebhookReceiver, options: { console: boolean; timeoutMs?: number }): string {
  return `log: { level: warn }
${TEST_CONFIG_YAML}
  channels:
    console: { enabled: ${options.console} }
    webhook: { enabled: true, url: "${webhook.url}", secret: ${SECRET}, timeoutMs: ${options.timeoutMs ?? 5000} }
`;
}

function configFile(yaml: string): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "totewatch-daemon-")), "totewatch.yaml");
  writeFileSync(file, yaml);
  return file;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `alerts <args>` in its own OS process; `started` gets the child as soon as it runs. */
function alertsCli(args: string[], started?: (child: ChildProcess) => void): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", tsxLoader, cliScript, ...args], {
      cwd: appDir,
      env: { ...process.env, DATABASE_URL: "", TOTEWATCH_CONFIG: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    cleanups.push(() => void child.kill("SIGKILL"));
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
    started?.(child);
  });
}

const consoleLines = (text: string) => text.split("\n").filter((line) => CONSOLE_LINE.test(line));

async function alertState(db: Db): Promise<{ keys: string[]; unsent: number }> {
  const rows = await alertRows(db);
  return { keys: rows.map((row) => row.dedupeKey), unsent: rows.filter((row) => !row.sent).length };
}

const sorted = (values: Iterable<string | undefined>) => [...values].map(String).sort();

describe("two deliverers on one database", () => {
  it("two daemons (run --once) at once send every alert exactly once per channel", async () => {
    // Answers after 30 ms: both deliverers are mid-send at the same time.
    const webhook = await receiver(() => 200, { delayMs: 30 });
    const config = testConfig(configYaml(webhook, { console: true }));
    const url = await freshTestDatabaseUrl("two-deliverers");
    const keys = await storeAlerts(open(url), 40, ["console", "webhook"]);

    const run = (db: Db) => runOnceCapturing(db, config, CONSOLE_LINE);
    const [first, second] = await Promise.all([run(open(url)), run(open(url))]);

    expect(sorted(webhook.requests.map((request) => request.idempotencyKey))).toEqual(keys);
    const lines = [...first.lines, ...second.lines];
    expect(lines).toHaveLength(keys.length);
    expect(new Set(lines).size).toBe(keys.length);
    // "delivered" counts only deliveries this process recorded: together, one per alert and channel.
    expect(first.summary.delivered + second.summary.delivered).toBe(2 * keys.length);
    expect(await alertState(open(url))).toEqual({ keys, unsent: 0 });
  });

  it("two `alerts run --once` OS processes at once send every alert exactly once per channel", async () => {
    const webhook = await receiver(() => 200, { delayMs: 30 });
    const config = configFile(configYaml(webhook, { console: true }));
    const url = await freshTestDatabaseUrl("two-processes");
    const keys = await storeAlerts(open(url), 30, ["console", "webhook"]);

    const exits = await Promise.all(
      [1, 2].map(() => alertsCli(["run", "--once", "--config", config, "--db", url])),
    );
    for (const exit of exits) expect(exit, exit.stderr).toMatchObject({ code: 0 });

    expect(sorted(webhook.requests.map((request) => request.idempotencyKey))).toEqual(keys);
    // Not a terminal: stdout carries (JSON) log lines only, the console's alert lines go to stderr.
    for (const exit of exits) {
      expect(consoleLines(exit.stdout)).toEqual([]);
      for (const line of exit.stdout.split("\n").filter((text) => text !== "")) {
        expect(() => JSON.parse(line) as unknown, line).not.toThrow();
      }
    }
    const lines = exits.flatMap((exit) => consoleLines(exit.stderr));
    expect(lines).toHaveLength(keys.length);
    expect(new Set(lines).size).toBe(keys.length);
    expect(await alertState(open(url))).toEqual({ keys, unsent: 0 });
  }, 60_000);
});

describe("kill between store and delivery", () => {
  it("`alerts run` SIGKILLed mid-send: the next `run --once` delivers each alert once, all end sent", async () => {
    const url = await freshTestDatabaseUrl("kill");
    const writer = open(url);
    await writePhaseOne(writer);
    await writePhaseTwo(writer);

    let daemon: ChildProcess | undefined;
    // The first request arrives when the daemon has stored the alerts and is delivering: kill it
    // right there, with the request unanswered (the receiver may or may not have acted on it).
    const webhook = await receiver((n) => (n === 1 ? "hang" : 200), {
      onRequest: (_request, n) => {
        if (n === 1) daemon?.kill("SIGKILL");
      },
    });
    // A short webhook timeout keeps the claim the dead daemon left short.
    const config = configFile(configYaml(webhook, { console: false, timeoutMs: 1000 }));
    const killed = await alertsCli(["run", "--config", config, "--db", url], (child) => (daemon = child));
    expect(killed.signal).toBe("SIGKILL");

    const afterKill = await alertState(writer);
    expect(afterKill.keys).toHaveLength(5);
    expect(afterKill.unsent).toBe(5);
    expect(webhook.requests).toHaveLength(1);
    const held = webhook.requests[0]!.idempotencyKey;

    // The dead daemon's claim on the first alert must run out before anyone may retry it.
    const claims = (await deliveryRows(writer))
      .filter((row) => row.deliveredAt === null && row.nextAttemptAt !== null)
      .map((row) => row.nextAttemptAt!.getTime());
    expect(claims).not.toHaveLength(0);
    const waitMs = Math.max(...claims) - Date.now() + 50;
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));

    const rerun = await alertsCli(["run", "--once", "--config", config, "--db", url]);
    expect(rerun, rerun.stderr).toMatchObject({ code: 0 });

    // The hung alert went again with the same Idempotency-Key; every other alert went once.
    const requestKeys = webhook.requests.map((request) => request.idempotencyKey);
    expect(requestKeys.filter((key) => key === held)).toHaveLength(2);
    expect(sorted(requestKeys.filter((key) => key !== held))).toEqual(
      afterKill.keys.filter((key) => key !== held),
    );
    // A receiver honouring the key acted on each alert exactly once.
    expect(sorted(webhook.processed)).toEqual(afterKill.keys);
    expect(await alertState(writer)).toEqual({ keys: afterKill.keys, unsent: 0 });
  }, 60_000);
});

describe("dry run", () => {
  it("run --once --dry-run shows everything pending, changes nothing; the real run then sends each alert once", async () => {
    const webhook = await receiver();
    const config = testConfig(configYaml(webhook, { console: true }));
    const url = await freshTestDatabaseUrl("dry-run");
    const db = open(url);
    // More stored, unsent alerts than one delivery batch (200), and snapshots not evaluated yet.
    const storedKeys = await storeAlerts(db, 230, ["console", "webhook"]);
    await writePhaseOne(db);
    await writePhaseTwo(db);
    const before = await allStoredRows(db);

    const dryStdout = captureStream();
    const dryLog = captureLogs();
    const dryChannels = createChannels(config.alerts.channels, {
      dryRun: true,
      stdout: dryStdout.stream,
      logger: dryLog.logger,
    });
    const dry = await runDaemon(db, { config, logger: dryLog.logger, channels: dryChannels, once: true });

    expect(await allStoredRows(db)).toEqual(before);
    expect(webhook.requests).toHaveLength(0);
    expect(dryStdout.text()).toBe("");
    expect(dry.raised).toBe(5);
    const wouldSend = (channel: string) =>
      sorted(
        dryLog.records
          .filter((record) => record.msg === "dry run: would send alert" && record.channel === channel)
          .map((record) => record.alert as string),
      );
    const dryKeys = wouldSend("webhook");
    expect(dryKeys).toHaveLength(storedKeys.length + 5);
    expect(wouldSend("console")).toEqual(dryKeys);
    // The console stand-in shows the line the console would print.
    expect(
      dryLog.records.some(
        (record) => record.channel === "console" && /#3 Charlie \[steam\]/.test(String(record.line)),
      ),
    ).toBe(true);

    const realStdout = captureStream();
    const { logger } = captureLogs();
    const channels = createChannels(config.alerts.channels, { stdout: realStdout.stream, logger });
    const real = await runDaemon(db, { config, logger, channels, once: true });
    expect(real.raised).toBe(5);
    // The real run sends exactly what the dry run showed, each alert once per channel.
    const { keys, unsent } = await alertState(db);
    expect(unsent).toBe(0);
    expect(keys).toEqual(dryKeys);
    expect(sorted(webhook.requests.map((request) => request.idempotencyKey))).toEqual(keys);
    expect(consoleLines(realStdout.text())).toHaveLength(keys.length);
  }, 60_000);

  it("a running dry run (no --once) keeps its own high-water marks: each would-be alert shown once, nothing stored", async () => {
    const webhook = await receiver();
    const config = testConfig(configYaml(webhook, { console: false }));
    const db = open(await freshTestDatabaseUrl("dry-run-turns"));
    await writePhaseOne(db);
    const before = await allStoredRows(db);
    const log = captureLogs();
    const channels = createChannels(config.alerts.channels, { dryRun: true, logger: log.logger });
    const stop = new AbortController();
    let turns = 0;
    const dry = await runDaemon(db, {
      config,
      logger: log.logger,
      channels,
      signal: stop.signal,
      pollIntervalMs: 1,
      wakeOnWrite: false,
      onTurn: () => {
        if (++turns === 3) stop.abort();
      },
    });
    // Turns 2 and 3 started after turn 1's (in-memory) marks: nothing evaluated twice.
    expect({ turns: dry.turns, raised: dry.raised }).toEqual({ turns: 3, raised: 4 });
    expect(await allStoredRows(db)).toEqual(before);
    const shown = log.records
      .filter((record) => record.msg === "dry run: would send alert")
      .map((record) => String(record.alert));

    const real = await runDaemon(db, {
      config,
      logger: captureLogs().logger,
      channels: createChannels(config.alerts.channels, { logger: captureLogs().logger }),
      once: true,
    });
    expect(real.raised).toBe(4);
    expect(shown).toEqual(webhook.requests.map((request) => request.idempotencyKey));
  });

  it("a running dry run counts each (alert, channel) pair it shows once, however many turns it stays due", async () => {
    const webhook = await receiver();
    const config = testConfig(configYaml(webhook, { console: true }));
    const db = open(await freshTestDatabaseUrl("dry-run-count"));
    // Stored and unsent (due on every turn, since a dry run records nothing), and would-be alerts.
    const storedKeys = await storeAlerts(db, 11, ["console", "webhook"]);
    await writePhaseOne(db);
    const log = captureLogs();
    const channels = createChannels(config.alerts.channels, { dryRun: true, logger: log.logger });
    const stop = new AbortController();
    let turns = 0;
    const dry = await runDaemon(db, {
      config,
      logger: log.logger,
      channels,
      signal: stop.signal,
      pollIntervalMs: 1,
      wakeOnWrite: false,
      onTurn: () => {
        if (++turns === 5) stop.abort();
      },
    });
    const shown = log.records
      .filter((record) => record.msg === "dry run: would send alert")
      .map((record) => `${String(record.channel)} ${String(record.alert)}`);
    const pairs = new Set(shown);
    expect(dry.turns).toBe(5);
    expect(shown).toHaveLength(pairs.size);
    expect(pairs.size).toBe(2 * (storedKeys.length + dry.raised));
    expect(dry.dryRun).toBe(pairs.size);
    expect(webhook.requests).toHaveLength(0);
  });
});
