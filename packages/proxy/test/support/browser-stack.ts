/**
 * The Node half of the Chromium end-to-end suite (test/browser): the mocks' loopback HTTP server
 * as Marketing Cloud, and the proxy (createContactsProxy + toNodeListener) in front of it, mounted
 * on Vitest's own browser dev server, which is node:http. The page and the proxy are then one
 * origin, the proxy's default (same-origin) mode, with no CORS in the way, as in an app that serves
 * its pages and `/api/sfmc` together. The page reaches the rest through custom browser commands
 * (run in Node): upstream counts, scenarios, the proxy's events, and a second, cross-origin proxy
 * on its own node:http server for the `allowedOrigins` cases.
 *
 * Everything starts lazily, at the first request or command, and closes with the dev server.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type ContactsHttpServer, startContactsHttpServer } from "@sfmc-contacts/mocks/http-server";
import type { Plugin } from "vitest/config";
import type { BrowserCommand } from "vitest/node";
import { type ContactsProxy, createContactsProxy } from "../../src/create-proxy.js";
import type { ProxyEvent } from "../../src/events.js";
import { toNodeListener } from "../../src/node-listener.js";
import { type Served, serve } from "./node-server.js";

/** The status scenarios of the mocks' HTTP server. */
export type ScenarioName = keyof ContactsHttpServer["mock"]["scenarios"];

/** Requests the upstream received since the last `resetUpstream()`, per route. */
export interface UpstreamCounts {
  establish: number;
  token: number;
}

/** The commands the browser tests call (declared for them in test/browser/commands.d.ts). */
export interface ProxyCommands {
  upstream: () => Promise<UpstreamCounts>;
  resetUpstream: () => Promise<void>;
  scenario: (name: ScenarioName, options?: { once?: boolean; retryAfter?: number }) => Promise<void>;
  proxyEvents: () => Promise<unknown[]>;
  crossOriginProxy: (pageOrigin: string, allowed: boolean) => Promise<string>;
}

interface Upstream {
  service: ContactsHttpServer;
  options: { clientId: string; clientSecret: string; baseUrl: string; authBaseUrl: string };
  /** Requests before this index are from earlier tests. */
  since: number;
}

interface Running {
  /** The same-origin proxy's upstream, and the cross-origin proxies' own one. */
  upstreams: [Upstream, Upstream];
  proxy: ContactsProxy;
  listener: (request: IncomingMessage, response: ServerResponse) => Promise<void>;
  extra: Array<{ served: Served; proxy: ContactsProxy }>;
}

/**
 * A mocks HTTP server with credentials of its own. A client id per upstream: the token cache and
 * the rate gate (closed by a 429 for Retry-After seconds) are process-wide, per credentials, so
 * a 429 met by one proxy never makes another answer 429 itself.
 */
async function startUpstream(): Promise<Upstream> {
  const clientId = `proxy-e2e-${randomUUID()}`;
  const clientSecret = `secret-${randomUUID()}`;
  const service = await startContactsHttpServer({ seed: 1, auth: { clientId, clientSecret } });
  return { service, options: { clientId, clientSecret, baseUrl: service.url, authBaseUrl: service.url }, since: 0 };
}

/** Errors as name and message: what a command can hand the page (and what an event may show). */
function jsonSafe(events: readonly unknown[]): unknown[] {
  return JSON.parse(
    JSON.stringify(events, (_key, value: unknown) =>
      value instanceof Error ? { name: value.name, message: value.message } : value,
    ),
  ) as unknown[];
}

/**
 * One stack per config load, shared by the plugin (the proxy on the dev server) and the commands,
 * which Vitest runs in the same Node process.
 */
export function browserStack(): {
  plugin: Plugin;
  commands: { [K in keyof ProxyCommands]: BrowserCommand<Parameters<ProxyCommands[K]>> };
} {
  const events: ProxyEvent<string>[] = [];
  let running: Promise<Running> | undefined;

  const start = async (): Promise<Running> => {
    const upstreams: [Upstream, Upstream] = [await startUpstream(), await startUpstream()];
    const proxy = createContactsProxy<string>({
      // The app's session: a cookie the page sets or clears with document.cookie.
      authorize: (request) =>
        /(?:^|;\s*)session=ok(?:;|$)/.test(request.headers.get("cookie") ?? "")
          ? { identity: "user-1" }
          : { status: 401 },
      upstream: upstreams[0].options,
      onEvent: (event) => events.push(event),
    });
    return { upstreams, proxy, listener: toNodeListener(proxy), extra: [] };
  };
  const stack = () => {
    running ??= start();
    return running;
  };
  const close = async () => {
    if (!running) return;
    const { upstreams, proxy, extra } = await running;
    for (const { served, proxy: other } of extra) {
      await served.close();
      await other.close();
    }
    await proxy.close();
    for (const { service } of upstreams) await service.close();
  };

  const plugin: Plugin = {
    name: "sfmc-contacts:proxy-on-dev-server",
    configureServer(server) {
      // Added here, not in a returned hook: it runs before Vite's own middlewares, which would
      // otherwise answer (or 404) `/api/sfmc/...` first. Not mounted with a path, so `req.url`
      // keeps the full target that the proxy's route check reads.
      server.middlewares.use((request, response, next) => {
        if (!request.url?.startsWith("/api/sfmc/")) return next();
        stack()
          .then(({ listener }) => listener(request, response))
          .catch(next);
      });
      server.httpServer?.once("close", () => {
        void close();
      });
    },
  };

  const commands: { [K in keyof ProxyCommands]: BrowserCommand<Parameters<ProxyCommands[K]>> } = {
    // Both upstreams together: a test uses one of them.
    upstream: async () => {
      const seen = (await stack()).upstreams.flatMap(({ service, since }) => service.mock.requests.slice(since));
      return {
        establish: seen.filter((r) => r.route === "establish").length,
        token: seen.filter((r) => r.route === "token").length,
      };
    },
    // Never `service.mock.reset()` between tests: it forgets the tokens it issued, and the
    // proxy's cached token would then cost a 401 and a renewal that the counts would show.
    resetUpstream: async () => {
      for (const upstream of (await stack()).upstreams) {
        upstream.service.mock.resetScenarios();
        upstream.since = upstream.service.mock.requests.length;
      }
      events.length = 0;
    },
    scenario: async (_context, name, options) => {
      for (const { service } of (await stack()).upstreams) service.mock.scenarios[name](options);
    },
    proxyEvents: async () => jsonSafe(events),
    crossOriginProxy: async (_context, pageOrigin, allowed) => {
      const running = await stack();
      const proxy = createContactsProxy<string>({
        allowedOrigins: [allowed ? pageOrigin : "https://other.example"],
        // Cross-origin apps carry their session as a bearer token (the browser client's accessToken).
        authorize: (request) =>
          request.headers.get("authorization") === "Bearer session-ok" ? { identity: "user-2" } : { status: 401 },
        upstream: running.upstreams[1].options,
        onEvent: (event) => events.push(event),
      });
      const served = await serve(toNodeListener(proxy));
      running.extra.push({ served, proxy });
      return `http://127.0.0.1:${served.port}`;
    },
  };
  return { plugin, commands };
}
