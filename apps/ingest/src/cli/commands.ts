/**
 * The three ways to record odds, as commands: `replay` (feed files),
 * `simulate` (a generated race day, into the database and/or a file) and
 * `poll` (the configured endpoints). Each turns its options into a source's
 * options and hands it to runCommand; every source writes through feed's
 * FeedIngestor. Beside them, `serve-sample`: a simulated tote for `poll` to
 * try (../sample-tote.ts).
 */
import { InvalidArgumentError, Option, type Command } from "commander";
import {
  calendarDate,
  countOrRange,
  EXIT,
  positiveNumber,
  resolveUserPath,
  wholeNumber,
} from "@totewatch/cli-kit";
import { ConfigError, loadConfig } from "@totewatch/config";
import { checkSelectors } from "../adapters/selectors.js";
import { runSimulation } from "@totewatch/simulator";
import { createPoller } from "../poll/poller.js";
import { replayFiles } from "../replay.js";
import { MAX_SAMPLE_RACES, MAX_SAMPLE_TRACKS, serveSample, type ServeSampleOptions } from "../sample-tote.js";
import { formatProbeReport, runProbe, type ProbeOptions } from "./probe.js";
import { runCommand, withCommonOptions, type CommonOptions } from "./run-command.js";

/** What main gives each command: where its exit code goes, and the stop signal (SIGINT/SIGTERM). */
export interface CommandHost {
  setExitCode(code: number): void;
  signal: AbortSignal;
}

/** Today in the machine's zone, YYYY-MM-DD (en-CA formats dates that way). */
function today(): string {
  return new Date().toLocaleDateString("en-CA");
}

const speedOption = (description: string) =>
  new Option("--speed <n>", description).argParser(positiveNumber("--speed", { allowZero: true })).default(0);

export function addReplayCommand(program: Command, host: CommandHost): void {
  withCommonOptions(
    program
      .command("replay")
      .description(
        "apply recorded feed files (.jsonl or a .json array; folders: every such file inside) in time order",
      )
      .argument("<inputs...>", "feed files or folders")
      .addOption(speedOption("N times real time (sleeps between message times); 0 = as fast as possible")),
  ).action(async (inputs: string[], options: CommonOptions & { speed: number }) => {
    host.setExitCode(
      await runCommand("replay", options, host.signal, (context) =>
        replayFiles(
          context.db!,
          inputs.map((input) => resolveUserPath(input)),
          {
            // Their configured zones read local "HH:MM" post times in the files.
            tracks: context.config.tracks,
            speed: options.speed,
            logger: context.logger,
            progress: context.progress,
            signal: context.signal,
          },
        ),
      ),
    );
  });
}

interface SimulateOptions extends CommonOptions {
  date?: string;
  tracks: number;
  races: number;
  runners?: number | [number, number];
  seed: number;
  exacta: boolean;
  speed: number;
  out?: string;
}

export function addSimulateCommand(program: Command, host: CommandHost): void {
  withCommonOptions(
    program
      .command("simulate")
      .description("generate a realistic race day and write it through the same path (and/or to a feed file)")
      .addOption(
        new Option("--date <date>", "race date, YYYY-MM-DD (default: today)").argParser(calendarDate),
      )
      .addOption(new Option("--tracks <n>", "number of tracks").argParser(wholeNumber("--tracks")).default(1))
      .addOption(new Option("--races <n>", "races per track").argParser(wholeNumber("--races")).default(10))
      .addOption(
        new Option("--runners <n|min-max>", "runners per race, e.g. 12 or 8-12").argParser(countOrRange),
      )
      .addOption(
        new Option("--seed <n>", "random seed: same seed, same day")
          .argParser(wholeNumber("--seed"))
          .default(1),
      )
      .option("--no-exacta", "win pools only")
      .addOption(speedOption("N times real time; 0 = as fast as possible"))
      .option("--out <file>", "also write the messages to this JSON Lines file"),
  )
    .option("--no-db", "do not write to a database (only --out)")
    .action(async (options: SimulateOptions) => {
      if (options.db === false && options.out === undefined) {
        process.stderr.write("ingest simulate: --no-db needs --out <file> (otherwise nothing is written)\n");
        host.setExitCode(EXIT.usage);
        return;
      }
      const out = options.out === undefined ? undefined : resolveUserPath(options.out);
      host.setExitCode(
        await runCommand(
          "simulate",
          options,
          host.signal,
          async (context) => {
            const summary = await runSimulation({
              simulation: {
                date: options.date ?? today(),
                tracks: options.tracks,
                racesPerTrack: options.races,
                runners: options.runners,
                seed: options.seed,
                exacta: options.exacta,
              },
              db: context.db,
              out,
              speed: options.speed,
              logger: context.logger,
              progress: context.progress,
              signal: context.signal,
            });
            if (out) context.logger.info({ file: out, messages: summary.recorded }, "feed file written");
            return summary;
          },
          { needsDb: options.db !== false },
        ),
      );
    });
}

