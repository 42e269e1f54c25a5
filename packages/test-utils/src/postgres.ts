// The throwaway PostgreSQL cluster for tests: @totewatch/db/testing's (shared with the benches).
export { postgresAvailable, startPostgresCluster, type PostgresCluster } from "@totewatch/db/testing";
