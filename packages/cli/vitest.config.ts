import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The built CLI runs as a child process.
    testTimeout: 60_000,
  },
});
