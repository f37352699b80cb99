import { playwright } from "@vitest/browser-playwright";
import type { TestProjectInlineConfiguration } from "vitest/config";
import { mswWorkerScript } from "./msw-worker-plugin.js";

/** Debian's Chromium (installed by .ci/run); never a downloaded browser build. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * A vitest project that runs `include` in headless Debian Chromium, with msw's worker script
 * served. Shared by every package that has a browser suite.
 */
export function chromiumProject(include: string[]): TestProjectInlineConfiguration {
  return {
    plugins: [mswWorkerScript()],
    test: {
      name: "browser",
      include,
      browser: {
        enabled: true,
        headless: true,
        screenshotFailures: false,
        provider: playwright({
          launchOptions: {
            executablePath: chromiumPath,
            args: [
              "--no-sandbox",
              "--disable-gpu",
              "--disable-background-networking",
              "--disable-component-update",
              "--disable-sync",
              "--no-first-run",
            ],
          },
        }),
        instances: [{ browser: "chromium" }],
      },
    },
  };
}
