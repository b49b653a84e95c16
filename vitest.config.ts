import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Removes the keys the tests left on Redis once the run is over.
    globalSetup: ["test/redis-teardown.ts"],
    include: ["test/**/*.test.ts"],
    // Generous: CI machines are small and some tests parse megabytes or start the server.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
