// One `alerts run --once` pass in this process, its console lines captured: the two-deliverers
// scenarios (daemon-delivery.int.test.ts on SQLite, postgres.int.test.ts) run two at once.
import type { TotewatchConfig } from "@totewatch/config";
import type { Db } from "@totewatch/db";
import { captureLogs, captureStream } from "@totewatch/test-utils";
import { createChannels } from "../src/delivery/index.js";
import { runDaemon, type DaemonSummary } from "../src/engine/daemon.js";

/** Runs the daemon once on `db`; resolves to its summary and the console lines matching `line`. */
export async function runOnceCapturing(
  db: Db,
  config: TotewatchConfig,
  line: RegExp,
): Promise<{ summary: DaemonSummary; lines: string[] }> {
  const stdout = captureStream();
  const { logger } = captureLogs();
  const channels = createChannels(config.alerts.channels, { stdout: stdout.stream, logger });
  const summary = await runDaemon(db, { config, logger, channels, once: true });
  return {
    summary,
    lines: stdout
      .text()
      .split("\n")
      .filter((text) => line.test(text)),
  };
}
