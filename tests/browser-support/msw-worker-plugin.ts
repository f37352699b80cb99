import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Plugin } from "vitest/config";

/**
 * Serves msw's worker script at `/mockServiceWorker.js` from the msw installed in the package
 * under test, so a browser suite always runs the worker that matches the library (what
 * `msw init` would copy into an app's public directory).
 */
export function mswWorkerScript(): Plugin {
  const file = createRequire(join(process.cwd(), "package.json")).resolve("msw/mockServiceWorker.js");
  return {
    name: "sfmc-contacts:msw-worker-script",
    configureServer(server) {
      server.middlewares.use("/mockServiceWorker.js", (_request, response) => {
        response.setHeader("content-type", "text/javascript");
        response.setHeader("service-worker-allowed", "/");
        response.end(readFileSync(file));
      });
    },
  };
}
