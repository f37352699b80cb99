/**
 * Issue 16, point 9 (the proxy's CPU per request): without `upstream.transport`, the proxy sends
 * upstream on client-node's undici transport (its own keep-alive connections) while Node's fetch
 * is as Node made it, and on fetch while anything stands in fetch's way: msw (and the mocks'
 * setupContactsServer), a test's stub, a wrapper, a global dispatcher that is not a plain Agent,
 * or HTTP_PROXY through NODE_USE_ENV_PROXY. Judged by what reached the server (Node's fetch sends
 * `sec-fetch-mode`, undici's dispatch does not) and by which forwarder the proxy made.
 */
import type { IncomingMessage } from "node:http";
import { setupContactsServer } from "@sfmc-contacts/mocks/node";
import { Agent, MockAgent, Pool, ProxyAgent, Agent as UndiciAgent, fetch as undiciFetch } from "undici";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type Loopback, startLoopback } from "../../../../tests/support/loopback.js";
import { createContactsProxy } from "../../src/index.js";
import { envProxyInUse, fetchUntouched, LazyForwarder } from "../../src/upstream.js";
import { fakeUpstream, post } from "../support/fake-upstream.js";

const nodeFetch = globalThis.fetch;

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("fetchUntouched", () => {
  it("Node's own fetch, with no dispatcher or a plain Agent: untouched", () => {
    expect(fetchUntouched(nodeFetch, undefined)).toBe(true);
    expect(fetchUntouched(nodeFetch, new Agent())).toBe(true);
  });

  it("Node's own fetch with the dispatcher it made itself (after a first fetch): untouched", async () => {
    await (await nodeFetch("data:,x")).text();
    const dispatcher = (globalThis as Record<symbol, unknown>)[Symbol.for("undici.globalDispatcher.1")];
    expect(dispatcher).toBeDefined();
    expect(fetchUntouched(nodeFetch, dispatcher)).toBe(true);
  });

  it.each([
    ["a stub", vi.fn()],
    ["an arrow function (msw's kind)", async (input: RequestInfo | URL, init?: RequestInit) => nodeFetch(input, init)],
    ["a bound fetch", nodeFetch.bind(globalThis)],
    ["a Proxy around fetch", new Proxy(nodeFetch, {})],
    ["undici's own fetch", undiciFetch],
    ["a wrapper with fetch's name", { fetch: (input: RequestInfo | URL) => nodeFetch(input) }.fetch],
    ["no function", undefined],
  ])("%s: touched", (_name, replaced) => {
    expect(fetchUntouched(replaced, undefined)).toBe(false);
  });

  it.each([
    ["a ProxyAgent", () => new ProxyAgent("http://127.0.0.1:9")],
    ["a MockAgent", () => new MockAgent()],
    ["another dispatcher", () => ({ dispatch: () => true })],
    ["an Agent with interceptors composed onto it", () => new Agent().compose((dispatch) => dispatch)],
    [
      "an Agent with its own connect options (a CA)",
      () => new Agent({ connect: { ca: "-----BEGIN CERTIFICATE-----" } }),
    ],
    ["an Agent with other settings", () => new Agent({ keepAliveTimeout: 1_000 })],
    [
      "an Agent with a client factory of its own",
      () => new Agent({ factory: (origin: string | URL, options: object) => new Pool(origin, options) }),
    ],
    [
      "a subclass named Agent",
      () => {
        class Agent extends UndiciAgent {}
        return new Agent();
      },
    ],
    ["null", () => null],
  ])("Node's fetch through %s as the global dispatcher: touched", async (_name, make) => {
    const dispatcher = make();
    expect(fetchUntouched(nodeFetch, dispatcher)).toBe(false);
    await (dispatcher as { close?: () => Promise<void> } | null)?.close?.();
  });
});

describe("envProxyInUse", () => {
  it.each([
    [{ env: { NODE_USE_ENV_PROXY: "1" } }, true],
    [{ env: { NODE_USE_ENV_PROXY: "true" } }, true],
    [{ env: { NODE_OPTIONS: "--max-old-space-size=512 --use-env-proxy" } }, true],
    [{ env: {}, execArgv: ["--use-env-proxy"] }, true],
    [{ env: { NODE_USE_ENV_PROXY: "0" } }, false],
    [{ env: { NODE_USE_ENV_PROXY: "" } }, false],
    [{ env: { HTTPS_PROXY: "http://proxy:3128" } }, false],
    [undefined, false],
  ])("%j → %s", (process, expected) => {
    expect(envProxyInUse(process)).toBe(expected);
  });
});

