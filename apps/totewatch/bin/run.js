// Starts src/cli.ts under tsx, registered in this process and found from this file (not from the
// folder the command runs in), so the bins work from anywhere. `prefix` goes before the user's
// arguments: the root shortcuts (../shortcuts) are `totewatch demo`, `totewatch ingest`, ...
import process from "node:process";
import { register } from "tsx/esm/api";

export async function runTotewatch(prefix = []) {
  register();
  const { main } = await import("../src/cli.ts");
  process.exitCode = await main([...prefix, ...process.argv.slice(2)]);
}
