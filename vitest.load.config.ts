import { defineConfig } from "vitest/config";

/** `npm run load`: the load run against the real server (not part of `npm test`). */
export default defineConfig({
  test: {
    // Removes the keys the tests left on Redis once the run is over.
    globalSetup: ["test/redis-teardown.ts"],
    include: ["bench/load.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
});
