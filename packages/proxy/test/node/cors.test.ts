/**
 * Issue 16 point 3: same-origin is the default (no CORS header ever, cross-site POSTs refused);
 * `allowedOrigins` opens the route to exact origins, preflight included, and every answer to a
 * listed origin exposes Retry-After. Refused origins reach neither authorize nor the upstream.
 */
import { ContactsValidationError } from "@sfmc-contacts/core";
import { describe, expect, it } from "vitest";
import { allowedRequestHeaders, checkAllowedOrigins } from "../../src/cors.js";
import { ORIGIN, post, proxyWithFake, ROUTE, reply } from "../support/fake-upstream.js";

const PAGE = "https://page.example.com";

function counted(options: Parameters<typeof proxyWithFake>[0] = {}, answer?: Parameters<typeof proxyWithFake>[1]) {
  let authorized = 0;
  const made = proxyWithFake(
    {
      authorize: (request) => {
        authorized++;
        return request.headers.get("cookie") === "session=ok" ? { identity: "user-1" } : { status: 401 };
      },
      ...options,
    },
    answer,
  );
  return { ...made, authorized: () => authorized };
}

const CORS_NAMES = [
  "access-control-allow-origin",
  "access-control-allow-credentials",
  "access-control-expose-headers",
  "access-control-allow-methods",
  "access-control-allow-headers",
  "access-control-max-age",
  "vary",
];
const corsOf = (response: Response) =>
  Object.fromEntries(
    CORS_NAMES.flatMap((name) => (response.headers.has(name) ? [[name, response.headers.get(name)]] : [])),
  );

describe("allowedOrigins at creation", () => {
  it.each([
    ["*", /"\*" would let every site/],
    ["null", /"null" is the origin of sandboxed frames/],
    ["https://app.example.com/", /not written as its origin/],
    ["https://app.example.com/path", /not written as its origin/],
    ["https://App.example.com", /not written as its origin/],
    ["app.example.com", /not a URL/],
    ["ftp://app.example.com", /not http or https/],
  ])("%j is refused", (origin, message) => {
    expect(() => checkAllowedOrigins([origin])).toThrow(ContactsValidationError);
    expect(() => checkAllowedOrigins([origin])).toThrow(message);
    expect(() => proxyWithFake({ allowedOrigins: [origin] })).toThrow(/allowedOrigins/);
  });

  it("a string instead of an array is refused; exact origins are kept", () => {
    expect(() => checkAllowedOrigins("https://a.example")).toThrow(ContactsValidationError);
    expect([...checkAllowedOrigins(["https://a.example", "http://localhost:3000"])]).toEqual([
      "https://a.example",
      "http://localhost:3000",
    ]);
  });
});

describe("same-origin default", () => {
  it.each([
    ["same-origin Sec-Fetch-Site", { "sec-fetch-site": "same-origin", origin: ORIGIN }],
    ["Sec-Fetch-Site none", { "sec-fetch-site": "none" }],
    ["no Sec-Fetch-Site, Origin equal to the request's", { origin: ORIGIN }],
    ["a server: no Origin, no Sec-Fetch-Site", {}],
    // Behind a TLS-terminating proxy the request URL's origin is not the page's: Sec-Fetch-Site decides.
    [
      "same-origin Sec-Fetch-Site with another Origin",
      { "sec-fetch-site": "same-origin", origin: "https://public.example" },
    ],
  ])("%s: handled, no CORS header", async (_, headers) => {
    const { proxy, upstream } = counted();
    const response = await proxy(post(undefined, { headers }));
    expect(response.status).toBe(200);
    expect(corsOf(response)).toEqual({});
    expect(upstream.calls).toHaveLength(1);
  });

  it.each([
    ["Sec-Fetch-Site cross-site", { "sec-fetch-site": "cross-site", origin: PAGE }],
    ["Sec-Fetch-Site same-site", { "sec-fetch-site": "same-site", origin: "https://other.app.example.com" }],
    ["no Sec-Fetch-Site, another Origin", { origin: PAGE }],
    ["no Sec-Fetch-Site, Origin null", { origin: "null" }],
  ])("%s: 403 before authorize, nothing forwarded", async (_, headers) => {
    const { proxy, upstream, authorized, events } = counted();
    const response = await proxy(post(undefined, { headers }));
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({
      errorcode: 0,
      message: `Forbidden: origin ${JSON.stringify(headers.origin)} is not allowed`,
    });
    expect(corsOf(response)).toEqual({});
    expect(authorized()).toBe(0);
    expect(upstream.calls).toHaveLength(0);
    expect(events.at(-1)).toMatchObject({ type: "response", status: 403, reason: "origin" });
  });

  it("every preflight is refused with 403 and no CORS header", async () => {
    const { proxy, authorized } = counted();
    const response = await proxy(
      new Request(ROUTE, {
        method: "OPTIONS",
        headers: { origin: PAGE, "access-control-request-method": "POST" },
      }),
    );
    expect(response.status).toBe(403);
    expect(corsOf(response)).toEqual({});
    expect(authorized()).toBe(0);
  });

  it("an OPTIONS that is not a preflight learns the methods", async () => {
    const { proxy } = counted();
    const response = await proxy(new Request(ROUTE, { method: "OPTIONS" }));
    expect(response.status).toBe(204);
    expect(response.headers.get("allow")).toBe("OPTIONS, POST");
    expect(await response.text()).toBe("");
  });
});

