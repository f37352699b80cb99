import { playwright } from "@vitest/browser-playwright";
import type { TestProjectInlineConfiguration } from "vitest/config";
import { mswWorkerScript } from "./msw-worker-plugin.js";

/** Debian's Chromium (installed by .ci/run); never a downloaded browser build. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Options of {@link chromiumProject}. */
export interface ChromiumProjectOptions {
  /**
   * Serve msw's worker script (default true). A package without msw (the proxy) turns it off:
   * the plugin resolves `msw/mockServiceWorker.js` at config load and would throw.
   */
  mswWorker?: boolean;
}

/**
 * A vitest project that runs `include` in headless Debian Chromium, with msw's worker script
 * served unless `mswWorker` is false. Shared by every package that has a browser suite.
 */
export function chromiumProject(
  include: string[],
  { mswWorker = true }: ChromiumProjectOptions = {},
): TestProjectInlineConfiguration {
  return {
    plugins: mswWorker ? [mswWorkerScript()] : [],
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
