import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Generous: CI machines are small and some tests parse megabytes or start the server.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
