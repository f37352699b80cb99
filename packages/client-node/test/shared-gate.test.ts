/**
 * Issue 15, points 1 and 3 in the Node client: the gate (and the maxRequestsPerSecond budget) is
 * shared by every client of the process with the same identity, keyed like the token cache;
 * clearTokenCache() reopens it. Timing assertions are lower bounds (a loaded machine only makes
 * things later); the rest judges what the client decided: the error it threw, the requests sent.
 */
import type { ServerResponse } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  ContactsApiError,
  ContactsThrottledError,
  ContactsValidationError,
  clearTokenCache,
  createContactsClient,
  type NodeClientOptions,
} from "../src/index.js";
import {
  establishAnswer,
  json,
  type Received,
  type RecordingServer,
  startRecordingServer,
  tokenBody,
} from "./support/recording-server.js";

let service: RecordingServer;
/** Arrival time (Date.now()) of each establish request, by its first key. */
const arrivals = new Map<string, number>();
/** Keys whose establish request is answered 429 with this Retry-After (seconds). */
const throttle = new Map<string, number>();

beforeAll(async () => {
  service = await startRecordingServer((request: Received, response: ServerResponse) => {
    if (request.path === "/v2/token") return json(response, 200, tokenBody(service.url));
    if (request.path !== "/contacts/v1/establish") return void response.writeHead(404).end();
    const key = (JSON.parse(request.body) as { ContactKeys: string[] }).ContactKeys[0] ?? "";
    arrivals.set(key, Date.now());
    const retryAfter = throttle.get(key);
    if (retryAfter === undefined) return establishAnswer(request, response);
    response
      .writeHead(429, { "content-type": "application/json", "retry-after": String(retryAfter) })
      .end(JSON.stringify({ message: "Too many requests", errorcode: 50100, documentation: "" }));
  });
});
afterEach(() => {
  clearTokenCache();
  arrivals.clear();
  throttle.clear();
  service.requests.length = 0;
});
afterAll(() => service.close());

let n = 0;
/** Options of a fresh identity (its own client id), so no test sees another's gate. */
const identity = (): NodeClientOptions => ({
  clientId: `gate-${++n}`,
  clientSecret: "the-secret",
  authBaseUrl: service.url,
  baseUrl: service.url,
});
const establishes = () => service.on("/contacts/v1/establish").length;

/** Closes `options`' gate for `seconds`: one call answered 429 with that Retry-After. */
async function closeGate(options: NodeClientOptions, seconds: number): Promise<number> {
  throttle.set("throttled", seconds);
  const a = createContactsClient({ ...options, retry: false });
  await expect(a.establish(["throttled"])).rejects.toBeInstanceOf(ContactsApiError);
  return arrivals.get("throttled") as number;
}

