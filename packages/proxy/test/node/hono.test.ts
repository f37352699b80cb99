/**
 * Issue 16 point 1 in real Hono 4: the proxy is the handler as it is (`(c) => proxy(c.req.raw)`),
 * driven with `app.request()` (no server) and forwarding to the mocks' loopback service. A Fetch
 * runtime has already parsed the URL when the handler runs (`..` and `%2e%2e` resolved, `\` made
 * `/`), so what must hold for path tricks is: nothing reaches the service, and the proxy never
 * answers anything but 404 for a path other than its one route.
 */
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import type { ContactsProxy } from "../../src/create-proxy.js";
import { type Stack, startStack } from "../support/stack.js";

const ROUTE = "/api/sfmc/contacts/v1/establish";
const JSON_HEADERS = { "content-type": "application/json", cookie: "session=ok" };
const BODY = '{"ContactKeys":["a","b"]}';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

function honoApp(proxy: ContactsProxy, pattern = "/api/sfmc/*") {
  const app = new Hono();
  const seen: string[] = [];
  app.all(pattern, (c) => {
    seen.push(new URL(c.req.raw.url).pathname);
    return proxy(c.req.raw);
  });
  return { app, seen };
}

describe("the proxy in Hono", () => {
  it("200: establishes through the mocks' service with the proxy's token only", async () => {
    stack = await startStack();
    const { app } = honoApp(stack.proxy);
    const response = await app.request(ROUTE, {
      method: "POST",
      headers: { ...JSON_HEADERS, authorization: "Bearer caller-secret" },
      body: BODY,
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { items: Array<{ value: { requestedContactKey: string } }> };
    expect(body.items.map((item) => item.value.requestedContactKey)).toEqual(["a", "b"]);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(stack.sent).toHaveLength(1);
    expect(stack.sent[0]?.authorization).toBe(`Bearer ${stack.tokens[0]}`);
    expect(stack.events.at(-1)).toMatchObject({
      type: "response",
      status: 200,
      reason: "upstream",
      identity: "user-1",
    });
  });

  it("401 without a session: nothing reaches the service", async () => {
    stack = await startStack();
    const { app } = honoApp(stack.proxy);
    const response = await app.request(ROUTE, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: BODY,
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ errorcode: 0, message: "Not Authorized" });
    expect(stack.upstreamCount()).toBe(0);
  });

  it("405 for other methods, with Allow", async () => {
    stack = await startStack();
    const { app } = honoApp(stack.proxy);
    for (const method of ["GET", "PUT", "DELETE", "PATCH"]) {
      const response = await app.request(ROUTE, { method, headers: JSON_HEADERS });
      expect({ method, status: response.status }).toEqual({ method, status: 405 });
      expect(response.headers.get("allow")).toBe("OPTIONS, POST");
    }
    expect(stack.upstreamCount()).toBe(0);
  });

  // [raw path, whether Hono hands it to the proxy (its pathname still starts /api/sfmc/)]
  it.each([
    // Resolved by URL parsing before Hono routes: they arrive as other paths and Hono answers.
    ["/api/sfmc/../v2/token", false],
    ["/api/sfmc/%2e%2e/v2/token", false],
    ["/api/sfmc/%2E%2e/%2e%2e/v2/token", false],
    ["/api/sfmc/../../v2/token", false],
    // Left as they are by URL parsing: they reach the proxy, which matches byte-exactly.
    ["/api/sfmc/..%2fv2/token", true],
    ["/api/sfmc//contacts/v1/establish", true],
    ["/api/sfmc/contacts%2fv1%2festablish", true],
    ["/api/sfmc/contacts%2Fv1/establish", true],
    ["/api/sfmc/contacts%5cv1%5cestablish", true],
    ["/api/sfmc/CONTACTS/v1/establish", true],
    ["/api/sfmc/contacts/v1/establish/", true],
    ["/api/sfmc/contacts/v1/establish/..%2f..%2fv2/token", true],
  ])("%s: 404, and nothing reaches the service (reaches the proxy: %s)", async (path, reachesProxy) => {
    stack = await startStack();
    const { app, seen } = honoApp(stack.proxy);
    // An absolute URL, so app.request does not merge or clean the path itself.
    const response = await app.request(`http://localhost${path}`, {
      method: "POST",
      headers: JSON_HEADERS,
      body: BODY,
    });
    expect(response.status).toBe(404);
    expect(stack.upstreamCount()).toBe(0);
    expect(seen).toHaveLength(reachesProxy ? 1 : 0);
    // Whatever Hono handed to the proxy was not the route, and the proxy said so itself.
    expect(seen.every((pathname) => pathname !== ROUTE)).toBe(true);
    const answers = stack.events.filter((event) => event.type === "response");
    expect(answers.map((event) => event.reason)).toEqual(seen.map(() => "not-found"));
    if (reachesProxy) {
      expect(await response.json()).toMatchObject({ message: `Not Found: this proxy answers POST ${ROUTE} only` });
    }
  });

  it("a trick that URL parsing resolves to the route is the route: the handler sees only the canonical path", async () => {
    // `..` and `\` are gone before any Fetch handler runs; the request is then the establish call
    // itself, with nothing of the trick left to reach another upstream route.
    stack = await startStack();
    const { app, seen } = honoApp(stack.proxy);
    for (const path of ["/api/sfmc/x/../contacts/v1/establish", "/api/sfmc\\contacts\\v1\\establish"]) {
      const response = await app.request(`http://localhost${path}`, {
        method: "POST",
        headers: JSON_HEADERS,
        body: BODY,
      });
      expect(response.status).toBe(200);
    }
    expect(seen).toEqual([ROUTE, ROUTE]);
    const routes = stack.service.mock.requests.map((request) => request.route);
    expect(routes.filter((route) => route === "establish")).toHaveLength(2);
    expect(routes.filter((route) => route !== "establish" && route !== "token")).toHaveLength(0);
  });

  it("a body a middleware read first: 500, nothing forwarded", async () => {
    stack = await startStack();
    const app = new Hono();
    app.use(async (c, next) => {
      await c.req.json();
      await next();
    });
    app.all("/api/sfmc/*", (c) => (stack as Stack).proxy(c.req.raw));
    const response = await app.request(ROUTE, { method: "POST", headers: JSON_HEADERS, body: BODY });
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({
      errorcode: 0,
      message: expect.stringContaining("mount the proxy before body parsers"),
    });
    expect(stack.upstreamCount()).toBe(0);
    // Refused before authorize: it is not blamed, and it is not asked.
    expect(stack.events.filter((event) => event.type === "decision")).toHaveLength(0);
    expect(stack.events.at(-1)).toMatchObject({ type: "response", status: 500, reason: "internal" });
  });

  it("a basePath other than the default: its route works, the default path is 404", async () => {
    stack = await startStack({ basePath: "/internal/mc" });
    const { app } = honoApp(stack.proxy, "/internal/mc/*");
    app.all("/api/sfmc/*", (c) => stack?.proxy(c.req.raw) ?? c.notFound());
    const ok = await app.request("/internal/mc/contacts/v1/establish", {
      method: "POST",
      headers: JSON_HEADERS,
      body: BODY,
    });
    expect(ok.status).toBe(200);
    const old = await app.request(ROUTE, { method: "POST", headers: JSON_HEADERS, body: BODY });
    expect(old.status).toBe(404);
    expect(await old.json()).toMatchObject({
      message: "Not Found: this proxy answers POST /internal/mc/contacts/v1/establish only",
    });
    const wrongMethod = await app.request("/internal/mc/contacts/v1/establish", { method: "GET" });
    expect(wrongMethod.status).toBe(405);
    expect(stack.sent).toHaveLength(1);
  });
});
