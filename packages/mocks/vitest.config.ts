import { defineConfig } from "vitest/config";
import { chromiumProject } from "../../tests/browser-support/chromium.js";

const browser = chromiumProject(["test/browser/**/*.test.ts"]);
// Hang guards, not speed limits: the property test took 5.3 s (Vitest's default limit is 5 s)
// with every package running at once beside a CPU hog, and well under one on an idle machine.
const hangGuards = { testTimeout: 60_000, hookTimeout: 60_000 };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          environment: "node",
          include: ["test/node/**/*.test.ts"],
          ...hangGuards,
          typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
        },
      },
      { ...browser, test: { ...browser.test, ...hangGuards } },
    ],
  },
});
