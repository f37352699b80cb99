import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Hang guards, not speed limits: each file starts Prism (about 2 s on an idle machine, several
    // times that beside a CPU hog on 2 cores), and a call goes through three loopback hops.
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
