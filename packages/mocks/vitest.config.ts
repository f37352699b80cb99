import { defineConfig } from "vitest/config";
import { chromiumProject } from "../../tests/browser-support/chromium.js";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          environment: "node",
          include: ["test/node/**/*.test.ts"],
          typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
        },
      },
      chromiumProject(["test/browser/**/*.test.ts"]),
    ],
  },
});
