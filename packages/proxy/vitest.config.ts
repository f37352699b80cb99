import { defineConfig } from "vitest/config";
import { chromiumProject } from "../../tests/browser-support/chromium.js";
import { browserStack } from "./test/support/browser-stack.js";

// Hang guards, not speed limits: the loopback tests take well under a second on an idle machine
// and many times that with every package running at once beside a CPU hog.
const hangGuards = { testTimeout: 60_000, hookTimeout: 60_000 };
// No msw here: the upstream is the mocks' real HTTP server, reached by the proxy over a socket.
const browser = chromiumProject(["test/browser/**/*.test.ts"], { mswWorker: false });
// The proxy runs on Vitest's own browser dev server (node:http), same-origin with the page:
// see test/support/browser-stack.ts.
const stack = browserStack();

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
      {
        ...browser,
        plugins: [...(browser.plugins ?? []), stack.plugin],
        test: {
          ...browser.test,
          ...hangGuards,
          browser: {
            ...browser.test?.browser,
            // Loopback only, like every server of the suite.
            api: { host: "127.0.0.1" },
            commands: stack.commands,
          },
        },
      },
    ],
  },
});
