/**
 * End to end in real Chromium: the browser client → the proxy (createContactsProxy +
 * toNodeListener, on Vitest's browser dev server, which is node:http) → the mocks' loopback HTTP
 * server as Marketing Cloud. The page and `/api/sfmc` share one origin (the proxy's default mode);
 * the cross-origin cases use a second proxy on its own node:http server. Node-side state comes
 * through browser commands (test/support/browser-stack.ts). Every judgement is on what the code
 * decided (events, counts, errors), never on how fast it ran, except one lower bound.
 */
import {
  ContactsApiError,
  type ContactsEvent,
  ContactsNetworkError,
  createContactsClient,
} from "@sfmc-contacts/client-browser";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { commands } from "vitest/browser";

type Event = { type: string; [key: string]: unknown };
const proxyEvents = async () => (await commands.proxyEvents()) as Event[];
const ESTABLISH = "/api/sfmc/contacts/v1/establish";

// The app's session cookie (the page is a secure context on 127.0.0.1, so cookieStore is there).
const signIn = () => cookieStore.set({ name: "session", value: "ok", path: "/" });
const signOut = () => cookieStore.delete({ name: "session", path: "/" });
const keys = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${i + 1}`);

beforeEach(async () => {
  await commands.resetUpstream();
  await signIn();
});
afterEach(() => signOut());

describe("same origin: the page's /api/sfmc is the proxy", () => {
  it("success: the browser client establishes through the proxy, which forwards once", async () => {
    const client = createContactsClient({ baseUrl: "/api/sfmc" });
    const result = await client.establish(["e2e-1", "e2e-2"]);
    expect(result.contacts.map((c) => [c.key, c.isNew])).toEqual([
      ["e2e-1", true],
      ["e2e-2", true],
    ]);
    expect((await commands.upstream()).establish).toBe(1);
    const events = await proxyEvents();
    expect(events).toContainEqual(expect.objectContaining({ type: "decision", allowed: true, identity: "user-1" }));
    expect(events).toContainEqual(
      expect.objectContaining({ type: "response", status: 200, reason: "upstream", identity: "user-1", keys: 2 }),
    );
  });

  it("400 from validation: 51 keys pass the browser client's checks, the proxy refuses them, nothing is forwarded", async () => {
    const seen: ContactsEvent[] = [];
    const client = createContactsClient({ baseUrl: "/api/sfmc", onEvent: (event) => seen.push(event) });
    const error = await client.establish(keys("e2e-many", 51)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ContactsApiError);
    expect(error).toMatchObject({ status: 400, body: { errorcode: 10005 } });
    // A 400 is not retried: one request, no retry event.
    expect(seen.filter((e) => e.type === "request")).toHaveLength(1);
    expect(seen.filter((e) => e.type === "retry")).toHaveLength(0);
    expect(await commands.upstream()).toEqual({ establish: 0, token: 0 });
    expect(await proxyEvents()).toContainEqual(
      expect.objectContaining({ type: "response", status: 400, reason: "too-many-keys" }),
    );
  });

  it("401 from authorize: without the session cookie nothing is forwarded, and the client does not retry", async () => {
    await signOut();
    const client = createContactsClient({ baseUrl: "/api/sfmc" });
    const error = await client.establish(["e2e-anon"]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ContactsApiError);
    expect(error).toMatchObject({ status: 401 });
    const events = await proxyEvents();
    // Exactly one request reached the proxy: the client did not retry the 401.
    expect(events.filter((e) => e.type === "request")).toHaveLength(1);
    expect(events).toContainEqual(expect.objectContaining({ type: "decision", allowed: false, status: 401 }));
    expect(await commands.upstream()).toEqual({ establish: 0, token: 0 });
  });
});

describe("cross origin: a second proxy with allowedOrigins", () => {
  it("a listed page origin passes the real preflight; the bearer session token reaches authorize only", async () => {
    const url = await commands.crossOriginProxy(location.origin, true);
    const client = createContactsClient({ baseUrl: `${url}/api/sfmc`, accessToken: "session-ok" });
    const result = await client.establish(["e2e-cross-1"]);
    expect(result.contacts.map((c) => [c.key, c.isNew])).toEqual([["e2e-cross-1", true]]);
    // Had the proxy forwarded the caller's Authorization, the upstream would have refused its
    // unknown token (401, which the proxy turns into 502).
    expect((await commands.upstream()).establish).toBe(1);
    const events = await proxyEvents();
    // Chromium sent its preflight (the JSON body and the Authorization header require one).
    expect(events).toContainEqual(expect.objectContaining({ type: "response", status: 204, reason: "preflight" }));
    expect(events).toContainEqual(expect.objectContaining({ type: "decision", allowed: true, identity: "user-2" }));
  });

  it("a 429 through it: the client honours it, and Retry-After is readable across origins (Expose-Headers)", async () => {
    const url = await commands.crossOriginProxy(location.origin, true);
    await commands.scenario("rateLimited", { retryAfter: 1, once: true });
    const seen: ContactsEvent[] = [];
    const client = createContactsClient({
      baseUrl: `${url}/api/sfmc`,
      accessToken: "session-ok",
      onEvent: (event) => seen.push(event),
    });
    await client.establish(["e2e-cross-429"]);
    expect(seen.filter((e) => e.type === "retry")).toEqual([
      expect.objectContaining({ status: 429, retryAfterMs: 1000 }),
    ]);
    expect((await commands.upstream()).establish).toBe(2);
    // The client would also read the body's retryAfter; only a plain fetch shows that the header
    // itself crossed origins (without Access-Control-Expose-Headers, get() answers null).
    await commands.scenario("rateLimited", { retryAfter: 1, once: true });
    const response = await fetch(`${url}${ESTABLISH}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer session-ok" },
      body: JSON.stringify({ ContactKeys: ["e2e-cross-plain"] }),
    });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("1");
    expect(await response.json()).toMatchObject({ errorcode: 50100 });
  });

  it("an unlisted page origin: the preflight is refused, nothing is forwarded", async () => {
    const url = await commands.crossOriginProxy(location.origin, false);
    const client = createContactsClient({ baseUrl: `${url}/api/sfmc`, accessToken: "session-ok", retry: false });
    const error = await client.establish(["e2e-refused"]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ContactsNetworkError);
    expect(await commands.upstream()).toEqual({ establish: 0, token: 0 });
    const events = await proxyEvents();
    // The proxy saw the preflight alone and refused it; Chromium then never sent the POST.
    expect(events.filter((e) => e.type === "request").map((e) => e.method)).toEqual(["OPTIONS"]);
    expect(events).toContainEqual(expect.objectContaining({ type: "response", status: 403, reason: "origin" }));
    expect(events.filter((e) => e.type === "decision")).toHaveLength(0);
  });
});

