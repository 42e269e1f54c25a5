import { defineConfig } from "vitest/config";

// One vitest setup for every package: tests beside the code, integration
// tests (*.int.test.ts) on real SQLite files, generous timeouts for those.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "scripts/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