describe("LazyForwarder's choice", () => {
  const options = { clientId: "a", clientSecret: "b", subdomain: "x" };

  it("no transport given: undici while fetch is Node's, fetch while it is stubbed, and back", () => {
    const upstream = fakeUpstream();
    const forwarder = new LazyForwarder(options, upstream.factory);
    expect(upstream.made.map((made) => made.transport)).toEqual(["undici"]);
    const onUndici = forwarder.get();

    vi.stubGlobal("fetch", vi.fn());
    expect(forwarder.transport()).toBe("fetch");
    const onFetch = forwarder.get();
    expect(onFetch).not.toBe(onUndici);
    expect(upstream.made.map((made) => made.transport)).toEqual(["undici", "fetch"]);

    vi.unstubAllGlobals();
    expect(forwarder.get()).toBe(onUndici);
    expect(upstream.made).toHaveLength(2);
  });

  it("a global dispatcher that is not a plain Agent (a proxy agent, MockAgent) means fetch", async () => {
    const key = Symbol.for("undici.globalDispatcher.1");
    const saved = (globalThis as Record<symbol, unknown>)[key];
    const proxyAgent = new ProxyAgent("http://127.0.0.1:9");
    try {
      (globalThis as Record<symbol, unknown>)[key] = proxyAgent;
      const upstream = fakeUpstream();
      new LazyForwarder(options, upstream.factory);
      expect(upstream.made[0]?.transport).toBe("fetch");
    } finally {
      (globalThis as Record<symbol, unknown>)[key] = saved;
      await proxyAgent.close();
    }
  });

  it("NODE_USE_ENV_PROXY set: fetch, which uses HTTP_PROXY then", () => {
    vi.stubEnv("NODE_USE_ENV_PROXY", "1");
    try {
      const upstream = fakeUpstream();
      new LazyForwarder(options, upstream.factory);
      expect(upstream.made[0]?.transport).toBe("fetch");
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it.each([
    ["transport: fetch", { transport: "fetch" as const }, "fetch"],
    ["transport: undici", { transport: "undici" as const }, "undici"],
    ["an app's fetch", { fetch: (request: Request) => nodeFetch(request) }, undefined],
  ])("%s given: used as given, whatever fetch is", (_name, extra, transport) => {
    vi.stubGlobal("fetch", vi.fn());
    const upstream = fakeUpstream();
    const forwarder = new LazyForwarder({ ...options, ...extra }, upstream.factory);
    vi.unstubAllGlobals();
    forwarder.get();
    expect(forwarder.transport()).toBe("given");
    expect(upstream.made).toHaveLength(1);
    expect(upstream.made[0]?.transport).toBe(transport);
  });

  it("close() closes every forwarder made; a request after it on the other transport is refused by a closed one", async () => {
    const upstream = fakeUpstream();
    const forwarder = new LazyForwarder(options, upstream.factory);
    vi.stubGlobal("fetch", vi.fn());
    forwarder.get();
    vi.unstubAllGlobals();
    expect(upstream.made.map((made) => made.transport)).toEqual(["undici", "fetch"]);
    await forwarder.close();
    expect(upstream.closed).toBe(2);

    const once = fakeUpstream();
    const closedFirst = new LazyForwarder(options, once.factory);
    await closedFirst.close();
    vi.stubGlobal("fetch", vi.fn());
    closedFirst.get();
    expect(once.made).toHaveLength(1);
  });
});

describe("end to end, with client-node's forwarder", () => {
  let service: Loopback | undefined;
  afterEach(async () => {
    await service?.close();
    service = undefined;
  });

  const request = () => post();

  it("Node's fetch untouched: the establish and token requests go on undici's own connections", async () => {
    const seen: Array<string | undefined> = [];
    service = await startLoopback();
    const { onEstablish, onToken } = service;
    service.onEstablish = (incoming: IncomingMessage, body, response) => {
      seen.push(`establish ${incoming.headers["sec-fetch-mode"] ?? "-"}`);
      return onEstablish(incoming, body, response);
    };
    service.onToken = (incoming: IncomingMessage, body, response) => {
      seen.push(`token ${incoming.headers["sec-fetch-mode"] ?? "-"}`);
      return onToken(incoming, body, response);
    };
    const proxy = createContactsProxy({
      authorize: () => ({ identity: "u" }),
      upstream: { clientId: "id", clientSecret: "secret", baseUrl: service.url, authBaseUrl: service.url },
    });
    try {
      expect((await proxy(request())).status).toBe(200);
      expect(seen).toEqual(["token -", "establish -"]);
      // Stubbed now (as a test's spy would): the same proxy goes through the stub.
      const spy = vi.fn((input: RequestInfo | URL, init?: RequestInit) => nodeFetch(input, init));
      vi.stubGlobal("fetch", spy);
      expect((await proxy(request())).status).toBe(200);
      expect(spy).toHaveBeenCalled();
      // The token is cached (shared by both forwarders): only establish goes again.
      expect(seen).toEqual(["token -", "establish -", "establish cors"]);
    } finally {
      await proxy.close();
    }
  });

  it("msw listening (the mocks' setupContactsServer): it answers the proxy's upstream, the token included", async () => {
    const { server, mock } = setupContactsServer({ seed: 1 });
    const proxy = createContactsProxy({
      authorize: () => ({ identity: "u" }),
      upstream: { subdomain: "my-tenant", clientId: "test-id", clientSecret: "test-secret" },
    });
    server.listen({ onUnhandledRequest: "error" });
    try {
      const response = await proxy(request());
      expect(response.status).toBe(200);
      expect(mock.store.has("Key1")).toBe(true);
      expect(mock.requests.length).toBeGreaterThan(0);
    } finally {
      server.close();
      await proxy.close();
    }
  });
});
