/**
 * Issue 16 points 4 and 5 at the handler's seam (the real forwarder is client-node's, wired in a
 * later slice): only the canonical body goes to the forwarder, never the caller's headers;
 * Marketing Cloud's status, JSON body and Retry-After come back unchanged; a 401 left after the
 * forwarder's renewal is 502; failures without an answer are 502/504/499 without their text;
 * every answer is JSON with no-store and nosniff; events carry the identity and never a secret.
 */
import {
  ContactsApiError,
  ContactsNetworkError,
  ContactsThrottledError,
  ContactsTimeoutError,
  ContactsValidationError,
} from "@sfmc-contacts/core";
import { describe, expect, it } from "vitest";
import { createProxyWith } from "../../src/create-proxy.js";
import { upstreamFromEnv } from "../../src/upstream.js";
import { ESTABLISHED, fakeUpstream, post, proxyWithFake, reply } from "../support/fake-upstream.js";

const RATE_LIMITED = { message: "Rate limit exceeded.", errorcode: 50100, documentation: "d", retryAfter: 2 };

describe("what is forwarded", () => {
  it("the canonical body with the caller's signal; nothing of the caller's headers", async () => {
    const { proxy, upstream } = proxyWithFake();
    const request = post(
      { ContactKeys: ["Key1"] },
      {
        headers: {
          authorization: "Bearer caller-secret",
          cookie: "session=ok; sid=caller-cookie",
          "x-forwarded-for": "1.2.3.4",
        },
      },
    );
    const response = await proxy(request);
    expect(response.status).toBe(200);
    expect(upstream.calls).toHaveLength(1);
    const call = upstream.calls[0];
    expect(call?.body).toEqual({ ContactKeys: ["Key1"] });
    // The forwarder's interface takes a body and options only: no header can travel. Nothing of
    // the caller's appears anywhere in what it was given.
    expect(JSON.stringify(call?.body)).not.toMatch(/caller-secret|caller-cookie/);
    expect(call?.signal).toBe(request.signal);
  });

  it("any ContactType number is forwarded (the account decides its types; the mocks know only 0); other names are 400", async () => {
    const { proxy, upstream } = proxyWithFake();
    const typed = await proxy(post({ ContactKeys: ["Key1"], ContactType: 7 }));
    expect(typed.status).toBe(200);
    expect(upstream.calls[0]?.body).toEqual({ ContactKeys: ["Key1"], ContactType: 7 });
    const named = await proxy(post({ ContactKeys: ["Key1"], contactType: "Subscriber" }));
    expect(named.status).toBe(400);
    expect(((await named.json()) as { errorcode: number }).errorcode).toBe(10005);
    expect(upstream.calls).toHaveLength(1);
  });

  it("upstream options: retry off by default; given options are used at creation, once", () => {
    const upstream = fakeUpstream();
    createProxyWith(
      { authorize: () => ({ identity: 1 }), upstream: { clientId: "a", clientSecret: "b", subdomain: "x" } },
      upstream.factory,
    );
    // No transport given: client-node's undici, as Node's fetch is untouched here (upstream-transport.test.ts).
    expect(upstream.made).toEqual([
      { retry: false, clientId: "a", clientSecret: "b", subdomain: "x", transport: "undici" },
    ]);
    const retrying = fakeUpstream();
    createProxyWith(
      {
        authorize: () => ({ identity: 1 }),
        upstream: { clientId: "a", clientSecret: "b", subdomain: "x", retry: { attempts: 2 } },
      },
      retrying.factory,
    );
    expect(retrying.made[0]?.retry).toEqual({ attempts: 2 });
  });

  it("a factory that refuses the given options throws at creation", () => {
    expect(() =>
      createProxyWith({ authorize: () => ({ identity: 1 }), upstream: { clientId: "", clientSecret: "" } }, () => {
        throw new ContactsValidationError("clientId is required", { reason: "clientId" });
      }),
    ).toThrow(ContactsValidationError);
  });

  it("without upstream, the environment is read at the first forward; a failure is kept and answers 500 misconfigured", async () => {
    const upstream = fakeUpstream();
    const events: Array<{ type: string; reason?: string; error?: Error }> = [];
    const saved = { ...process.env };
    for (const name of [
      "SFMC_SUBDOMAIN",
      "SFMC_CLIENT_ID",
      "SFMC_CLIENT_SECRET",
      "SFMC_REST_BASE_URL",
      "SFMC_AUTH_BASE_URL",
    ]) {
      delete process.env[name];
    }
    try {
      const proxy = createProxyWith(
        { authorize: () => ({ identity: "u" }), onEvent: (event) => events.push(event as never) },
        upstream.factory,
      );
      expect(upstream.made).toHaveLength(0); // nothing read at creation (next build imports route modules without the env)
      const response = await proxy(post());
      expect(response.status).toBe(500);
      expect(await response.json()).toMatchObject({ message: "Internal Server Error" });
      expect(events.at(-1)).toMatchObject({ reason: "misconfigured" });
      expect(events.at(-1)?.error).toBeInstanceOf(ContactsValidationError);
      expect(events.at(-1)?.error?.message).toMatch(/SFMC_SUBDOMAIN, SFMC_CLIENT_ID, SFMC_CLIENT_SECRET/);
      process.env.SFMC_SUBDOMAIN = "mc123";
      process.env.SFMC_CLIENT_ID = "id";
      process.env.SFMC_CLIENT_SECRET = "secret";
      expect((await proxy(post())).status).toBe(500); // kept: resolved once
      expect(upstream.made).toHaveLength(0);
      const fresh = createProxyWith({ authorize: () => ({ identity: "u" }) }, upstream.factory);
      expect((await fresh(post())).status).toBe(200);
      expect(upstream.made).toEqual([
        { retry: false, subdomain: "mc123", clientId: "id", clientSecret: "secret", transport: "undici" },
      ]);
    } finally {
      process.env = saved;
    }
  });

  it("upstreamFromEnv: the base URLs stand in for the subdomain", () => {
    expect(
      upstreamFromEnv({
        SFMC_CLIENT_ID: "i",
        SFMC_CLIENT_SECRET: "s",
        SFMC_REST_BASE_URL: "http://127.0.0.1:1",
        SFMC_AUTH_BASE_URL: "http://127.0.0.1:2",
      }),
    ).toEqual({ clientId: "i", clientSecret: "s", baseUrl: "http://127.0.0.1:1", authBaseUrl: "http://127.0.0.1:2" });
    expect(() => upstreamFromEnv({ SFMC_CLIENT_ID: "i" })).toThrow(/SFMC_SUBDOMAIN, SFMC_CLIENT_SECRET/);
  });
});

