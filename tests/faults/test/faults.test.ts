import {
  type ContactResult,
  clearTokenCache,
  createContactsClient,
  type NodeClientOptions,
  type NodeContactsClient,
} from "@sfmc-contacts/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FaultServer, startFaultServer } from "../src/fault-server.js";
import { violations } from "../src/suite.js";

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
let server: FaultServer | undefined;
beforeEach(() => {
  unhandled.length = 0;
  process.on("unhandledRejection", onUnhandled);
  clearTokenCache();
});
afterEach(async () => {
  process.off("unhandledRejection", onUnhandled);
  await server?.close();
  server = undefined;
});

const keysOf = (n: number, prefix = "key") => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

function client(url: string, options: Partial<NodeClientOptions> = {}): NodeContactsClient {
  return createContactsClient({
    clientId: "fault-suite",
    clientSecret: "secret",
    baseUrl: url,
    authBaseUrl: url,
    transport: "undici",
    // Long enough that a busy machine does not time out healthy answers; stalls still cost it.
    timeoutMs: 1_000,
    retry: { attempts: 8, baseDelayMs: 5, maxDelayMs: 2_000 },
    ...options,
  });
}

async function collect(run: AsyncIterable<ContactResult>): Promise<ContactResult[]> {
  const results: ContactResult[] = [];
  for await (const result of run) results.push(result);
  return results;
}

