// @totewatch/test-utils: shared test helpers (a devDependency only, never imported by
// non-test code): fresh databases and table dumps, captured logs, real HTTP/SMTP servers.
export { countRows, createTestDb, dumpTables, freshDatabaseFile, DATA_TABLES } from "@totewatch/db/testing";
export * from "./http.js";
export * from "./logs.js";
export * from "./smtp.js";