describe("what the browser sees", () => {
  it("a 200: MC's text byte for byte, no-store, nosniff", async () => {
    const text = `${JSON.stringify(ESTABLISHED, null, 1)}\n`;
    const { proxy } = proxyWithFake({}, reply(200, text, { "content-type": "application/json" }));
    const response = await proxy(post());
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(text);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it.each([
    [429, RATE_LIMITED, { "retry-after": "2" }, "2"],
    [503, { message: "Service Unavailable", errorcode: 50300, documentation: "d" }, { "retry-after": "30" }, "30"],
    [429, { message: "Blocked", errorcode: 50200, documentation: "d" }, {}, null],
    [403, { message: "Insufficient privileges", errorcode: 20002, documentation: "d" }, {}, null],
    [500, { message: "Internal", errorcode: 0, documentation: "d" }, {}, null],
    [400, { message: "bad", errorcode: 10005, documentation: "d" }, {}, null],
  ])("%i passes through with its body and Retry-After", async (status, body, headers, retryAfter) => {
    const { proxy, events } = proxyWithFake({}, reply(status, body, headers));
    const response = await proxy(post());
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual(body);
    expect(response.headers.get("retry-after")).toBe(retryAfter);
    expect(events.at(-1)).toMatchObject({ type: "response", status, reason: "upstream", identity: "user-1", keys: 1 });
  });

  it("only Retry-After and a sane X-Request-Id are copied: never Set-Cookie or WWW-Authenticate", async () => {
    const { proxy } = proxyWithFake(
      {},
      reply(429, RATE_LIMITED, {
        "retry-after": "Fri, 27 Nov 2099 12:00:00 GMT",
        "x-request-id": "abc-123",
        "set-cookie": "mc=1",
        "www-authenticate": "Bearer",
        server: "mc",
      }),
    );
    const response = await proxy(post());
    expect(response.headers.get("retry-after")).toBe("Fri, 27 Nov 2099 12:00:00 GMT");
    expect(response.headers.get("x-request-id")).toBe("abc-123");
    for (const name of ["set-cookie", "www-authenticate", "server"]) expect(response.headers.get(name)).toBeNull();
    const junk = proxyWithFake({}, reply(429, RATE_LIMITED, { "retry-after": "soon", "x-request-id": "a b" }));
    const second = await junk.proxy(post());
    expect(second.headers.get("retry-after")).toBeNull();
    expect(second.headers.get("x-request-id")).toBeNull();
  });

  it("a 401 left after the renewal is 502 upstream-credentials, without WWW-Authenticate", async () => {
    const { proxy, events } = proxyWithFake(
      {},
      reply(401, { message: "Not Authorized", errorcode: 0, documentation: "d" }, { "www-authenticate": "Bearer" }),
    );
    const response = await proxy(post());
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({
      message: "Bad Gateway: Marketing Cloud refused the proxy's credentials",
    });
    expect(response.headers.get("www-authenticate")).toBeNull();
    expect(events.at(-1)).toMatchObject({ reason: "upstream-credentials" });
  });

  it("a body that is not JSON is never relayed: the status stays, a 200 becomes 502", async () => {
    const html = "<html><body>gateway</body></html>";
    const gateway = proxyWithFake({}, reply(503, html, { "content-type": "text/html", "retry-after": "5" }));
    const response = await gateway.proxy(post());
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    const body = await response.text();
    expect(body).not.toContain("<html>");
    expect(JSON.parse(body)).toMatchObject({
      errorcode: 0,
      message: "Marketing Cloud answered 503 without a JSON body",
    });
    const ok = proxyWithFake({}, reply(200, html, { "content-type": "text/html" }));
    expect((await ok.proxy(post())).status).toBe(502);
  });

  it.each([
    [new ContactsTimeoutError(500), 504, "upstream-timeout", "Gateway Timeout: Marketing Cloud did not answer in time"],
    [
      new ContactsNetworkError(new Error("connect ECONNREFUSED 10.1.2.3:443")),
      502,
      "upstream-unreachable",
      "Bad Gateway: Marketing Cloud could not be reached",
    ],
    [
      new ContactsApiError("redirect to internal.example", { status: 307 }),
      502,
      "upstream-unreachable",
      "Bad Gateway: Marketing Cloud could not be reached",
    ],
  ])("%s: %i, the error's text only in the event", async (error, status, reason, message) => {
    const { proxy, events } = proxyWithFake({}, error);
    const response = await proxy(post());
    expect(response.status).toBe(status);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ errorcode: 0, message });
    expect(text).not.toMatch(/10\.1\.2\.3|internal\.example/);
    expect(events.at(-1)).toMatchObject({ type: "response", status, reason, error });
  });

  it("the shared rate-limit gate is closed (nothing sent): 429, errorcode 50100 and Retry-After, as Marketing Cloud says it", async () => {
    const error = new ContactsThrottledError("paused", { retryAfter: 2.2, stoppedBy: "gate" });
    const { proxy, events } = proxyWithFake({ allowedOrigins: ["https://page.example"] }, error);
    const response = await proxy(post(undefined, { headers: { origin: "https://page.example" } }));
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("3");
    expect(response.headers.get("access-control-expose-headers")).toBe("Retry-After, X-Request-Id");
    expect(await response.json()).toMatchObject({ errorcode: 50100, retryAfter: 3 });
    expect(events.at(-1)).toMatchObject({ status: 429, reason: "upstream-throttled", error });
  });

  it("the caller went away: 499 client-closed in the event", async () => {
    const controller = new AbortController();
    const { proxy, events } = proxyWithFake({}, async () => {
      controller.abort();
      throw new ContactsNetworkError(new Error("aborted"));
    });
    const response = await proxy(post(undefined, { signal: controller.signal }));
    expect(response.status).toBe(499);
    expect(events.at(-1)).toMatchObject({ reason: "client-closed" });
  });

  it("the handler never rejects: an authorize that returns a thenable that throws, a broken Request", async () => {
    const { proxy, events } = proxyWithFake({
      authorize: () =>
        ({
          // biome-ignore lint/suspicious/noThenProperty: a broken thenable is the point of the case
          then: () => {
            throw new Error("x");
          },
        }) as never,
    });
    expect((await proxy(post())).status).toBe(401);
    const broken = { url: "not a url", method: "POST", headers: new Headers() } as unknown as Request;
    const response = await proxy(broken);
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ message: "Internal Server Error" });
    expect(events.at(-1)).toMatchObject({ type: "response", status: 500, reason: "internal" });
  });

  it("close() closes the forwarder", async () => {
    const { proxy, upstream } = proxyWithFake();
    await proxy.close();
    expect(upstream.closed).toBe(1);
  });
});

