// @totewatch/tote: pure race-day maths and vocabulary (odds, pools, time zones, race
// statuses, program-number order, betting interests and their win probabilities, exacta value
// across pools, key paths in error text). No I/O and no imports:
// everything else may import it.
export * from "./odds.js";
export * from "./pools.js";
export * from "./time.js";
export * from "./race.js";
export * from "./interests.js";
export * from "./exacta-value.js";
export * from "./key-path.js";
export * from "./money.js";
