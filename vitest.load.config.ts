import { defineConfig } from "vitest/config";

/** `npm run load`: the load run against the real server (not part of `npm test`). */
export default defineConfig({
  test: {
    include: ["bench/load.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
});