describe("events", () => {
  it("success: request, decision with identity, upstream events wrapped, response; no secret anywhere", async () => {
    const { proxy, events } = proxyWithFake({}, async (call) => {
      call.emit?.({ type: "request", attempt: 1, url: "http://127.0.0.1:9/contacts/v1/establish", keys: 1 });
      call.emit?.({ type: "response", attempt: 1, status: 200, durationMs: 3 });
      return reply(200, ESTABLISHED);
    });
    await proxy(
      post(undefined, {
        url: "https://app.example.com/api/sfmc/contacts/v1/establish?access_token=query-secret",
        headers: { authorization: "Bearer caller-secret", origin: "https://app.example.com" },
      }),
    );
    const types = events.map((event) => (event as { type: string }).type);
    expect(types).toEqual(["request", "decision", "upstream", "upstream", "response"]);
    const [request, decision, upstream] = events as Array<Record<string, unknown>>;
    expect(request).toMatchObject({
      method: "POST",
      path: "/api/sfmc/contacts/v1/establish",
      origin: "https://app.example.com",
    });
    expect(decision).toMatchObject({ allowed: true, identity: "user-1" });
    expect(upstream).toMatchObject({ identity: "user-1", event: { type: "request", keys: 1 } });
    const ids = new Set(events.map((event) => (event as { requestId: string }).requestId));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^[0-9a-f-]{36}$/);
    const all = JSON.stringify(events);
    for (const secret of ["query-secret", "caller-secret", "session=ok", "upstream-secret-value"]) {
      expect(all).not.toContain(secret);
    }
  });

  it("the path in events is cut to 200 characters and has no query", async () => {
    const { proxy, events } = proxyWithFake();
    await proxy(post(undefined, { url: `https://app.example.com/${"a".repeat(300)}?token=x` }));
    const path = (events[0] as { path: string }).path;
    expect(path).toHaveLength(200);
    expect(path).not.toContain("?");
  });

  it("a listener that throws or rejects changes nothing", async () => {
    for (const onEvent of [
      () => {
        throw new Error("listener broke");
      },
      async () => {
        throw new Error("listener broke");
      },
    ]) {
      const { proxy, upstream } = proxyWithFake({ onEvent });
      expect((await proxy(post())).status).toBe(200);
      expect(upstream.calls).toHaveLength(1);
    }
  });

  it("onEvent that is not a function is refused at creation", () => {
    expect(() => proxyWithFake({ onEvent: "log" as never })).toThrow(/onEvent must be a function/);
  });
});
