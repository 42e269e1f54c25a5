// @totewatch/tote: pure race-day maths and vocabulary (odds, pools, time zones, race
// statuses, program-number order, key paths in error text). No I/O and no imports:
// everything else may import it.
export * from "./odds.js";
export * from "./pools.js";
export * from "./time.js";
export * from "./race.js";
export * from "./key-path.js";
