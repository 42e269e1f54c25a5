#!/usr/bin/env node
// The `totewatch` command (see ../README.md).
import { runTotewatch } from "./run.js";

await runTotewatch();
