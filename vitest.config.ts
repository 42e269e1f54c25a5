import { defineConfig } from "vitest/config";

// `pnpm test` runs every package's tests in one vitest run (one summary).
export default defineConfig({
  test: { projects: ["packages/*", "apps/*"] },
});
