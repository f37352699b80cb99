/**
 * Issue 16 point 2: the proxy answers only POST {basePath}/contacts/v1/establish. Other methods
 * get 405 with Allow; other paths, `..` tricks and encoded slashes get 404, and nothing is
 * forwarded.
 */
import { ContactsValidationError } from "@sfmc-contacts/core";
import { describe, expect, it } from "vitest";
import { checkBasePath, RAW_TARGET, rawTargetProblem, urlParts } from "../../src/route.js";
import { ORIGIN, post, proxyWithFake } from "../support/fake-upstream.js";

describe("rawTargetProblem", () => {
  it.each([
    ["/api/sfmc/../v2/token", "has a . or .. segment"],
    ["/api/sfmc/%2e%2e/v2/token", "has a . or .. segment"],
    ["/api/sfmc/%2E%2e/v2/token", "has a . or .. segment"],
    ["/api/sfmc/.%2E/v2/token", "has a . or .. segment"],
    ["/api/sfmc/%2e/contacts/v1/establish", "has a . or .. segment"],
    ["/api/sfmc/./contacts/v1/establish", "has a . or .. segment"],
    ["/api/sfmc/x/../contacts/v1/establish", "has a . or .. segment"],
    ["/api/sfmc/contacts/v1/establish/..", "has a . or .. segment"],
    ["/api/sfmc/contacts/v1/establish/.", "has a . or .. segment"],
    ["/api/sfmc\\contacts\\v1\\establish", "has a backslash"],
    ["//api/sfmc/contacts/v1/establish", "starts with //"],
    ["/api/sfmc/contacts%2fv1%2festablish", "has an encoded / or \\"],
    ["/api/sfmc/contacts%2Fv1/establish", "has an encoded / or \\"],
    ["/api/sfmc/contacts%5cv1/establish", "has an encoded / or \\"],
    ["http://evil.example/api/sfmc/contacts/v1/establish", "not in origin form"],
    ["*", "not in origin form"],
    ["", "not in origin form"],
  ])("%s: %s", (target, problem) => {
    expect(rawTargetProblem(target)).toBe(problem);
  });

  it.each([
    "/api/sfmc/contacts/v1/establish",
    "/api/sfmc/contacts/v1/establish?x=..%2f",
    "/api/sfmc/contacts/v1/establish?next=//x",
    "/api/sfmc/.well-known/contacts/v1/establish",
    "/api/sfmc/...x/contacts",
  ])("%s is in order", (target) => {
    expect(rawTargetProblem(target)).toBeUndefined();
  });
});

describe("checkBasePath", () => {
  it.each([
    [undefined, "/api/sfmc"],
    ["", ""],
    ["/", ""],
    ["/proxy", "/proxy"],
    ["/a/b.c/d_e~f-g", "/a/b.c/d_e~f-g"],
  ])("%j reads as %j", (value, expected) => {
    expect(checkBasePath(value)).toBe(expected);
  });

  it.each(["api", "/api/", "/api//sfmc", "/api/../sfmc", "/api/./sfmc", "/api sfmc", "/api%2fsfmc", "/ä", 42])(
    "%j is refused with a ContactsValidationError",
    (value) => {
      expect(() => checkBasePath(value)).toThrow(ContactsValidationError);
      expect(() => checkBasePath(value)).toThrow(/basePath/);
    },
  );
});

