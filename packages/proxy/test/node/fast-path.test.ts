/**
 * Issue 16 point 9: under toNodeListener a proxy of this package takes its Node entry (the body
 * read straight from the node request, the answer written without a Response). These tests prove
 * that it is taken, and that it answers exactly as the Fetch handler does under the same
 * listener: same status, headers, body and events, for every kind of request.
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { fastPathStats, NODE_ENTRY } from "../../src/fast-path.js";
import { type NodeRequestLike, type NodeResponseLike, toNodeListener } from "../../src/node-listener.js";
import { ESTABLISHED, proxyWithFake, reply } from "../support/fake-upstream.js";
import { openPost, plainResponse, raw, type Served, serve } from "../support/node-server.js";

const ROUTE = "/api/sfmc/contacts/v1/establish";
const JSON_HEADERS = { "content-type": "application/json", cookie: "session=ok" };
const MAX_BODY = 256;

interface Row {
  name: string;
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array | Uint8Array[];
}

const encode = (text: string) => new TextEncoder().encode(text);

const ROWS: Row[] = [
  { name: "success", headers: JSON_HEADERS, body: '{"ContactKeys":["Key1","Key2"]}' },
  {
    name: "success, chunked, unknown fields dropped",
    headers: { ...JSON_HEADERS, "transfer-encoding": "chunked" },
    body: [encode('{"ContactKeys":'), encode('["a"],"Extra":1}')],
  },
  { name: "401 without a session", headers: { "content-type": "application/json" }, body: '{"ContactKeys":["a"]}' },
  { name: "404 trick", path: "/api/sfmc/x/../contacts/v1/establish", headers: JSON_HEADERS, body: "{}" },
  { name: "404 encoded dot", path: "/api/sfmc/%2e/contacts/v1/establish", headers: JSON_HEADERS, body: "{}" },
  { name: "405 GET", method: "GET", headers: { cookie: "session=ok" } },
  {
    name: "204 preflight",
    method: "OPTIONS",
    headers: { origin: "https://app.example.com", "access-control-request-method": "POST" },
  },
  {
    name: "403 foreign origin",
    headers: { ...JSON_HEADERS, origin: "https://evil.example", "sec-fetch-site": "cross-site" },
    body: '{"ContactKeys":["a"]}',
  },
  { name: "413 declared", headers: JSON_HEADERS, body: `{"ContactKeys":["${"x".repeat(MAX_BODY)}"]}` },
  {
    name: "413 chunked past the cap",
    headers: { ...JSON_HEADERS, "transfer-encoding": "chunked" },
    body: [encode('{"ContactKeys":["'), encode("x".repeat(MAX_BODY)), encode('"]}')],
  },
  { name: "415 text/plain", headers: { ...JSON_HEADERS, "content-type": "text/plain" }, body: "{}" },
  { name: "415 gzip", headers: { ...JSON_HEADERS, "content-encoding": "gzip" }, body: "{}" },
  { name: "400 not JSON", headers: JSON_HEADERS, body: "{nope" },
  { name: "400 not UTF-8", headers: JSON_HEADERS, body: new Uint8Array([0x7b, 0xff, 0x7d]) },
  { name: "400 empty body", headers: JSON_HEADERS, body: "" },
  { name: "400 too many keys", headers: JSON_HEADERS, body: '{"ContactKeys":["a","b","c","d"]}' },
  { name: "upstream 429", headers: JSON_HEADERS, body: '{"ContactKeys":["throttle"]}' },
  { name: "upstream 401: 502", headers: JSON_HEADERS, body: '{"ContactKeys":["credentials"]}' },
];

/** A proxy over the fake upstream; its answer depends on the first key. */
function makeProxy(listening = true) {
  return proxyWithFake(
    {
      maxBodyBytes: MAX_BODY,
      maxKeysPerRequest: 3,
      allowedOrigins: ["https://app.example.com"],
      ...(listening ? {} : { onEvent: undefined }),
    },
    (call) => {
      const first = call.body.ContactKeys[0];
      if (first === "throttle") {
        return reply(
          429,
          { message: "Too Many Requests", errorcode: 50100 },
          { "Retry-After": "7", "X-Request-Id": "r1" },
        );
      }
      if (first === "credentials") return reply(401, { message: "Not Authorized", errorcode: 0 });
      return reply(200, ESTABLISHED, { "x-request-id": "r2" });
    },
  );
}