// Last in the file: a 429 closes the proxy's rate gate for its credentials for Retry-After
// seconds (the proxy then answers 429 itself, without forwarding), and the plain fetch below
// leaves it closed when the file ends. (The cross-origin proxies have an upstream and credentials
// of their own, so their 429s leave this gate open.)
describe("a 429 with Retry-After reaches the browser client, which honours it", () => {
  it("the client waits Retry-After and retries; the proxy itself did not retry", async () => {
    await commands.scenario("rateLimited", { retryAfter: 2, once: true });
    const seen: ContactsEvent[] = [];
    // The default retry policy (4 attempts, up to 30 s): only onEvent is added.
    const client = createContactsClient({ baseUrl: "/api/sfmc", onEvent: (event) => seen.push(event) });
    const started = performance.now();
    const result = await client.establish(["e2e-429"]);
    const elapsed = performance.now() - started;
    expect(result.contacts.map((c) => c.key)).toEqual(["e2e-429"]);
    const retries = seen.filter((e) => e.type === "retry");
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ status: 429, retryAfterMs: 2000 });
    expect((retries[0] as { delayMs: number }).delayMs).toBeGreaterThanOrEqual(2000);
    // One 429 and one 200 upstream: the proxy passed the 429 on instead of retrying it.
    expect((await commands.upstream()).establish).toBe(2);
    const statuses = (await proxyEvents()).filter((e) => e.type === "response").map((e) => e.status);
    expect(statuses).toEqual([429, 200]);
    // A lower bound only: it holds however loaded the machine is.
    expect(elapsed).toBeGreaterThanOrEqual(2000);
  });

  it("the Retry-After header itself, not just the body's retryAfter, reaches the page", async () => {
    await commands.scenario("rateLimited", { retryAfter: 2, once: true });
    const response = await fetch(ESTABLISH, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ContactKeys: ["e2e-plain"] }),
    });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("2");
    expect(await response.json()).toMatchObject({ errorcode: 50100 });
    expect((await commands.upstream()).establish).toBe(1);
  });
});
