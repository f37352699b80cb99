import { defineConfig } from "vitest/config";
import { chromiumProject } from "../../tests/browser-support/chromium.js";

const browser = chromiumProject(["test/*.test.ts"]);

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "types",
          include: [],
          typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
        },
      },
      // What only Node can show: a relative baseUrl with a stubbed `location`, and without one.
      { test: { name: "node", environment: "node", include: ["test/node/**/*.test.ts"], testTimeout: 60_000 } },
      // Hang guards, not speed limits (Vitest's 5 s default is one on a loaded machine).
      { ...browser, test: { ...browser.test, testTimeout: 60_000, hookTimeout: 60_000 } },
    ],
  },
});
