import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Plugin } from "vitest/config";

/**
 * Serves msw's worker script at `/mockServiceWorker.js` from the installed msw, so the browser
 * suite always runs the worker that matches the library (what `msw init` would copy into a public
 * directory of an app).
 */
export function mswWorkerScript(): Plugin {
  const file = createRequire(import.meta.url).resolve("msw/mockServiceWorker.js");
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
