// @totewatch/db: the only way into the Totewatch database.
export { createDb, type Db, type CreateDbOptions } from "./client.js";
export { databasePathFromUrl, defaultDatabasePath, repoRoot } from "./database-url.js";
export { migrateDatabase, resetDatabase } from "./migrate.js";
export { InvalidInputError, UnknownRaceError, UnknownRunnerError } from "./errors.js";
export { toDbTime } from "./time.js";
export { writeBatch } from "./sql.js";
export * from "./queries/races.js";
export * from "./queries/odds.js";
export * from "./queries/alerts.js";
export * from "./queries/deliveries.js";
export * from "./queries/cursors.js";
export * from "./queries/retention.js";
export * from "./queries/evaluation.js";
export type {
  Track,
  Race,
  Horse,
  Entry,
  OddsSnapshot,
  ExactaProbable,
  AlertDelivery,
} from "./generated/prisma/client.js";