/** What can be compared of an answer: not the date nor the connection's own headers. */
function comparable(answer: { status: number; headers: IncomingMessage["headers"]; text: string }) {
  const { date: _date, connection: _connection, "keep-alive": _keepAlive, ...headers } = answer.headers;
  return { status: answer.status, headers, text: answer.text };
}

/** Events without what differs between two runs by nature: ids and durations. */
function comparableEvents(events: unknown[]) {
  return JSON.parse(
    JSON.stringify(events, (key, value) => (key === "requestId" || key === "durationMs" ? "(varies)" : value)),
  );
}

let served: Served[] = [];
afterEach(async () => {
  await Promise.all(served.map((one) => one.close()));
  served = [];
});

async function host(listener: (request: IncomingMessage, response: ServerResponse) => unknown) {
  const one = await serve(listener);
  served.push(one);
  return one.port;
}

describe("the Node fast path of toNodeListener", () => {
  it("is taken for a proxy of this package, and not for any other Fetch handler", async () => {
    const { proxy } = makeProxy();
    expect(Object.getOwnPropertyDescriptor(proxy, NODE_ENTRY)?.enumerable).toBe(false);
    expect(Object.getOwnPropertySymbols(proxy)).toContain(NODE_ENTRY);
    let seen: Request | undefined;
    const wrapped = toNodeListener((request) => {
      seen = request;
      return proxy(request);
    });
    const fast = await host(toNodeListener(proxy));
    const generic = await host(wrapped);

    const before = fastPathStats.requests;
    const answer = await raw(fast, ROUTE, { headers: JSON_HEADERS, body: '{"ContactKeys":["a"]}' });
    expect(answer.status).toBe(200);
    expect(fastPathStats.requests).toBe(before + 1);

    const other = await raw(generic, ROUTE, { headers: JSON_HEADERS, body: '{"ContactKeys":["a"]}' });
    expect(other.status).toBe(200);
    expect(fastPathStats.requests).toBe(before + 1);
    expect(seen?.body).not.toBeNull();
  });

  it("authorize gets a Request with the headers, URL, raw target and signal, and no body", async () => {
    let seen: Request | undefined;
    const { proxy, upstream } = proxyWithFake({
      authorize: (request) => {
        seen = request;
        return { identity: "u" };
      },
    });
    const port = await host(toNodeListener(proxy));
    const answer = await raw(port, ROUTE, { headers: JSON_HEADERS, body: '{"ContactKeys":["a"]}' });
    expect(answer.status).toBe(200);
    expect(seen?.method).toBe("POST");
    expect(seen?.url).toBe(`http://127.0.0.1:${port}${ROUTE}`);
    expect(seen?.headers.get("cookie")).toBe("session=ok");
    expect(seen?.body).toBeNull();
    expect(seen?.bodyUsed).toBe(false);
    expect(seen?.signal.aborted).toBe(false);
    // The body the proxy read itself went upstream.
    expect(upstream.calls[0]?.body).toEqual({ ContactKeys: ["a"] });
  });

  it.each(ROWS)("$name: the same answer and events as the Fetch handler", async (row) => {
    const fast = makeProxy();
    const fetchPath = makeProxy();
    const fastPort = await host(toNodeListener(fast.proxy));
    // A wrapper hides the entry: the same proxy's Fetch handler under the same listener.
    const fetchPort = await host(toNodeListener((request) => fetchPath.proxy(request)));
    const before = fastPathStats.requests;
    const options = {
      method: row.method ?? "POST",
      headers: row.headers ?? {},
      ...(row.body === undefined ? {} : { body: row.body }),
    };
    const viaFast = await raw(fastPort, row.path ?? ROUTE, options);
    const viaFetch = await raw(fetchPort, row.path ?? ROUTE, options);
    expect(fastPathStats.requests).toBe(before + 1);

    expect(comparable(viaFast)).toEqual(comparable(viaFetch));
    expect(comparableEvents(fast.events)).toEqual(comparableEvents(fetchPath.events));
    expect(fast.upstream.calls.map((call) => call.body)).toEqual(fetchPath.upstream.calls.map((call) => call.body));
    expect(fast.events.length).toBeGreaterThan(0);
  });

  it("the rows cover every status they are named for, with and without an event listener", async () => {
    const { proxy } = makeProxy(false);
    const port = await host(toNodeListener(proxy));
    const statuses: number[] = [];
    for (const row of ROWS) {
      const options = {
        method: row.method ?? "POST",
        headers: row.headers ?? {},
        ...(row.body === undefined ? {} : { body: row.body }),
      };
      statuses.push((await raw(port, row.path ?? ROUTE, options)).status);
    }
    expect(statuses).toEqual([
      200, 200, 401, 404, 404, 405, 204, 403, 413, 413, 415, 415, 400, 400, 400, 400, 429, 502,
    ]);
  });
});

