#!/usr/bin/env node
// `pnpm demo …` at the repository root: `totewatch demo …`.
import { runTotewatch } from "../bin/run.js";

await runTotewatch(["demo"]);
