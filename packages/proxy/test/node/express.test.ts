/**
 * Issue 16 point 1 in real Express 5: toNodeListener(proxy) mounted the three ways an app would
 * (`app.use` under the base path, where Express strips `url` and `originalUrl` is the target; a
 * `*splat` route; the exact route) establishes through the mocks' loopback service; a body parser
 * mounted first gives the 500 that says what to do; path tricks sent as raw targets are 404 with
 * nothing forwarded (Express routes on the raw target too, so the adapter must refuse what URL
 * parsing would resolve); a caller that hangs up aborts the upstream request.
 */
import { request as httpRequest } from "node:http";
import express, { type Express } from "express";
import { afterEach, describe, expect, it } from "vitest";
import { type ContactsProxy, createContactsProxy } from "../../src/create-proxy.js";
import type { ProxyEvent } from "../../src/events.js";
import { toNodeListener } from "../../src/node-listener.js";
import { raw, type Served, serve } from "../support/node-server.js";
import { type ScriptedService, startScriptedService } from "../support/scripted-service.js";
import { type Stack, startStack } from "../support/stack.js";

const ROUTE = "/api/sfmc/contacts/v1/establish";
const JSON_HEADERS = { "content-type": "application/json", cookie: "session=ok" };
const BODY = '{"ContactKeys":["a","b"]}';

let stack: Stack | undefined;
let service: ScriptedService | undefined;
let proxy: ContactsProxy | undefined;
let front: Served | undefined;
afterEach(async () => {
  await front?.close();
  await stack?.close();
  await proxy?.close();
  await service?.close();
  front = stack = proxy = service = undefined;
});

type Mount = (app: Express, listener: ReturnType<typeof toNodeListener>) => void;
const MOUNTS: Array<[string, Mount]> = [
  ['app.use("/api/sfmc", ...)', (app, listener) => app.use("/api/sfmc", listener)],
  ['app.post("/api/sfmc/*splat", ...)', (app, listener) => app.post("/api/sfmc/*splat", listener)],
  [`app.post("${ROUTE}", ...)`, (app, listener) => app.post(ROUTE, listener)],
];

/** The real chain with Express in front: Express → toNodeListener → proxy → forwarder → mocks. */
async function expressStack(mount: Mount, before?: (app: Express) => void): Promise<Stack & { front: number }> {
  stack = await startStack();
  const app = express();
  before?.(app);
  mount(app, toNodeListener(stack.proxy));
  front = await serve(app);
  return Object.assign(stack, { front: front.port });
}