describe("the handler's route", () => {
  it.each([
    "/api/sfmc/contacts/v1/establish/",
    "/api/sfmc/Contacts/v1/establish",
    "/API/sfmc/contacts/v1/establish",
    "/api/sfmc/contacts/v1/establis",
    "/api/sfmc/contacts%2fv1%2festablish",
    "/api/sfmc//contacts/v1/establish",
    "/api/sfmc/v2/token",
    "/contacts/v1/establish",
    "/api/sfmc/contacts/v1/%65stablish",
  ])("POST %s is 404 and forwards nothing", async (path) => {
    const { proxy, upstream, events } = proxyWithFake();
    const response = await proxy(post(undefined, { url: `${ORIGIN}${path}` }));
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      errorcode: 0,
      message: "Not Found: this proxy answers POST /api/sfmc/contacts/v1/establish only",
    });
    expect(upstream.calls).toHaveLength(0);
    expect(events.filter((event) => (event as { type: string }).type === "decision")).toHaveLength(0);
    expect(events.at(-1)).toMatchObject({ type: "response", status: 404, reason: "not-found" });
  });

  it("a raw target with a trick is 404 even when the parsed URL matches", async () => {
    const { proxy, upstream } = proxyWithFake();
    const request = post();
    Object.defineProperty(request, RAW_TARGET, { value: "/api/sfmc/x/../contacts/v1/establish" });
    expect((await proxy(request)).status).toBe(404);
    const clean = post();
    Object.defineProperty(clean, RAW_TARGET, { value: "/api/sfmc/contacts/v1/establish?q=1" });
    expect((await proxy(clean)).status).toBe(200);
    expect(upstream.calls).toHaveLength(1);
  });

  it("the query is ignored and not forwarded", async () => {
    const { proxy, upstream } = proxyWithFake();
    const response = await proxy(post(undefined, { url: `${ORIGIN}/api/sfmc/contacts/v1/establish?access_token=x` }));
    expect(response.status).toBe(200);
    expect(upstream.calls[0]?.body).toEqual({ ContactKeys: ["Key1"] });
  });

  it.each(["GET", "PUT", "DELETE", "PATCH", "HEAD"])("%s is 405 with Allow and forwards nothing", async (method) => {
    const { proxy, upstream } = proxyWithFake();
    const response = await proxy(
      new Request(`${ORIGIN}/api/sfmc/contacts/v1/establish`, {
        method,
        headers: { cookie: "session=ok", "content-type": "application/json" },
        ...(method === "GET" || method === "HEAD" ? {} : { body: '{"ContactKeys":["Key1"]}' }),
      }),
    );
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("OPTIONS, POST");
    if (method !== "HEAD") {
      expect(await response.json()).toMatchObject({
        errorcode: 0,
        message: `Method Not Allowed: ${method}; /api/sfmc/contacts/v1/establish takes POST`,
      });
    }
    expect(upstream.calls).toHaveLength(0);
  });

  it("a custom basePath and an empty one move the route", async () => {
    const custom = proxyWithFake({ basePath: "/proxy/mc" });
    expect((await custom.proxy(post(undefined, { url: `${ORIGIN}/proxy/mc/contacts/v1/establish` }))).status).toBe(200);
    expect((await custom.proxy(post())).status).toBe(404);
    const empty = proxyWithFake({ basePath: "" });
    expect((await empty.proxy(post(undefined, { url: `${ORIGIN}/contacts/v1/establish` }))).status).toBe(200);
    expect((await empty.proxy(post())).status).toBe(404);
    expect(custom.upstream.calls).toHaveLength(1);
    expect(empty.upstream.calls).toHaveLength(1);
  });
});

describe("urlParts", () => {
  // The handler reads a Request's url by slicing (no second parse): it must agree with URL.
  it.each([
    "http://app.example.com/api/sfmc/contacts/v1/establish",
    "https://app.example.com:8443/api/sfmc/contacts/v1/establish?x=1&y=/z",
    "http://127.0.0.1:3000/api/sfmc/contacts/v1/establish?",
    "http://[::1]:3000/a/b/../c/%2e%2e/d#frag",
    "https://APP.example.com:443/Path/With%20Space?q=%2F#x",
    "http://localhost",
    "http://localhost?query/with/slash",
    "http://localhost/?",
    "http://xn--bcher-kva.example/ä/ö?ü",
    "http://host//double//slash",
    "http://host/a\\b",
    "ftp://host/file",
    "file:///etc/passwd",
    "blob:https://host/uuid",
    "data:text/plain,hello",
    "about:blank",
    "x-custom:opaque?q",
  ])("agrees with URL for %s", (input) => {
    const href = new Request(input).url;
    const url = new URL(href);
    expect(urlParts(href)).toEqual({ origin: url.origin, pathname: url.pathname });
  });
});
