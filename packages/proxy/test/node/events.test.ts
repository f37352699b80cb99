/**
 * Issue 16 point 5 over the real chain (node:http → toNodeListener → proxy → client-node's
 * forwarder → a loopback service): the order of the events for a success, a refusal, Marketing
 * Cloud's own 429 and the 429 the proxy gives at the closed shared gate; the caller's identity on
 * every event from the decision on; a listener that throws or rejects changes nothing and leaves
 * no unhandled rejection; the access token is in no event. (forward.test.ts checks the same
 * shapes at the forwarder seam with a fake; here the upstream events are client-node's own.)
 */
import { afterEach, describe, expect, it } from "vitest";
import { createContactsProxy } from "../../src/create-proxy.js";
import type { ProxyEvent } from "../../src/events.js";
import { toNodeListener } from "../../src/node-listener.js";
import { raw, type Served, serve } from "../support/node-server.js";
import { answerJson, type ScriptedService, startScriptedService } from "../support/scripted-service.js";
import { type Stack, startStack } from "../support/stack.js";

const ROUTE = "/api/sfmc/contacts/v1/establish";
const JSON_HEADERS = { "content-type": "application/json", cookie: "session=ok" };
const BODY = '{"ContactKeys":["a","b"]}';
const RATE_LIMITED = { message: "Rate limit exceeded.", errorcode: 50100, documentation: "d", retryAfter: 30 };

let stack: Stack | undefined;
let service: ScriptedService | undefined;
let front: Served | undefined;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await front?.close();
  await stack?.close();
  for (const close of closers.splice(0)) await close();
  await service?.close();
  front = stack = service = undefined;
});

type Event = ProxyEvent<string>;
const types = (events: Event[]) =>
  events.map((event) => (event.type === "upstream" ? `upstream:${event.event.type}` : event.type));
/** JSON of the events with each Error as its name and message (JSON.stringify alone writes `{}`). */
const serialised = (events: Event[]) =>
  JSON.stringify(events, (_, value) =>
    value instanceof Error ? { name: value.name, message: value.message, cause: String(value.cause) } : value,
  );

/**
 * The events of one request, checked to share one requestId. Token events belong to no single
 * call (client-node gives them to the forwarder's own listener, design §5.2: no requestId), so
 * they are left out of a request's sequence.
 */
