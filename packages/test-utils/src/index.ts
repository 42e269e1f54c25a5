// @totewatch/test-utils: shared test helpers, a devDependency only (eslint refuses it in
// non-test code): fresh databases, table dumps and row reads (from @totewatch/db/testing,
// re-exported so tests have one import), captured logs, real HTTP and SMTP servers on 127.0.0.1, a throwaway PostgreSQL cluster,
// commands run as child processes.
export {
  alertRows,
  allStoredRows,
  countRows,
  createTestDb,
  deliveryRows,
  dumpTables,
  emptyTestDatabaseUrl,
  failInserts,
  freshDatabaseFile,
  freshPostgresDatabase,
  freshTestDatabaseUrl,
  integrityCheck,
  lastOddsSnapshotId,
  missingTestDatabaseUrl,
  rowCount,
  scratchDir,
  storedRows,
  storeSteamAlert,
  testDatabaseUrl,
  testEngine,
  DATA_TABLES,
  STEAM_ALERT_POST_TIME,
  STEAM_ALERT_RACE,
  type StoredRow,
} from "@totewatch/db/testing";
export * from "./http.js";
export * from "./logs.js";
export * from "./smtp.js";
export * from "./clients.js";
export * from "./postgres.js";
export * from "./process.js";