describe("a caller that hangs up while the body is read", () => {
  it("gives the same client-closed event on both paths, and nothing is forwarded", async () => {
    const runs = [];
    for (const fast of [true, false]) {
      let decided: () => void = () => {};
      const authorized = new Promise<void>((resolve) => {
        decided = resolve;
      });
      const made = proxyWithFake({
        authorize: () => {
          decided();
          return { identity: "u" };
        },
      });
      const closed = new Promise<void>((resolve) => {
        const onEvent = made.events.push.bind(made.events);
        made.events.push = (...events: unknown[]) => {
          const count = onEvent(...events);
          if (events.some((event) => (event as { type?: string }).type === "response")) resolve();
          return count;
        };
      });
      const port = await host(toNodeListener(fast ? made.proxy : (request) => made.proxy(request)));
      const outgoing = openPost(port, ROUTE, { ...JSON_HEADERS, "transfer-encoding": "chunked" });
      outgoing.write('{"ContactKeys":["a"');
      await authorized;
      outgoing.destroy();
      await closed; // the test's hang guard fails it if no answer event comes
      expect(made.upstream.calls).toHaveLength(0);
      runs.push(comparableEvents(made.events));
    }
    expect(runs[0]).toEqual(runs[1]);
    expect(runs[0].at(-1)).toMatchObject({ type: "response", status: 499, reason: "client-closed" });
  });
});

describe("authorize's request on the fast path", () => {
  it("its signal, and a copy's (new Request(request)), abort when the caller hangs up", async () => {
    let decided: (signals: AbortSignal[]) => void = () => {};
    const seen = new Promise<AbortSignal[]>((resolve) => {
      decided = resolve;
    });
    const made = proxyWithFake({
      authorize: (request) =>
        new Promise(() => {
          // An authorize that waits on something of its own, with a copy of the request.
          decided([request.signal, new Request(request).signal]);
        }),
    });
    const fastBefore = fastPathStats.requests;
    const port = await host(toNodeListener(made.proxy));
    const outgoing = openPost(port, ROUTE, JSON_HEADERS);
    outgoing.write('{"ContactKeys":["a"]}');
    const [own, copy] = await seen;
    expect(fastPathStats.requests).toBe(fastBefore + 1);
    expect([own?.aborted, copy?.aborted]).toEqual([false, false]);
    outgoing.destroy();
    // Both abort on the hang-up; the test's hang guard fails it if either never does.
    await Promise.all(
      [own, copy].map((signal) => new Promise((resolve) => signal?.addEventListener("abort", resolve))),
    );
    expect(made.upstream.calls).toHaveLength(0);
  });
});

