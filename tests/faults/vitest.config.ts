import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Hang guards, not speed limits: the 20,000-key run takes seconds on an idle machine and
    // several times that on a loaded one (the CI runs every package at once beside a CPU hog).
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
