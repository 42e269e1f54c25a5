// @totewatch/test-utils: shared test helpers, a devDependency only (eslint refuses it in
// non-test code): fresh databases and table dumps (from @totewatch/db/testing, re-exported
// so tests have one import), captured logs, real HTTP and SMTP servers on 127.0.0.1.
export {
  countRows,
  createTestDb,
  dumpTables,
  freshDatabaseFile,
  storeSteamAlert,
  DATA_TABLES,
  STEAM_ALERT_POST_TIME,
  STEAM_ALERT_RACE,
} from "@totewatch/db/testing";
export * from "./http.js";
export * from "./logs.js";
export * from "./smtp.js";
