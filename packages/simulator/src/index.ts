// @totewatch/simulator: a seeded race-day generator (pure: generate/) and
// running it into the feed write path (run.ts), or into a feed file (day-file.ts).
export * from "./generate/day.js";
export { runSimulation, SIMULATOR_SOURCE, type RunSimulationOptions } from "./run.js";
export { describeDaySize, simulatedTracks, writeSimulatedDay, type SimulatedDaySize } from "./day-file.js";
