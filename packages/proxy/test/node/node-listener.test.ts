/**
 * Issue 16 point 1: toNodeListener adapts the Fetch handler to node:http and Express: the raw
 * target travels on the request (RAW_TARGET), the body is streamed, a body already read by a
 * parser gives a 500 that says what to do, a throwing handler gives a 500, Set-Cookie values are
 * kept apart, and a caller that hangs up aborts the request's signal.
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { type NodeRequestLike, type NodeResponseLike, toNodeListener } from "../../src/node-listener.js";
import { RAW_TARGET } from "../../src/route.js";
import { proxyWithFake } from "../support/fake-upstream.js";
import { plainResponse, raw, type Served, serve } from "../support/node-server.js";

let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

const JSON_HEADERS = { "content-type": "application/json", cookie: "session=ok" };

describe("toNodeListener on node:http", () => {
  it("establishes through the proxy, streaming the body", async () => {
    const { proxy, upstream } = proxyWithFake();
    served = await serve(toNodeListener(proxy));
    const answer = await raw(served.port, "/api/sfmc/contacts/v1/establish", {
      headers: { ...JSON_HEADERS, "transfer-encoding": "chunked" },
      body: [new TextEncoder().encode('{"ContactKeys":'), new TextEncoder().encode('["a","b"]}')],
    });
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(answer.headers["cache-control"]).toBe("no-store");
    expect(Number(answer.headers["content-length"])).toBe(Buffer.byteLength(answer.text));
    expect(upstream.calls[0]?.body).toEqual({ ContactKeys: ["a", "b"] });
  });

  it("the handler sees the raw target, the Host's origin and every header", async () => {
    let seen: Request | undefined;
    served = await serve(
      toNodeListener(async (request) => {
        seen = request;
        return new Response(null, { status: 204 });
      }),
    );
    const answer = await raw(served.port, "/a/../b?x=%2e", {
      method: "GET",
      headers: { host: "app.example.com:8080", "x-two": ["1", "2"] },
    });
    expect(answer.status).toBe(204);
    expect(seen?.url).toBe("http://app.example.com:8080/b?x=%2e");
    expect((seen as unknown as Record<symbol, unknown>)[RAW_TARGET]).toBe("/a/../b?x=%2e");
    expect(seen?.headers.get("x-two")).toBe("1, 2");
  });

  it("a Host that is not a plain host reads as localhost; '//x' stays a path", async () => {
    let seen: Request | undefined;
    served = await serve(
      toNodeListener(async (request) => {
        seen = request;
        return new Response("ok");
      }),
    );
    await raw(served.port, "//evil.example/x", { method: "GET", headers: { host: "a b@evil" } });
    expect(seen?.url).toBe("http://localhost//evil.example/x");
  });

  it.each(["x:99999", "1.2.3.4.5", "256.1.1.1"])(
    "a Host the pattern lets through but no URL can hold (%s) reads as localhost, not a 500",
    async (host) => {
      let seen: Request | undefined;
      served = await serve(
        toNodeListener(async (request) => {
          seen = request;
          return new Response("ok");
        }),
      );
      const answer = await raw(served.port, "/x", { method: "GET", headers: { host } });
      expect(answer.status).toBe(200);
      expect(seen?.url).toBe("http://localhost/x");
    },
  );

  it.each(["x:99999", "256.1.1.1"])(
    "a body sent to a foreign handler with such a Host (%s) arrives whole (one body stream for the careful retry)",
    async (host) => {
      served = await serve(toNodeListener(async (request) => new Response(await request.text())));
      const answer = await raw(served.port, "/x", {
        headers: { host, "content-type": "application/json" },
        body: [new TextEncoder().encode('{"amount":'), new TextEncoder().encode("100}")],
      });
      expect(answer.status).toBe(200);
      expect(answer.text).toBe('{"amount":100}');
    },
  );

  it("a header node:http refuses (Fetch allows it): a plain 500 that ends, never a crash or a hang", async () => {
    served = await serve(
      toNodeListener(async () => new Response("hi", { headers: { "x-a": "a\x01b", "x-b": "fine" } })),
    );
    const answer = await raw(served.port, "/x", { method: "GET" });
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.text)).toMatchObject({ errorcode: 0, message: "Internal Server Error" });
    expect(answer.headers["x-b"]).toBeUndefined();
  });

  it("a foreign handler's Set-Cookie values stay apart; a handler that throws gives 500 JSON", async () => {
    served = await serve(
      toNodeListener(async (request) => {
        if (request.url.endsWith("/throw")) throw new Error("secret internals");
        const headers = new Headers();
        headers.append("set-cookie", "a=1");
        headers.append("set-cookie", "b=2");
        return new Response("hi", { headers });
      }),
    );
    const cookies = await raw(served.port, "/cookies", { method: "GET" });
    expect(cookies.headers["set-cookie"]).toEqual(["a=1", "b=2"]);
    const thrown = await raw(served.port, "/throw", { method: "GET" });
    expect(thrown.status).toBe(500);
    expect(JSON.parse(thrown.text)).toMatchObject({ message: "Internal Server Error" });
    expect(thrown.text).not.toContain("secret internals");
  });

  it.each(["TRACE"])("%s, which a Request cannot carry: 501, the handler is not called", async (method) => {
    let called = 0;
    served = await serve(
      toNodeListener(async () => {
        called++;
        return new Response("x");
      }),
    );
    const answer = await raw(served.port, "/api/sfmc/contacts/v1/establish", { method });
    expect(answer.status).toBe(501);
    expect(JSON.parse(answer.text)).toMatchObject({ message: `Not Implemented: ${method} is not supported` });
    expect(called).toBe(0);
  });

  it("a body already read by a parser (express.json() first): 500 saying to mount the proxy before it", async () => {
    const { proxy, upstream } = proxyWithFake();
    const listener = toNodeListener(proxy);
    served = await serve(async (req: IncomingMessage, res: ServerResponse) => {
      for await (const _ of req) {
        // a body parser reads the whole body first
      }
      await listener(req, res);
    });
    const answer = await raw(served.port, "/api/sfmc/contacts/v1/establish", {
      headers: JSON_HEADERS,
      body: '{"ContactKeys":["a"]}',
    });
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.text).message).toMatch(/mount the proxy before body parsers/);
    expect(upstream.calls).toHaveLength(0);
  });

  it("Express-style mounting: originalUrl is the target, not the stripped url", async () => {
    const { proxy, upstream } = proxyWithFake();
    const listener = toNodeListener(proxy);
    served = await serve((req: IncomingMessage, res: ServerResponse) => {
      // What app.use("/api/sfmc", handler) does: url loses the mount path, originalUrl keeps it.
      const mounted = req as IncomingMessage & { originalUrl?: string | undefined };
      mounted.originalUrl = req.url;
      req.url = (req.url ?? "/").slice("/api/sfmc".length) || "/";
      return listener(mounted, res);
    });
    const ok = await raw(served.port, "/api/sfmc/contacts/v1/establish", {
      headers: JSON_HEADERS,
      body: '{"ContactKeys":["a"]}',
    });
    expect(ok.status).toBe(200);
    const trick = await raw(served.port, "/api/sfmc/x/../contacts/v1/establish", {
      headers: JSON_HEADERS,
      body: '{"ContactKeys":["a"]}',
    });
    expect(trick.status).toBe(404);
    expect(upstream.calls).toHaveLength(1);
  });

  it("a caller that hangs up aborts the request's signal (and so the upstream call)", async () => {
    let signalled: () => void = () => {};
    const aborted = new Promise<void>((resolve) => {
      signalled = resolve;
    });
    let started: () => void = () => {};
    const handling = new Promise<void>((resolve) => {
      started = resolve;
    });
    const { proxy, upstream } = proxyWithFake({}, (call) => {
      started();
      return new Promise((_, reject) => {
        call.signal?.addEventListener("abort", () => {
          signalled();
          reject(new Error("aborted"));
        });
      });
    });
    served = await serve(toNodeListener(proxy));
    const outgoing = httpRequest({
      host: "127.0.0.1",
      port: served.port,
      path: "/api/sfmc/contacts/v1/establish",
      method: "POST",
      headers: JSON_HEADERS,
      agent: false,
    });
    outgoing.on("error", () => {});
    outgoing.end('{"ContactKeys":["a"]}');
    await handling;
    outgoing.destroy();
    await aborted; // the test's hang guard fails it if the abort never comes
    expect(upstream.calls).toHaveLength(1);
  });
});

describe("toNodeListener with plain objects", () => {
  it("an encrypted socket gives https; no rawHeaders falls back to headers; a string chunk is UTF-8", async () => {
    let seen: Request | undefined;
    let text = "";
    const listener = toNodeListener(async (request) => {
      seen = request;
      text = await request.text();
      return new Response(null, { status: 204 });
    });
    const incoming: NodeRequestLike = {
      method: "POST",
      url: "/p",
      headers: { host: "[::1]:8443", "x-a": ["1", "2"], skipped: undefined },
      socket: { encrypted: true },
      async *[Symbol.asyncIterator]() {
        yield "é";
        yield new Uint8Array([0x21]);
      },
    };
    const { response, written } = plainResponse();
    await listener(incoming, response);
    expect(seen?.url).toBe("https://[::1]:8443/p");
    expect(seen?.headers.get("x-a")).toBe("1, 2");
    expect(text).toBe("é!");
    expect(written.status).toBe(204);
    expect(written.headers["content-length"]).toBeUndefined();
  });

  it("nothing is written when headers were already sent", async () => {
    const listener = toNodeListener(async () => new Response("x"));
    const { response, written } = plainResponse();
    response.headersSent = true;
    await listener({ method: "GET", url: "/", headers: {}, async *[Symbol.asyncIterator]() {} }, response);
    expect(written.status).toBeUndefined();
  });
});