export function addPollCommand(program: Command, host: CommandHost): void {
  withCommonOptions(
    program
      .command("poll")
      .description(
        "poll the configured tracks' endpoints day after day, as a daemon, until SIGINT/SIGTERM " +
          "(with --date: only that day, exiting once its races are done: official, cancelled, or past cadence.afterOffSeconds after the off)",
      )
      .addOption(
        new Option(
          "--date <date>",
          "poll only this race date, YYYY-MM-DD, and exit when it is done (default: today in each track's zone, then every next day)",
        ).argParser(calendarDate),
      )
      .option(
        "--no-retention",
        "do not prune old data while polling (by default: daily at retention.hourOfDay)",
      )
      .addOption(
        new Option(
          "--worker-name <name>",
          "this worker's name in the track leases: several poll workers on one database share the " +
            "configured tracks, each track polled by the one worker holding its lease " +
            "(default: <hostname>:<pid>)",
        ).argParser((value: string) => {
          if (!value.trim()) throw new InvalidArgumentError("a worker name cannot be empty");
          return value;
        }),
      ),
  ).action(async (options: CommonOptions & { date?: string; retention: boolean; workerName?: string }) => {
    host.setExitCode(
      await runCommand("poll", options, host.signal, (context) => {
        const poller = createPoller({
          config: context.config,
          db: context.db!,
          logger: context.logger,
          date: options.date,
          retention: options.retention,
          retentionHour: context.config.retention.hourOfDay,
          progress: context.progress,
          workerName: options.workerName,
        });
        context.signal.addEventListener("abort", () => poller.stop(), { once: true });
        return poller.run();
      }),
    );
  });
  // Listed right after poll, the commands there to try it and to tune it.
  addServeSampleCommand(program, host);
  addProbeCommand(program, host);
}

export function addProbeCommand(program: Command, host: CommandHost): void {
  program
    .command("probe")
    .summary("run a track's endpoint adapter once on a URL or file and show what it read (no database)")
    .description(
      "read a page (a URL, or a saved file) as the track's card, win or exacta endpoint is read, and print " +
        "the feed messages it made as a table, each checked as poll would, plus every field it could not " +
        "read; touches no database (exit 1 when a field is unreadable or a message invalid)",
    )
    .argument("<source>", "an http(s) URL ({race}, {date}, {code}, {track} are filled in) or a file")
    .requiredOption("--track <name>", "the configured track whose endpoint mapping to use")
    .addOption(
      new Option("--kind <kind>", "which endpoint of the track")
        .choices(["card", "win", "exacta"])
        .makeOptionMandatory(),
    )
    .addOption(
      new Option("--race <n>", "the race the page is for (boards)").argParser(
        wholeNumber("--race", { min: 1 }),
      ),
    )
    .addOption(
      new Option("--date <date>", "race date, YYYY-MM-DD (default: today in the track's zone)").argParser(
        calendarDate,
      ),
    )
    .option("--config <file>", "config file (default: TOTEWATCH_CONFIG, else ./totewatch.yaml)")
    .action(async (source: string, options: ProbeOptions & { config?: string }) => {
      let config;
      try {
        // Every html selector compiled now: a bad one is a config error naming its path.
        config = checkSelectors(loadConfig({ file: options.config }));
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        process.stderr.write(`${error.message}\n`);
        host.setExitCode(EXIT.usage);
        return;
      }
      const isUrl = /^https?:\/\//i.test(source);
      const result = await runProbe(config, isUrl ? source : resolveUserPath(source), options, host.signal);
      if (!result.ok) {
        process.stderr.write(`ingest probe: ${result.usage}\n`);
        host.setExitCode(EXIT.usage);
        return;
      }
      process.stdout.write(formatProbeReport(result.report));
      const { report } = result;
      const clean = report.failure === undefined && report.invalid === 0 && report.problems.length === 0;
      host.setExitCode(clean ? EXIT.ok : EXIT.failed);
    });
}

export function addServeSampleCommand(program: Command, host: CommandHost): void {
  program
    .command("serve-sample")
    .summary("a sample tote on 127.0.0.1 for poll to try, and a config that polls it")
    .description(
      "serve a simulated race day on 127.0.0.1 in the feed format, odds moving with the clock, and " +
        "write a config that polls it (try: serve-sample here, `ingest poll --config <that file>` in another terminal)",
    )
    .addOption(
      new Option("--port <n>", "port on 127.0.0.1 (0: any free port)")
        .argParser(wholeNumber("--port"))
        .default(8090),
    )
    .addOption(
      new Option("--tracks <n>", `tracks, 1 to ${MAX_SAMPLE_TRACKS}, first posts 10 minutes apart`)
        .argParser(wholeNumber("--tracks", { min: 1 }))
        .default(2),
    )
    .addOption(
      new Option(
        "--races <n>",
        `races per track, 1 to ${MAX_SAMPLE_RACES}, 30 minutes apart (fewer if past midnight)`,
      )
        .argParser(wholeNumber("--races", { min: 1 }))
        .default(8),
    )
    .addOption(
      new Option("--seed <n>", "random seed: same seed, same day")
        .argParser(wholeNumber("--seed"))
        .default(1),
    )
    .addOption(
      new Option("--first-post <minutes>", "minutes from now to the first race's post")
        .argParser(positiveNumber("--first-post"))
        .default(20),
    )
    .addOption(
      new Option("--speed <n>", "N times real time (the config written polls N times as often)")
        .argParser(positiveNumber("--speed"))
        .default(1),
    )
    .option(
      "--write-config <file>",
      "the config file to write (default: data/sample-tote.yaml in the repository); " +
        "a file serve-sample did not write is never overwritten",
    )
    .option("--quiet", "no log line per request")
    .action(async (options: ServeSampleOptions) => {
      host.setExitCode(await serveSample(options, host.signal));
    });
}
