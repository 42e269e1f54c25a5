#!/usr/bin/env node
// `pnpm alerts …` at the repository root: `totewatch alerts …`.
import { runTotewatch } from "../bin/run.js";

await runTotewatch(["alerts"]);
