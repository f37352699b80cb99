import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Hang guards, not speed limits: the suite must pass on a shared, busy machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