/** Waits (bounded) until the server has no open socket. */
async function socketsClosed(s: FaultServer): Promise<number> {
  for (let i = 0; i < 100 && s.openSockets() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  return s.openSockets();
}

describe("establishAll in a hostile world: 10% of requests fail, at random, from a seed", () => {
  it("accounts for every one of 20,000 keys exactly once, and leaves nothing open", async () => {
    server = await startFaultServer({ seed: 20261126, faultRate: 0.1 });
    const keys = keysOf(20_000);
    const c = client(server.url);
    const run = c.establishAll(keys, { batchSize: 50, concurrency: 16 });
    const results = await collect(run);
    const summary = await run;
    await c.close();

    expect(violations({ keys, results }, server)).toEqual([]);
    // Every kind of fault was met, and the client came through them.
    for (const [fault, count] of Object.entries(server.injected)) expect(count, fault).toBeGreaterThan(0);
    // Item-level errors are final and reported as such; everything else ended established.
    const failed = results.filter((r) => !r.ok);
    expect(failed.every((r) => !r.ok && r.code === "ITEM_ERROR" && server?.itemErrors.has(r.key))).toBe(true);
    expect(summary).toMatchObject({ total: 20_000, processed: 20_000, failed: failed.length, stopped: false });
    expect(summary.established + summary.failed).toBe(20_000);
    // Retry-After was honoured: no retry of a batch came earlier than it was told.
    expect(server.earlyRetries).toEqual([]);
    expect(unhandled).toEqual([]);
    expect(await socketsClosed(server)).toBe(0);
  });

  it("the same holds with the fetch transport", async () => {
    server = await startFaultServer({
      seed: 7,
      faultRate: 0.1,
      faults: ["500", "reset", "malformed", "array", "itemErrors"],
    });
    const keys = keysOf(2_000);
    const c = client(server.url, { transport: "fetch" });
    const results = await collect(c.establishAll(keys, { batchSize: 50, concurrency: 8 }));
    expect(violations({ keys, results }, server)).toEqual([]);
    expect(unhandled).toEqual([]);
  });
});

describe("tokens", () => {
  it("50 concurrent cold calls make exactly one token request", async () => {
    server = await startFaultServer({ seed: 1, faultRate: 0 });
    const c = client(server.url);
    await Promise.all(keysOf(50).map((key) => c.establish([key])));
    await c.close();
    expect(server.tokensIssued).toHaveLength(1);
  });

  it("a token that expires mid-run is replaced once per expiry, before it lapses", async () => {
    // Two-second tokens: the client refreshes 200 ms before expiry, room enough on a busy machine.
    server = await startFaultServer({ seed: 2, faultRate: 0, tokenLifetimeSeconds: 2, latencyMs: 20 });
    const c = client(server.url);
    const started = Date.now();
    const summary = await c.establishAll(keysOf(5_000), { batchSize: 10, concurrency: 2 });
    const elapsed = Date.now() - started;
    await c.close();
    expect(summary.established).toBe(5_000);
    const issued = server.tokensIssued;
    // One token per lifetime window: consecutive requests at least 0.85 of a lifetime apart.
    for (let i = 1; i < issued.length; i++)
      expect((issued[i] as number) - (issued[i - 1] as number)).toBeGreaterThanOrEqual(850);
    expect(issued.length).toBeLessThanOrEqual(Math.ceil(elapsed / 900) + 1);
    expect(issued.length).toBeGreaterThanOrEqual(2); // the run outlived its first token
    expect(server.unauthorized).toBe(0);
  });
});

describe("abort", () => {
  it("stops promptly and reports what was sent and what was not", async () => {
    server = await startFaultServer({ seed: 3, faultRate: 0 });
    const keys = keysOf(10_000);
    const controller = new AbortController();
    const c = client(server.url, { timeoutMs: 30_000 });
    const run = c.establishAll(keys, { batchSize: 50, concurrency: 4, signal: controller.signal });
    const results: ContactResult[] = [];
    let abortedAt = 0;
    for await (const result of run) {
      results.push(result);
      if (results.length === 1_000 && server) {
        server.mode = "stall-all"; // the next batches hang until the abort
        setTimeout(() => {
          abortedAt = Date.now();
          controller.abort();
        }, 100);
      }
    }
    const summary = await run;
    const stoppedAfter = Date.now() - abortedAt;
    await c.close();
    expect(stoppedAfter).toBeLessThan(2_000);
    expect(summary.stopped).toBe(true);
    // What was read is accounted for: established, or ABORTED in flight; the rest was never read.
    expect(results).toHaveLength(summary.total);
    expect(summary.total).toBeLessThan(keys.length);
    const aborted = results.filter((r) => !r.ok);
    expect(aborted.length).toBeGreaterThan(0);
    expect(aborted.every((r) => !r.ok && r.code === "ABORTED")).toBe(true);
    expect(violations({ keys: keys.slice(0, summary.total), results }, server)).toEqual([]);
    expect(unhandled).toEqual([]);
    expect(await socketsClosed(server)).toBe(0);
  });
});

describe("the suite itself", () => {
  it("fails when a key is dropped: a deliberately broken client loses one result", async () => {
    server = await startFaultServer({ seed: 4, faultRate: 0.1, faults: ["500", "itemErrors"] });
    const keys = keysOf(1_000);
    const c = client(server.url);
    // The broken build: an establishAll that loses the 500th result it would report.
    const real = await collect(c.establishAll(keys, { batchSize: 50, concurrency: 4 }));
    const broken = real.filter((_, i) => i !== 499);
    await c.close();
    expect(violations({ keys, results: real }, server)).toEqual([]);
    const found = violations({ keys, results: broken }, server);
    expect(found).toContain(`key #${real[499]?.index} (${real[499]?.key}) was dropped: no result`);
    expect(found).toContain("999 results for 1000 keys");
  });

  it("catches a retry that comes earlier than Retry-After", async () => {
    server = await startFaultServer({ seed: 6, faultRate: 1, faults: ["429"] });
    const token = await (await fetch(`${server.url}/v2/token`, { method: "POST", body: "{}" })).json();
    const send = () =>
      fetch(`${server?.url}/contacts/v1/establish`, {
        method: "POST",
        headers: { authorization: `Bearer ${token.access_token}`, "content-type": "application/json" },
        body: JSON.stringify({ ContactKeys: ["impatient"] }),
      });
    expect((await send()).status).toBe(429);
    await send(); // at once, ignoring Retry-After: 1
    expect(server.earlyRetries).toEqual([expect.objectContaining({ firstKey: "impatient", requiredMs: 1000 })]);
  });

  it("fails when a key is reported twice or as established when the server never did", async () => {
    server = await startFaultServer({ seed: 5, faultRate: 0 });
    const keys = keysOf(10);
    const c = client(server.url);
    const real = await collect(c.establishAll(keys));
    await c.close();
    const first = real[0] as ContactResult;
    const invented: ContactResult = {
      ok: true,
      key: "ghost",
      index: 3,
      contactId: 1,
      contactType: "Default",
      status: "Active",
      messages: [],
    };
    const found = violations({ keys, results: [...real, first, invented] }, server);
    expect(found).toContain(`key #${first.index} (${first.key}) was reported 2 times`);
    expect(found).toContain("ghost is reported established, the server never established it");
  });
});
