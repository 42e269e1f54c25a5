// The `totewatch` command as a user runs it, for the app's tests: real child processes in a
// scratch folder, with no config or database setting of the developer's shell around
// (@totewatch/test-utils runProcess).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runProcess, type ProcessRunOptions } from "@totewatch/test-utils";

const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository's root folder. */
export const ROOT = path.resolve(here, "../../..");
const bin = path.resolve(here, "../bin/totewatch.js");

export type RunOptions = ProcessRunOptions;
export { runProcess as run };

/** `totewatch args` (bin/totewatch.js on this node). */
export const totewatch = (args: string[], opts?: RunOptions) =>
  runProcess(process.execPath, [bin, ...args], opts);
