/**
 * Issue 16 point 7: the security cases, through node:http and toNodeListener as a deployment
 * would run them, each showing that nothing reached the upstream (the fake forwarder recorded no
 * call; the forwarder is the proxy's only way out, and it alone holds credentials and a token).
 */
import { afterEach, describe, expect, it } from "vitest";
import { toNodeListener } from "../../src/node-listener.js";
import { proxyWithFake } from "../support/fake-upstream.js";
import { raw, type Served, serve } from "../support/node-server.js";

const ROUTE = "/api/sfmc/contacts/v1/establish";
const JSON_HEADERS = { "content-type": "application/json", cookie: "session=ok" };
const keys = (n: number) => Array.from({ length: n }, (_, i) => `key-${i}`);

let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

async function stack(options: Parameters<typeof proxyWithFake>[0] = {}) {
  const made = proxyWithFake(options);
  served = await serve(toNodeListener(made.proxy));
  return { ...made, port: served.port };
}

describe("issue 16 point 7: nothing reaches the upstream", () => {
  it("no authorization: 401", async () => {
    const { port, upstream } = await stack();
    const answer = await raw(port, ROUTE, {
      headers: { "content-type": "application/json" },
      body: '{"ContactKeys":["a"]}',
    });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.text)).toMatchObject({ message: "Not Authorized", errorcode: 0 });
    expect(upstream.calls).toHaveLength(0);
  });

  it("too many keys: 400 10005", async () => {
    const { port, upstream } = await stack();
    const answer = await raw(port, ROUTE, { headers: JSON_HEADERS, body: JSON.stringify({ ContactKeys: keys(51) }) });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toMatchObject({ errorcode: 10005 });
    expect(upstream.calls).toHaveLength(0);
  });

  it.each([
    "/api/sfmc/../v2/token",
    "/api/sfmc/%2e%2e/v2/token",
    "/api/sfmc/%2E%2e/v2/token",
    "/api/sfmc/x/../contacts/v1/establish",
    "/api/sfmc/./contacts/v1/establish",
    "/api/sfmc/%2e/contacts/v1/establish",
    "/api/sfmc\\contacts\\v1\\establish",
    "/api/sfmc//contacts/v1/establish",
    "//api/sfmc/contacts/v1/establish",
    "/api/sfmc/contacts%2fv1%2festablish",
    "/api/sfmc/contacts%5Cv1%5Cestablish",
    "http://127.0.0.1/api/sfmc/contacts/v1/establish",
  ])("path trick %s: 404", async (path) => {
    let authorized = 0;
    const { port, upstream } = await stack({
      authorize: () => {
        authorized++;
        return { identity: "u" };
      },
    });
    const answer = await raw(port, path, { headers: JSON_HEADERS, body: '{"ContactKeys":["a"]}' });
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.text)).toMatchObject({
      errorcode: 0,
      message: "Not Found: this proxy answers POST /api/sfmc/contacts/v1/establish only",
    });
    expect(authorized).toBe(0);
    expect(upstream.calls).toHaveLength(0);
  });

  it("the caller's Authorization and Cookie are not forwarded", async () => {
    const { port, upstream, events } = await stack();
    const answer = await raw(port, `${ROUTE}?access_token=query-secret`, {
      headers: {
        "content-type": "application/json",
        authorization: "Bearer caller-secret",
        cookie: "session=ok; sid=caller-cookie",
      },
      body: JSON.stringify({ ContactKeys: ["a"], access_token: "body-secret" }),
    });
    expect(answer.status).toBe(200);
    expect(upstream.calls).toHaveLength(1);
    // The forwarder gets the canonical body and options, nothing else: the only way to Marketing Cloud.
    const given = upstream.calls[0];
    expect(given?.body).toEqual({ ContactKeys: ["a"] });
    expect(Object.keys(given ?? {}).sort()).toEqual(["body", "emit", "signal"]);
    const seen = JSON.stringify([given?.body, events]);
    for (const secret of ["caller-secret", "caller-cookie", "query-secret", "body-secret"])
      expect(seen).not.toContain(secret);
  });

  it("an oversized body: 413, declared or streamed", async () => {
    const { port, upstream } = await stack({ maxBodyBytes: 1024 });
    const big = JSON.stringify({ ContactKeys: keys(200) });
    const declared = await raw(port, ROUTE, { headers: JSON_HEADERS, body: big });
    expect(declared.status).toBe(413);
    const chunk = new TextEncoder().encode(" ".repeat(512));
    const streamed = await raw(port, ROUTE, {
      headers: { ...JSON_HEADERS, "transfer-encoding": "chunked" },
      body: Array.from({ length: 8 }, () => chunk),
    });
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.text)).toMatchObject({ message: "Payload Too Large: the body is over 1024 bytes" });
    expect(upstream.calls).toHaveLength(0);
  });

  it.each(["text/plain", "application/x-www-form-urlencoded"])("a wrong content type (%s): 415", async (type) => {
    let authorized = 0;
    const { port, upstream } = await stack({
      authorize: () => {
        authorized++;
        return { identity: "u" };
      },
    });
    const answer = await raw(port, ROUTE, {
      headers: { "content-type": type, cookie: "session=ok" },
      body: '{"ContactKeys":["a"]}',
    });
    expect(answer.status).toBe(415);
    // Refused from the headers: no session lookup, and the body is never read.
    expect(authorized).toBe(0);
    expect(upstream.calls).toHaveLength(0);
  });
});
