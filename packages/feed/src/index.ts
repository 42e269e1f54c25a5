export * from "./messages.js";
export * from "./position.js";
export * from "./parse.js";
export * from "./apply.js";
export * from "./read.js";
