import { existsSync, readdirSync } from "node:fs";
import { defineConfig } from "vitest/config";

// The integration tests that run a second time on PostgreSQL (the second engine): every test of
// what is stored and read through a client createTestDb makes. Tests of SQLite's own file
// handling (migrations on files, WAL, file errors) and of Prisma's models (Prisma serves SQLite
// only) run on SQLite only; so do tests that open no database (they would test nothing new), and a
// file listed here skips its describes of that kind on PostgreSQL.
const POSTGRES_TESTS = [
  "packages/db/src/queries/**/*.int.test.ts",
  "packages/db/src/write-batch.int.test.ts",
  "packages/db/src/concurrency.int.test.ts",
  "packages/db/src/errors.int.test.ts",
  "packages/db/src/commits.int.test.ts",
  "packages/db/src/pg-*.int.test.ts",
  "packages/db/src/engine/*.int.test.ts",
  "packages/db/src/snapshot-references.int.test.ts",
  "packages/db/scripts/lib/sample-data.int.test.ts",
  "packages/feed/src/write/*.int.test.ts",
  "apps/alerts/src/delivery/*.int.test.ts",
  "apps/alerts/src/engine/*.int.test.ts",
  "apps/alerts/src/race-day.int.test.ts",
  "apps/ingest/src/poll/*.int.test.ts",
  "apps/ingest/src/replay*.int.test.ts",
  "apps/ingest/src/odds-format.int.test.ts",
  "apps/alerts/src/backtest/*.int.test.ts",
  "apps/dashboard/src/api/*.int.test.ts",
  "apps/dashboard/src/security.int.test.ts",
  "apps/dashboard/src/browser.int.test.ts",
  "apps/totewatch/src/commands.int.test.ts",
  "apps/alerts/src/cli.int.test.ts",
  "apps/alerts/src/demo.int.test.ts",
  "apps/dashboard/src/cli.int.test.ts",
  "apps/ingest/src/cli.int.test.ts",
  "apps/ingest/src/cli/run-command.int.test.ts",
  "apps/ingest/src/cli/serve-sample.int.test.ts",
  "apps/dashboard/src/serve.int.test.ts",
];

// Debian's server binaries (.ci/run and `npm run setup` as root install them; elsewhere
// `bash scripts/postgres-cluster.sh install` says how).
const postgres =
  existsSync("/usr/lib/postgresql") &&
  readdirSync("/usr/lib/postgresql").some((major) => existsSync(`/usr/lib/postgresql/${major}/bin/initdb`));
if (!postgres) {
  console.warn("PostgreSQL is not installed: the postgres project's tests are left out of this run");
}

// `pnpm test` runs every package's tests in one vitest run (one summary), then the postgres
// project: the same integration tests again on a throwaway PostgreSQL cluster.
export default defineConfig({
  test: {
    projects: [
      "packages/*",
      "apps/*",
      ...(postgres
        ? [
            {
              test: {
                name: "postgres",
                include: POSTGRES_TESTS,
                env: { TOTEWATCH_TEST_ENGINE: "postgres" },
                globalSetup: ["./scripts/vitest-postgres.ts"],
                testTimeout: 30_000,
                hookTimeout: 60_000,
                pool: "forks" as const,
              },
            },
          ]
        : []),
    ],
  },
});
