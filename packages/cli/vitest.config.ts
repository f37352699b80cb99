import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Hang guards, not speed limits. The built CLI runs as a child process, several per test: up
    // to 5 s a test beside a CPU hog, many times that with every package running at once. A child
    // that hangs is killed sooner, by run-cli.ts, with its output in the error.
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
