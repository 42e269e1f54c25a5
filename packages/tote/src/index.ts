export * from "./odds.js";
export * from "./pools.js";
export * from "./time.js";
export * from "./race.js";
