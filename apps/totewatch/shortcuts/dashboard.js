#!/usr/bin/env node
// `pnpm dashboard …` at the repository root: `totewatch dashboard …`.
import { runTotewatch } from "../bin/run.js";

await runTotewatch(["dashboard"]);