describe("allowedOrigins", () => {
  const listed = { allowedOrigins: [PAGE] };

  it("a POST from a listed origin is handled with CORS headers, cross-site or not", async () => {
    const { proxy, upstream } = counted(listed);
    for (const headers of [{ origin: PAGE, "sec-fetch-site": "cross-site" }, { origin: PAGE }]) {
      const response = await proxy(post(undefined, { headers }));
      expect(response.status).toBe(200);
      expect(corsOf(response)).toEqual({
        "access-control-allow-origin": PAGE,
        "access-control-allow-credentials": "true",
        "access-control-expose-headers": "Retry-After, X-Request-Id",
        vary: "Origin",
      });
    }
    expect(upstream.calls).toHaveLength(2);
  });

  it("an unlisted origin is refused; Vary is still there", async () => {
    const { proxy, upstream } = counted(listed);
    const response = await proxy(
      post(undefined, { headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" } }),
    );
    expect(response.status).toBe(403);
    expect(corsOf(response)).toEqual({ vary: "Origin" });
    expect(upstream.calls).toHaveLength(0);
  });

  it("a 401 from authorize and a 429 from Marketing Cloud both expose Retry-After to the page", async () => {
    const { proxy } = counted(
      listed,
      reply(
        429,
        { message: "Rate limit exceeded.", errorcode: 50100, documentation: "x", retryAfter: 2 },
        { "retry-after": "2" },
      ),
    );
    const refused = await proxy(post(undefined, { headers: { origin: PAGE, cookie: "" } }));
    expect(refused.status).toBe(401);
    expect(refused.headers.get("access-control-allow-origin")).toBe(PAGE);
    expect(refused.headers.get("access-control-expose-headers")).toBe("Retry-After, X-Request-Id");
    const throttled = await proxy(post(undefined, { headers: { origin: PAGE } }));
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("2");
    expect(throttled.headers.get("access-control-allow-origin")).toBe(PAGE);
    expect(throttled.headers.get("access-control-expose-headers")).toBe("Retry-After, X-Request-Id");
  });

  it("a preflight from a listed origin gets 204 with the requested headers echoed and max-age", async () => {
    const { proxy, authorized, upstream, events } = counted(listed);
    const response = await proxy(
      new Request(ROUTE, {
        method: "OPTIONS",
        headers: {
          origin: PAGE,
          "access-control-request-method": "POST",
          "access-control-request-headers": "Content-Type, Authorization, X-Trace",
        },
      }),
    );
    expect(response.status).toBe(204);
    expect(corsOf(response)).toEqual({
      "access-control-allow-origin": PAGE,
      "access-control-allow-credentials": "true",
      "access-control-allow-methods": "POST",
      "access-control-allow-headers": "content-type, authorization, x-trace",
      "access-control-max-age": "600",
      vary: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
    });
    expect(authorized()).toBe(0);
    expect(upstream.calls).toHaveLength(0);
    expect(events.at(-1)).toMatchObject({ type: "response", status: 204, reason: "preflight" });
  });

  it("a preflight from an unlisted origin or without Origin is 403", async () => {
    const { proxy } = counted(listed);
    for (const headers of [
      { origin: "https://evil.example", "access-control-request-method": "POST" },
      { "access-control-request-method": "POST" },
    ]) {
      const response = await proxy(new Request(ROUTE, { method: "OPTIONS", headers }));
      expect(response.status).toBe(403);
      expect(response.headers.get("access-control-allow-origin")).toBeNull();
    }
  });

  it("a preflight for another path is 404", async () => {
    const { proxy } = counted(listed);
    const response = await proxy(
      new Request(`${ORIGIN}/api/sfmc/v2/token`, {
        method: "OPTIONS",
        headers: { origin: PAGE, "access-control-request-method": "POST" },
      }),
    );
    expect(response.status).toBe(404);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("allowedRequestHeaders", () => {
  it.each([
    [null, "content-type, authorization"],
    ["", "content-type, authorization"],
    ["content-type", "content-type"],
    ["Content-Type ,  X-A", "content-type, x-a"],
    ["bad header", "content-type, authorization"],
    ["x\u00e9", "content-type, authorization"],
    [Array.from({ length: 21 }, (_, i) => `x-${i}`).join(","), "content-type, authorization"],
    [
      Array.from({ length: 20 }, (_, i) => `x-${i}`).join(","),
      Array.from({ length: 20 }, (_, i) => `x-${i}`).join(", "),
    ],
  ])("%j allows %j", (requested, expected) => {
    expect(allowedRequestHeaders(requested)).toBe(expected);
  });
});

describe("CORS on the proxy's own 500", () => {
  it("an unexpected failure after the route matched still carries the CORS headers (a page can read it)", async () => {
    // A rejection that cannot even be looked at (a revoked Proxy): reading it throws again.
    const { proxy: unreadable, revoke } = Proxy.revocable({}, {});
    revoke();
    const { proxy, events } = proxyWithFake({ allowedOrigins: [PAGE] }, async () => {
      throw unreadable;
    });
    const response = await proxy(post(undefined, { headers: { origin: PAGE } }));
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ errorcode: 0, message: "Internal Server Error" });
    expect(response.headers.get("access-control-allow-origin")).toBe(PAGE);
    expect(events.at(-1)).toMatchObject({ type: "response", status: 500, reason: "internal" });
  });
});

describe("the origin in events", () => {
  it("is cut to 200 characters, like the path", async () => {
    const { proxy, events } = proxyWithFake();
    const origin = `https://${"a".repeat(5000)}.example`;
    await proxy(post(undefined, { headers: { origin } }));
    const request = events.find((event) => (event as { type: string }).type === "request") as { origin: string };
    expect(request.origin).toBe(origin.slice(0, 200));
  });
});