describe("toNodeListener in Express 5", () => {
  it.each(MOUNTS)("%s: establishes end to end with the proxy's token only", async (_, mount) => {
    const chain = await expressStack(mount);
    const answer = await raw(chain.front, ROUTE, {
      headers: { ...JSON_HEADERS, authorization: "Bearer caller-secret" },
      body: BODY,
    });
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.text) as { items: Array<{ value: { requestedContactKey: string } }> };
    expect(body.items.map((item) => item.value.requestedContactKey)).toEqual(["a", "b"]);
    expect(answer.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(Number(answer.headers["content-length"])).toBe(Buffer.byteLength(answer.text));
    expect(chain.sent).toHaveLength(1);
    expect(chain.sent[0]?.authorization).toBe(`Bearer ${chain.tokens[0]}`);
    expect(chain.events.at(-1)).toMatchObject({
      type: "response",
      status: 200,
      reason: "upstream",
      identity: "user-1",
      keys: 2,
    });
    // The proxy saw the whole target, not Express's mount-stripped url.
    expect(chain.events[0]).toMatchObject({ type: "request", path: ROUTE });
  });

  it.each(MOUNTS)(
    "%s after express.json(): 500 saying to mount the proxy first, nothing forwarded",
    async (_, mount) => {
      const chain = await expressStack(mount, (app) => app.use(express.json()));
      const answer = await raw(chain.front, ROUTE, { headers: JSON_HEADERS, body: BODY });
      expect(answer.status).toBe(500);
      expect(JSON.parse(answer.text)).toMatchObject({
        errorcode: 0,
        message: expect.stringMatching(/mount the proxy before body parsers/),
      });
      expect(chain.upstreamCount()).toBe(0);
      expect(chain.events).toHaveLength(0); // answered by the adapter: the proxy was never asked
    },
  );

  const TRICKS = [
    "/api/sfmc/../v2/token",
    "/api/sfmc/%2e%2e/v2/token",
    "/api/sfmc/%2E%2e/v2/token",
    "/api/sfmc/x/../contacts/v1/establish",
    "/api/sfmc/x/%2e%2e/contacts/v1/establish",
    "/api/sfmc/./contacts/v1/establish",
    "/api/sfmc//contacts/v1/establish",
    "/api/sfmc/contacts%2fv1%2festablish",
    "/api/sfmc/contacts%2Fv1/establish",
    "/api/sfmc/contacts%5cv1/establish",
    "/api/sfmc\\contacts\\v1\\establish",
  ];

  it.each(MOUNTS)("%s: path tricks sent as raw targets are 404 and nothing is forwarded", async (_, mount) => {
    const chain = await expressStack(mount);
    for (const trick of TRICKS) {
      const answer = await raw(chain.front, trick, { headers: JSON_HEADERS, body: BODY });
      expect({ trick, status: answer.status }).toEqual({ trick, status: 404 });
    }
    expect(chain.upstreamCount()).toBe(0);
    expect(chain.tokens).toHaveLength(0);
    // Whatever Express handed on to the proxy, the proxy refused as not-found (and it never
    // answered a trick any other way).
    const reasons = chain.events.filter((event) => event.type === "response").map((event) => event.reason);
    expect(reasons.every((reason) => reason === "not-found")).toBe(true);
  });

  it("the wide mounts hand the tricks to the proxy, which refuses them itself", async () => {
    // Express's app.use and *splat routes do match these targets: the 404 is the proxy's own, so
    // it is the adapter's raw target that stops them, not Express.
    const chain = await expressStack(MOUNTS[0]?.[1] as Mount);
    for (const trick of ["/api/sfmc/x/../contacts/v1/establish", "/api/sfmc/%2e%2e/v2/token"]) {
      const answer = await raw(chain.front, trick, { headers: JSON_HEADERS, body: BODY });
      expect(answer.status).toBe(404);
      expect(JSON.parse(answer.text)).toMatchObject({
        message: "Not Found: this proxy answers POST /api/sfmc/contacts/v1/establish only",
      });
    }
    expect(chain.events.filter((event) => event.type === "response")).toHaveLength(2);
    expect(chain.upstreamCount()).toBe(0);
  });

  it("a caller gone before the proxy runs (an async middleware first): 499 client-closed, nothing forwarded", async () => {
    let entered: () => void = () => {};
    const inMiddleware = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const chain = await expressStack(
      (app, listener) => app.post("/api/sfmc/*splat", listener),
      (app) =>
        app.use(async (_req, res, next) => {
          // A session lookup, say, during which the caller hangs up: the response's close is
          // emitted before toNodeListener is even called.
          entered();
          await new Promise<void>((resolve) => res.on("close", () => resolve()));
          next();
        }),
    );
    let answered: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      answered = resolve;
    });
    const outgoing = httpRequest({
      host: "127.0.0.1",
      port: chain.front,
      path: ROUTE,
      method: "POST",
      headers: JSON_HEADERS,
      agent: false,
    });
    outgoing.on("error", () => {});
    outgoing.end(BODY);
    await inMiddleware;
    outgoing.destroy();
    // Bounded wait for the proxy's answer (its response event).
    const poll = setInterval(() => {
      if (chain.events.some((event) => event.type === "response")) answered();
    }, 10);
    try {
      await done; // the hang guard is the test timeout
    } finally {
      clearInterval(poll);
    }
    expect(chain.events.at(-1)).toMatchObject({ type: "response", status: 499, reason: "client-closed" });
    expect(chain.upstreamCount()).toBe(0);
  });

  it("a caller that hangs up mid-request aborts the upstream request", async () => {
    let arrived: () => void = () => {};
    const waiting = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    // The service takes the request and never answers, until the proxy's connection goes away.
    service = await startScriptedService(() => arrived());
    const events: ProxyEvent<string>[] = [];
    let closed: () => void = () => {};
    const answered = new Promise<void>((resolve) => {
      closed = resolve;
    });
    proxy = createContactsProxy<string>({
      authorize: () => ({ identity: "user-1" }),
      upstream: {
        clientId: service.clientId,
        clientSecret: service.clientSecret,
        baseUrl: service.url,
        authBaseUrl: service.url,
        timeoutMs: 60_000,
      },
      onEvent: (event) => {
        events.push(event);
        if (event.type === "response") closed();
      },
    });
    const app = express();
    app.post("/api/sfmc/*splat", toNodeListener(proxy));
    front = await serve(app);
    const outgoing = httpRequest({
      host: "127.0.0.1",
      port: front.port,
      path: ROUTE,
      method: "POST",
      headers: JSON_HEADERS,
      agent: false,
    });
    outgoing.on("error", () => {});
    outgoing.end(BODY);
    await waiting;
    outgoing.destroy();
    await answered; // the hang guard is the test timeout
    // Bounded wait for the service to see its connection dropped.
    for (let i = 0; i < 500 && service.abandoned === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(service.abandoned).toBe(1);
    expect(service.establish).toBe(1);
    expect(events.at(-1)).toMatchObject({ type: "response", status: 499, reason: "client-closed", identity: "user-1" });
  });
});
