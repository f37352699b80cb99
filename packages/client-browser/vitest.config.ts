import { defineConfig } from "vitest/config";
import { chromiumProject } from "../../tests/browser-support/chromium.js";

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
      chromiumProject(["test/**/*.test.ts"]),
    ],
  },
});
