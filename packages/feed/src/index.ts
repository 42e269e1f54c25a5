// @totewatch/feed: the feed format (pure: messages, parsing, reading files)
// and the one write path every source uses (apply, ingestor, group commits).
export * from "./format/messages.js";
export * from "./format/position.js";
export * from "./format/parse.js";
export * from "./format/read.js";
export * from "./write/apply.js";
export * from "./write/ingestor.js";
export * from "./write/batches.js";
export * from "./write/stats.js";
