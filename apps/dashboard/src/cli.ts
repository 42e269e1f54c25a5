#!/usr/bin/env -S npx tsx
/**
 * `totewatch dashboard` (`pnpm dashboard`): serves the read-only web
 * dashboard until Ctrl-C. Host, port and token come from the config's
 * `dashboard:` section, overridden by --host and --port; it prints the URL to
 * open. Exit codes as every command: 2 for a bad option, configuration or a
 * refusal to start (a public host without a token, a database that is
 * missing or not migrated), 1 when serving fails.
 */
import { Command, Option } from "commander";
import { EXIT, runIfEntryPoint, runProgram, wholeNumber } from "@totewatch/cli-kit";
import { createLogger, loadConfig } from "@totewatch/config";
import { DashboardStartError, startDashboard } from "./serve.js";

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
  /** Stops the server (the CLI wires SIGINT/SIGTERM to it). */
  signal?: AbortSignal;
}

interface DashboardOptions {
  config?: string;
  db?: string;
  host?: string;
  port?: number;
}

/** What a run tells `main` beyond commander's outcome. */
interface RunOutcome {
  /** It refused to start (exit 2 without commander's usage hint). */
  refused: boolean;
}

export function buildProgram(io: CliIo, outcome: RunOutcome = { refused: false }): Command {
  const program = new Command("dashboard")
    .description(
      "serve the read-only web dashboard: race day, race boards with odds charts and the exacta heat map, " +
        "alerts; live as ingest and the alerts daemon write (runs beside them on the same database)",
    )
    .option("--config <file>", "totewatch.yaml to use (default: TOTEWATCH_CONFIG, else ./totewatch.yaml)")
    .option(
      "--db <url>",
      "database: a SQLite file (path or file: URL) or a postgresql:// URL (default: the config's database.url)",
    )
    .option("--host <host>", "address to listen on (default: dashboard.host, 127.0.0.1)")
    .addOption(
      new Option("--port <n>", "port (default: dashboard.port, 8080; 0: any free port)").argParser(
        wholeNumber("--port", { min: 0 }),
      ),
    )
    .showHelpAfterError("(--help for usage)")
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .exitOverride()
    .action(async (options: DashboardOptions) => {
      const config = loadConfig({ file: options.config, databaseUrl: options.db, env: io.env });
      const logger = createLogger({ name: "dashboard", level: config.log.level, stream: io.stderr });
      if (options.port !== undefined && options.port > 65_535) {
        program.error(`dashboard: --port must be at most 65535, got ${options.port}`, {
          exitCode: EXIT.usage,
        });
      }
      let running;
      try {
        running = await startDashboard({
          databaseUrl: config.database.url,
          databaseLabel: options.db ?? config.database.url,
          host: options.host ?? config.dashboard.host,
          port: options.port ?? config.dashboard.port,
          token: config.dashboard.token,
          config,
          logger,
        });
      } catch (error) {
        // A refusal to start is no usage mistake: one line, without commander's "--help" hint.
        if (error instanceof DashboardStartError) {
          io.stderr.write(`dashboard: ${error.message}\n`);
          outcome.refused = true;
          return;
        }
        throw error;
      }
      io.stdout.write(
        `Totewatch dashboard: ${running.url}\n` +
          `  database ${options.db ?? config.database.url} (read-only)${config.dashboard.token ? "; token required" : ""}\n` +
          `  Ctrl-C stops it.\n`,
      );
      await new Promise<void>((resolve) => {
        if (io.signal?.aborted) resolve();
        io.signal?.addEventListener("abort", () => resolve(), { once: true });
      });
      await running.close();
    });
  return program;
}

export async function main(argv: readonly string[], io?: Partial<CliIo>): Promise<number> {
  const fullIo: CliIo = { stdout: process.stdout, stderr: process.stderr, ...io };
  const outcome: RunOutcome = { refused: false };
  const code = await runProgram(buildProgram(fullIo, outcome), argv, {
    name: "dashboard",
    stderr: fullIo.stderr,
  });
  return outcome.refused ? EXIT.usage : code;
}

runIfEntryPoint(import.meta.url, "dashboard", (args, signal) => main(args, { signal }));