function ofOneRequest(all: Event[]): Event[] {
  const events = all.filter((event) => event.requestId !== undefined);
  const ids = new Set(events.map((event) => event.requestId));
  expect(ids.size).toBe(1);
  expect([...ids][0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  return events;
}

/** Identity from the decision on: none on `request`, the caller's on every later event. */
function expectIdentityFromDecisionOn(events: Event[], identity: string) {
  const [first, ...rest] = events;
  expect(first?.type).toBe("request");
  expect(first).not.toHaveProperty("identity");
  for (const event of rest)
    expect({ type: event.type, identity: (event as { identity?: string }).identity }).toEqual({
      type: event.type,
      identity,
    });
}

/** A scripted service behind the proxy behind node:http; records the tokens the service issued. */
async function scriptedChain(status: number, body: unknown, headers: Record<string, string> = {}) {
  service = await startScriptedService((_, response) => answerJson(response, status, body, headers));
  const tokens: string[] = [];
  const events: Event[] = [];
  const proxy = createContactsProxy<string>({
    authorize: () => ({ identity: "user-7" }),
    upstream: {
      clientId: service.clientId,
      clientSecret: service.clientSecret,
      baseUrl: service.url,
      authBaseUrl: service.url,
      fetch: async (request: Request) => {
        const response = await fetch(request);
        if (request.url.endsWith("/v2/token"))
          tokens.push(((await response.clone().json()) as { access_token: string }).access_token);
        return response;
      },
    },
    onEvent: (event) => events.push(event),
  });
  closers.push(() => proxy.close());
  front = await serve(toNodeListener(proxy));
  return { service, port: front.port, events, tokens };
}

describe("the events of one request", () => {
  it("success: request → decision (allowed, identity) → client-node's upstream events → response", async () => {
    stack = await startStack();
    const answer = await raw(stack.port, `${ROUTE}?access_token=query-secret`, {
      headers: { ...JSON_HEADERS, origin: `http://127.0.0.1:${stack.port}`, authorization: "Bearer caller-secret" },
      body: BODY,
    });
    expect(answer.status).toBe(200);
    const events = ofOneRequest(stack.events);
    // One attempt: sent once, answered once.
    expect(types(events)).toEqual(["request", "decision", "upstream:request", "upstream:response", "response"]);
    expect(events[0]).toEqual({
      type: "request",
      requestId: events[0]?.requestId,
      method: "POST",
      path: ROUTE,
      origin: `http://127.0.0.1:${stack.port}`,
    });
    expect(events[1]).toEqual({ type: "decision", requestId: events[0]?.requestId, allowed: true, identity: "user-1" });
    expect(events[2]).toMatchObject({
      type: "upstream",
      identity: "user-1",
      event: { type: "request", keys: 2, attempt: 1 },
    });
    expect(events[3]).toMatchObject({ type: "upstream", event: { type: "response", status: 200 } });
    const response = events[4] as Extract<Event, { type: "response" }>;
    expect(response).toMatchObject({ status: 200, reason: "upstream", identity: "user-1", keys: 2 });
    expect(response.durationMs).toBeGreaterThanOrEqual(0);
    expect(response).not.toHaveProperty("error");
    expectIdentityFromDecisionOn(events, "user-1");
    // The token the call needed: an upstream event of its own, with no requestId (a token belongs
    // to no single request) and nothing of the token in it.
    const tokenEvents = stack.events.filter((event) => event.type === "upstream" && event.event.type === "token");
    expect(tokenEvents).toHaveLength(1);
    expect(tokenEvents[0]).not.toHaveProperty("requestId");

    // A second request: the same sequence under a new requestId.
    await raw(stack.port, ROUTE, { headers: JSON_HEADERS, body: BODY });
    const second = ofOneRequest(stack.events.slice(stack.events.indexOf(response) + 1));
    expect(types(second)).toEqual(["request", "decision", "upstream:request", "upstream:response", "response"]);
    expect(second[0]?.requestId).not.toBe(events[0]?.requestId);

    // Token events belong to no single request (design §5.2): any there are carry neither a
    // requestId nor an identity.
    for (const event of stack.events.filter((one) => one.requestId === undefined)) {
      expect(event).toMatchObject({ type: "upstream", event: { type: "token" } });
      expect(event).not.toHaveProperty("identity");
    }

    const all = serialised(stack.events);
    expect(stack.tokens).toHaveLength(1);
    for (const secret of [...stack.tokens, "query-secret", "caller-secret", "session=ok"]) {
      expect(all).not.toContain(secret);
    }
  });

  it("a refusal by authorize: request → decision (refused) → response; no upstream event, no identity", async () => {
    stack = await startStack();
    const answer = await raw(stack.port, ROUTE, { headers: { "content-type": "application/json" }, body: BODY });
    expect(answer.status).toBe(401);
    const events = ofOneRequest(stack.events);
    expect(types(events)).toEqual(["request", "decision", "response"]);
    expect(events[1]).toEqual({
      type: "decision",
      requestId: events[0]?.requestId,
      allowed: false,
      status: 401,
      reason: "refused",
    });
    expect(events[2]).toMatchObject({ type: "response", status: 401, reason: "unauthorized" });
    for (const event of events) expect(event).not.toHaveProperty("identity");
    expect(events[2]).not.toHaveProperty("keys");
    expect(stack.upstreamCount()).toBe(0);
  });

  it("a refusal before authorize (not found): request → response only", async () => {
    stack = await startStack();
    await raw(stack.port, "/api/sfmc/../v2/token", { headers: JSON_HEADERS, body: BODY });
    const events = ofOneRequest(stack.events);
    expect(types(events)).toEqual(["request", "response"]);
    expect(events[1]).toMatchObject({ status: 404, reason: "not-found" });
    expect(stack.upstreamCount()).toBe(0);
  });

  it("Marketing Cloud's 429 is reason upstream; the next request meets the closed gate: 429 upstream-throttled, nothing sent", async () => {
    const { service, port, events, tokens } = await scriptedChain(429, RATE_LIMITED, { "retry-after": "30" });
    const first = await raw(port, ROUTE, { headers: JSON_HEADERS, body: BODY });
    expect(first.status).toBe(429);
    expect(first.headers["retry-after"]).toBe("30");
    const firstEvents = [...events];
    const upstream429 = ofOneRequest(firstEvents);
    // Sent once, answered 429; the answer closes the shared gate (throttle) and is the call's
    // error for client-node; the proxy passes it on as it came.
    expect(types(upstream429)).toEqual([
      "request",
      "decision",
      "upstream:request",
      "upstream:response",
      "upstream:throttle",
      "upstream:error",
      "response",
    ]);
    expect(upstream429[3]).toMatchObject({ event: { type: "response", status: 429 } });
    expect(upstream429.at(-1)).toMatchObject({ status: 429, reason: "upstream", identity: "user-7", keys: 2 });
    expectIdentityFromDecisionOn(upstream429, "user-7");

    const second = await raw(port, ROUTE, { headers: JSON_HEADERS, body: BODY });
    expect(second.status).toBe(429);
    expect(Number(second.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    const gated = ofOneRequest(events.slice(firstEvents.length));
    // Nothing went out: no upstream request event, and the service saw one establish call only.
    expect(types(gated).filter((type) => type === "upstream:request")).toEqual([]);
    expect(gated[0]?.type).toBe("request");
    expect(gated[1]).toMatchObject({ type: "decision", allowed: true, identity: "user-7" });
    const response = gated.at(-1) as Extract<Event, { type: "response" }>;
    expect(response).toMatchObject({ status: 429, reason: "upstream-throttled", identity: "user-7", keys: 2 });
    expect(response.error?.name).toBe("ContactsThrottledError");
    expectIdentityFromDecisionOn(gated, "user-7");
    expect(service.establish).toBe(1);

    expect(tokens).toHaveLength(1);
    const all = serialised(events);
    for (const token of tokens) expect(all).not.toContain(token);
  });
});

describe("listeners that fail", () => {
  it.each([
    [
      "throws",
      () => {
        throw new Error("listener broke");
      },
    ],
    ["returns a rejected promise", () => Promise.reject(new Error("listener broke"))],
  ])("a listener that %s changes nothing and leaves no unhandled rejection", async (_, fail) => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const seen: Event[] = [];
      // Returns what the failing listener returns (a rejected promise in the second case).
      const listener = (event: Event): unknown => {
        seen.push(event);
        return fail();
      };
      stack = await startStack({ onEvent: listener });
      const ok = await raw(stack.port, ROUTE, { headers: JSON_HEADERS, body: BODY });
      expect(ok.status).toBe(200);
      expect(JSON.parse(ok.text).items).toHaveLength(2);
      const refused = await raw(stack.port, ROUTE, { headers: { "content-type": "application/json" }, body: BODY });
      expect(refused.status).toBe(401);
      // Every event was still delivered, in the usual order, after each failure.
      expect(types(seen.filter((event) => event.requestId !== undefined))).toEqual([
        "request",
        "decision",
        "upstream:request",
        "upstream:response",
        "response",
        "request",
        "decision",
        "response",
      ]);
      expect(stack.sent).toHaveLength(1);
      // Rejections are handled on a later turn: give them a few, bounded.
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});
