import js from "@eslint/js";
import tseslint from "typescript-eslint";

// The layout's rules (README "Architecture"), checked on every lint:
// apps import only packages and nothing imports an app; test helpers stay
// out of non-test code; pure folders import nothing that does I/O.
const APPS = ["@totewatch/ingest", "@totewatch/alerts", "@totewatch/dashboard", "@totewatch/cli"].flatMap(
  (name) => [name, `${name}/*`],
);
const noApps = { group: APPS, message: "Nothing imports an app: move what is shared into a package." };
const noTestHelpers = {
  group: ["@totewatch/test-utils", "@totewatch/test-utils/*", "@totewatch/db/testing"],
  message: "Test helpers are for tests (and benches) only.",
};
const IO_MODULES = [
  "fs",
  "node:fs",
  "node:fs/promises",
  "node:http",
  "node:https",
  "node:net",
  "node:child_process",
  "better-sqlite3",
  "@prisma/*",
  "pino",
  "@totewatch/db",
  "@totewatch/config",
  "@totewatch/feed",
  "@totewatch/simulator",
  "@totewatch/cli-kit",
];
const noIo = {
  group: IO_MODULES,
  allowTypeImports: true,
  message: "This folder is pure (no I/O): take values as arguments; type-only imports are fine.",
};
const PURE_FOLDERS = [
  "packages/tote/src/**/*.ts",
  "packages/feed/src/format/**/*.ts",
  "packages/simulator/src/generate/**/*.ts",
  "apps/alerts/src/rules/**/*.ts",
  // The dashboard's browser code and its JSON views: what the pages run and show, never Node I/O.
  "apps/dashboard/src/client/**/*.ts",
  "apps/dashboard/src/api/views.ts",
];
const TESTS_AND_BENCHES = [
  "**/*.test.ts",
  "apps/*/test/**",
  "**/scripts/bench.ts",
  "**/scripts/bench/**",
  "packages/test-utils/**",
];

const noEnv = {
  object: "process",
  property: "env",
  message: "@totewatch/config is the only reader of environment variables: take the value from loadConfig.",
};

export default tseslint.config(
  { ignores: ["**/node_modules/**", "**/dist/**", "**/generated/**", "**/.turbo/**", "data/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": "off",
      "no-restricted-imports": ["error", { patterns: [noApps, noTestHelpers] }],
      "no-restricted-properties": ["error", noEnv],
    },
  },
  {
    files: ["packages/config/**", ...TESTS_AND_BENCHES],
    rules: { "no-restricted-properties": "off" },
  },
  {
    files: TESTS_AND_BENCHES,
    rules: { "no-restricted-imports": ["error", { patterns: [noApps] }] },
  },
  {
    files: PURE_FOLDERS,
    ignores: ["**/*.test.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [noApps, noTestHelpers, noIo] }] },
  },
);
