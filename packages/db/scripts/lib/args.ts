import { parseArgs, type ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * parseArgs over this script's arguments. `pnpm <script> -- --flag` passes the
 * `--` through, so a leading one is dropped; a bad flag ends the script with
 * its message and exit code 2 instead of a stack trace.
 */
type Values<T extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: false }>
>["values"];

export function scriptOptions<T extends Options>(options: T): Values<T> {
  const args = process.argv.slice(2);
  if (args[0] === "--") args.shift();
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}`);
    console.error(
      `options: ${Object.keys(options)
        .map((name) => `--${name}`)
        .join(" ")}`,
    );
    process.exit(2);
  }
}