describe("point 1: one gate per identity in the process", () => {
  it("another client of the same identity waits for the Retry-After of A's 429 before it sends", async () => {
    const options = identity();
    const b = createContactsClient(options); // created before the 429: it shares the state all the same
    const throttledAt = await closeGate(options, 1);
    const { contacts } = await b.establish(["after"]);
    expect(contacts).toHaveLength(1);
    expect((arrivals.get("after") as number) - throttledAt).toBeGreaterThanOrEqual(900);
  });

  it("a client that may wait less than the gate stays closed throws ContactsThrottledError, nothing sent", async () => {
    const options = identity();
    await closeGate(options, 60);
    const before = establishes();
    const b = createContactsClient({ ...options, retry: { maxDelayMs: 100 } });
    const error = await b.establish(["never"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsThrottledError);
    expect((error as ContactsThrottledError).retryAfter).toBeGreaterThan(50);
    expect(establishes()).toBe(before);
    expect(arrivals.has("never")).toBe(false);
  });

  it("a call core would refuse is refused at once while the gate is closed: no wait, no ContactsThrottledError, always a rejection", async () => {
    const options = identity();
    await closeGate(options, 60);
    const b = createContactsClient(options);
    const started = Date.now();
    const empty = await b.establish([]).catch((e: unknown) => e);
    const timeout = await b.establish(["a"], { timeoutMs: -5 }).catch((e: unknown) => e);
    expect(empty).toBeInstanceOf(ContactsValidationError);
    expect(timeout).toBeInstanceOf(ContactsValidationError);
    // A hang guard: the gate is closed for 60 s; both were refused without waiting for it.
    expect(Date.now() - started).toBeLessThan(10_000);
    // A signal that is not one is refused as a rejection, not thrown at the call.
    const withSignal = createContactsClient({ ...options, signal: new AbortController().signal });
    const call = withSignal.establish(["a"], { signal: {} as AbortSignal });
    expect(call).toBeInstanceOf(Promise);
    await expect(call).rejects.toBeInstanceOf(TypeError);
  });

  it("another secret, or another scope, is another identity: its own gate", async () => {
    const options = identity();
    await closeGate(options, 60);
    const quick = { retry: { maxDelayMs: 100 } };
    const otherSecret = createContactsClient({ ...options, ...quick, clientSecret: "another-secret" });
    expect((await otherSecret.establish(["secret"])).contacts).toHaveLength(1);
    const otherScope = createContactsClient({ ...options, ...quick, scope: "list_and_subscribers_write" });
    expect((await otherScope.establish(["scope"])).contacts).toHaveLength(1);
    // The same identity is still held back (the two above did not reopen it).
    const same = createContactsClient({ ...options, ...quick });
    await expect(same.establish(["same"])).rejects.toBeInstanceOf(ContactsThrottledError);
  });

  it("clearTokenCache() reopens a closed gate, for clients made before and after it", async () => {
    const options = identity();
    const quick = { ...options, retry: { maxDelayMs: 100 } };
    const before = createContactsClient(quick);
    await closeGate(options, 60);
    await expect(before.establish(["held"])).rejects.toBeInstanceOf(ContactsThrottledError);
    clearTokenCache();
    expect((await before.establish(["before"])).contacts).toHaveLength(1);
    expect((await createContactsClient(quick).establish(["after"])).contacts).toHaveLength(1);
  });
});

describe("point 3: maxRequestsPerSecond", () => {
  /** Sends `count` single-key calls spread over the clients at once; resolves the span of arrivals in ms. */
  async function spread(clients: ReturnType<typeof createContactsClient>[], count: number): Promise<number> {
    const started = Date.now();
    await Promise.all(Array.from({ length: count }, (_, i) => clients[i % clients.length]?.establish([`k${i}`])));
    expect(establishes()).toBe(count);
    return Math.max(...arrivals.values()) - started;
  }

  it("two clients of one identity share one budget: 41 requests at 20/s take at least (41 - 2) / 20 s", async () => {
    const options = { ...identity(), maxRequestsPerSecond: 20 };
    const span = await spread([createContactsClient(options), createContactsClient(options)], 41);
    // A burst of 2 (100 ms worth), then 20/s. Two separate budgets would take about half.
    expect(span).toBeGreaterThanOrEqual(1900);
  });

  it("the lowest setting of the sharing clients applies, whichever came first", async () => {
    const options = identity();
    const fast = createContactsClient({ ...options, maxRequestsPerSecond: 1000 });
    const slow = createContactsClient({ ...options, maxRequestsPerSecond: 20 });
    const later = createContactsClient({ ...options, maxRequestsPerSecond: 5000 });
    const span = await spread([fast, later, slow], 21);
    expect(span).toBeGreaterThanOrEqual(900); // (21 - 2) / 20 s, less some timer slack
  });

  it("is checked at creation: a finite number from 0.01 to 100,000", () => {
    for (const bad of [0, -1, 0.001, 100_001, Number.NaN, Number.POSITIVE_INFINITY, "5", null]) {
      let thrown: unknown;
      try {
        createContactsClient({ ...identity(), maxRequestsPerSecond: bad as number });
      } catch (error) {
        thrown = error;
      }
      expect(thrown, String(bad)).toBeInstanceOf(ContactsValidationError);
      expect((thrown as ContactsValidationError).reason).toBe("maxRequestsPerSecond");
      expect((thrown as Error).message).toContain("0.01 to 100000");
    }
    for (const good of [0.01, 1, 40, 100_000]) {
      expect(() => createContactsClient({ ...identity(), maxRequestsPerSecond: good })).not.toThrow();
    }
  });
});

describe("a closed gate holds no timer", () => {
  it("guard: a process whose single call met a 429 with Retry-After 60 exits at once after it", async () => {
    const { execFile } = await import("node:child_process");
    const { fileURLToPath } = await import("node:url");
    const dist = fileURLToPath(new URL("../dist/index.mjs", import.meta.url));
    throttle.set("child", 60);
    const script = `
      const { createContactsClient } = await import(${JSON.stringify(dist)});
      const client = createContactsClient({ clientId: "child", clientSecret: "s", authBaseUrl: ${JSON.stringify(service.url)},
        baseUrl: ${JSON.stringify(service.url)}, retry: { maxDelayMs: 1000 } });
      await client.establish(["child"]).then(() => console.log("ok"), (e) => console.log(e.name, e.status));
    `;
    const started = Date.now();
    const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) =>
      execFile(process.execPath, ["--input-type=module", "-e", script], { timeout: 30_000 }, (error, out) =>
        error ? reject(error) : resolve({ stdout: out }),
      ),
    );
    expect(stdout.trim()).toBe("ContactsApiError 429");
    // The gate stays closed 60 s, yet nothing of it keeps the process alive (a hang guard, far below 60 s).
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
