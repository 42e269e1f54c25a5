#!/usr/bin/env node
// `pnpm ingest …` at the repository root: `totewatch ingest …`.
import { runTotewatch } from "../bin/run.js";

await runTotewatch(["ingest"]);