describe("the fast path with plain objects (no events, no writeHead)", () => {
  function plain(chunks: Array<string | Uint8Array>, headers: Record<string, string> = JSON_HEADERS) {
    const incoming: NodeRequestLike = {
      method: "POST",
      url: ROUTE,
      headers: { host: "app.example.com", ...headers },
      async *[Symbol.asyncIterator]() {
        yield* chunks;
      },
    };
    return { incoming, ...plainResponse() };
  }

  it("reads an async-iterable body and writes through statusCode and setHeader", async () => {
    const { proxy, upstream } = makeProxy();
    const before = fastPathStats.requests;
    const { incoming, response, written } = plain(['{"ContactKeys":', new TextEncoder().encode('["é"]}')]);
    await toNodeListener(proxy)(incoming, response);
    expect(fastPathStats.requests).toBe(before + 1);
    expect(written.status).toBe(200);
    expect(written.headers["cache-control"]).toBe("no-store");
    expect(written.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(Number(written.headers["content-length"])).toBe(written.body?.byteLength);
    expect(JSON.parse(new TextDecoder().decode(written.body))).toEqual(ESTABLISHED);
    expect(upstream.calls[0]?.body).toEqual({ ContactKeys: ["é"] });
  });

  it("stops at the first chunk past the cap: 413, nothing forwarded", async () => {
    const { proxy, upstream } = makeProxy();
    let pulled = 0;
    const { incoming, response, written } = plain([], { ...JSON_HEADERS });
    incoming[Symbol.asyncIterator] = async function* () {
      for (let i = 0; i < 10; i++) {
        pulled++;
        yield "x".repeat(MAX_BODY / 2);
      }
    };
    await toNodeListener(proxy)(incoming, response);
    expect(written.status).toBe(413);
    expect(pulled).toBe(3);
    expect(upstream.calls).toHaveLength(0);
  });

  it("a body that never ends: 408 after bodyTimeoutMs, nothing forwarded", async () => {
    const { proxy, upstream } = proxyWithFake({ bodyTimeoutMs: 100 });
    const { incoming, response, written } = plain([], { ...JSON_HEADERS, cookie: "session=ok" });
    incoming[Symbol.asyncIterator] = async function* () {
      yield '{"ContactKeys":';
      await new Promise(() => {});
    };
    await toNodeListener(proxy)(incoming, response);
    expect(written.status).toBe(408);
    expect(upstream.calls).toHaveLength(0);
  });
});

describe("the fast path's body deadline on node:http", () => {
  it("a body still arriving after bodyTimeoutMs: 408 body-timeout, nothing forwarded", async () => {
    const { proxy, upstream, events } = proxyWithFake({ bodyTimeoutMs: 100 });
    const before = fastPathStats.requests;
    const port = await host(toNodeListener(proxy));
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const outgoing = httpRequest(
        {
          host: "127.0.0.1",
          port,
          path: "/api/sfmc/contacts/v1/establish",
          method: "POST",
          headers: { ...JSON_HEADERS, cookie: "session=ok", "transfer-encoding": "chunked" },
          agent: false,
        },
        (incoming) => {
          let text = "";
          incoming.on("data", (chunk: Buffer) => {
            text += chunk.toString("utf8");
          });
          incoming.on("end", () => resolve({ status: incoming.statusCode ?? 0, text }));
        },
      );
      outgoing.on("error", reject);
      // Part of a body, and then nothing: never ended.
      outgoing.write('{"ContactKeys":');
    });
    expect(fastPathStats.requests).toBe(before + 1);
    expect(answer.status).toBe(408);
    expect(JSON.parse(answer.text)).toMatchObject({
      errorcode: 0,
      message: "Request Timeout: the body did not arrive within 100 ms",
    });
    expect(upstream.calls).toHaveLength(0);
    expect(events.at(-1)).toMatchObject({ type: "response", status: 408, reason: "body-timeout" });
  });
});
