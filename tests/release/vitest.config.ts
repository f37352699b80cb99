import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // `changeset version` is a real child process run on a copy of the workspace.
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
