// Global setup of the `postgres` vitest project (vitest.config.ts): one throwaway PostgreSQL
// cluster on 127.0.0.1 for the run (scripts/postgres-cluster.sh), named to the test processes in
// TOTEWATCH_TEST_PG, and stopped by its PID when the run ends. Each test database is a copy of
// one migrated template (@totewatch/db/testing createTestDb).
import { startPostgresCluster } from "../packages/db/testing/pg-cluster.js";

export default async function setup(): Promise<() => Promise<void>> {
  const cluster = await startPostgresCluster();
  // eslint-disable-next-line no-restricted-properties
  process.env.TOTEWATCH_TEST_PG = cluster.url;
  return () => cluster.stop();
}
