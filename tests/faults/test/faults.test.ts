import {
  type ContactResult,
  type ContactsEvent,
  clearTokenCache,
  createContactsClient,
  type NodeClientOptions,
  type NodeContactsClient,
} from "@sfmc-contacts/client-node";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type FaultServer, startFaultServer } from "../src/fault-server.js";
import { gateViolations, retryAfterViolations, type StampedEvent, violations } from "../src/suite.js";

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
let server: FaultServer | undefined;
beforeEach(() => {
  unhandled.length = 0;
  process.on("unhandledRejection", onUnhandled);
  clearTokenCache();
});
afterEach(async () => {
  vi.useRealTimers();
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
    // Stalls cost a worker this long. A healthy answer that a busy machine delays past it is only
    // retried (establish is idempotent). 5 s, not less: CI runs this beside the consumer matrix and
    // a CPU hog, where a healthy loopback answer has taken over a second, and a key whose every
    // attempt timed out would end TIMEOUT instead of established.
    timeoutMs: 5_000,
    retry: { attempts: 8, baseDelayMs: 5, maxDelayMs: 2_000 },
    ...options,
  });
}

async function collect(run: AsyncIterable<ContactResult>): Promise<ContactResult[]> {
  const results: ContactResult[] = [];
  for await (const result of run) results.push(result);
  return results;
}

/** Waits until the server has no open socket; the 10 s bound is a hang guard, not a speed limit. */
async function socketsClosed(s: FaultServer): Promise<number> {
  for (let i = 0; i < 500 && s.openSockets() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  return s.openSockets();
}

describe("establishAll in a hostile world: 10% of requests fail, at random, from a seed", () => {
  it("accounts for every one of 20,000 keys exactly once, and leaves nothing open", async () => {
    server = await startFaultServer({ seed: 20261126, faultRate: 0.1 });
    const keys = keysOf(20_000);
    const events: ContactsEvent[] = [];
    const stamped: StampedEvent[] = [];
    const c = client(server.url, {
      onEvent: (event) => {
        events.push(event);
        stamped.push({ at: Date.now(), event });
      },
    });
    const run = c.establishAll(keys, { batchSize: 50, concurrency: 16 });
    const results = await collect(run);
    const summary = await run.done();
    await c.close();

    expect(violations({ keys, results }, server)).toEqual([]);
    // Every kind of fault was met, and the client came through them.
    for (const [fault, count] of Object.entries(server.injected)) expect(count, fault).toBeGreaterThan(0);
    // Item-level errors are final and reported as such; everything else ended established.
    const failed = results.filter((r) => !r.ok);
    const unexpected = failed.filter((r) => !(!r.ok && r.code === "ITEM_ERROR" && server?.itemErrors.has(r.key)));
    expect(unexpected.slice(0, 5).map((r) => (r.ok ? r.key : `${r.key}: ${r.code}`))).toEqual([]);
    expect(summary).toMatchObject({ total: 20_000, processed: 20_000, failed: failed.length, stopped: false });
    expect(summary.established + summary.failed).toBe(20_000);
    // Retry-After was honoured: no retry came earlier than the answer the client got told it to.
    // (Judged from the client's events: the late 429s were written after the client gave up, and
    // its retries of those timeouts owe them nothing.)
    const retries = retryAfterViolations(events, server.retryAfterMs);
    expect(retries.problems).toEqual([]);
    expect(retries.judged, "retries that name the answer's status and Retry-After").toBeGreaterThan(0);
    // Each 429 and 503 paused the whole run (one shared gate): no request while one still asked to wait.
    expect(events.filter((e) => e.type === "throttle").length, "throttle events").toBeGreaterThan(0);
    expect(gateViolations(stamped)).toEqual([]);
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
    const events: ContactsEvent[] = [];
    // No stalls in this mix: a long timeout, so every 500 reaches the client however busy the machine.
    const c = client(server.url, { transport: "fetch", timeoutMs: 30_000, onEvent: (event) => events.push(event) });
    const results = await collect(c.establishAll(keys, { batchSize: 50, concurrency: 8 }));
    expect(violations({ keys, results }, server)).toEqual([]);
    const retries = retryAfterViolations(events, server.retryAfterMs);
    expect(retries.problems).toEqual([]);
    expect(server.injected["500"]).toBeGreaterThan(0);
    expect(retries.judged, "retries that name the answer's status and Retry-After").toBe(server.injected["500"]);
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
    // Time is a fake clock that moves 20 ms per establish request, so how often tokens are renewed
    // and whether one lapsed depend on what the client decided, not on how busy the machine is.
    // (Two-second tokens; the client renews a tenth of a lifetime, 200 ms, before expiry.)
    vi.useFakeTimers({ toFake: ["Date"] });
    const stepMs = 20;
    server = await startFaultServer({
      seed: 2,
      faultRate: 0,
      tokenLifetimeSeconds: 2,
      onEstablish: () => vi.setSystemTime(Date.now() + stepMs),
    });
    // Nothing stalls here: the default 30 s limit, so a busy machine's slow answer is never retried
    // (a retry would be a 501st request and move the fake clock).
    const c = client(server.url, { timeoutMs: 30_000 });
    const started = Date.now();
    const summary = await c.establishAll(keysOf(5_000), { batchSize: 10, concurrency: 2 }).done();
    const elapsed = Date.now() - started;
    await c.close();
    expect(summary.established).toBe(5_000);
    expect(elapsed).toBe(500 * stepMs); // 500 requests, the clock's only motion
    const issued = server.tokensIssued;
    // Once per lifetime: never before the renewal point (1.8 s), and always before expiry (2 s)
    // even with both workers' requests in flight (each moves the clock 20 ms).
    for (let i = 1; i < issued.length; i++) {
      const gap = (issued[i] as number) - (issued[i - 1] as number);
      expect(gap).toBeGreaterThanOrEqual(1_800);
      expect(gap).toBeLessThan(2_000);
    }
    expect(issued.length).toBe(Math.floor(elapsed / 1_800) + 1);
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
    const summary = await run.done();
    const stoppedAfter = Date.now() - abortedAt;
    await c.close();
    // The abort, not the 30 s per-attempt timeout, ended the stalled requests (their keys are
    // ABORTED, below); the bound only tells the two apart, far from either, on any machine.
    expect(stoppedAfter).toBeLessThan(15_000);
    expect(summary.stopped).toBe(true);
    // What was read is accounted for: established, ABORTED in flight, or NOT_SENT (read, never
    // sent: the server never saw it); the rest was never read.
    expect(results).toHaveLength(summary.total);
    expect(summary.total).toBeLessThan(keys.length);
    const failed = results.filter((r) => !r.ok);
    expect(failed.some((r) => !r.ok && r.code === "ABORTED")).toBe(true);
    for (const r of failed) {
      expect(r.ok || r.code === "ABORTED" || r.code === "NOT_SENT", `${r.key}`).toBe(true);
      if (!r.ok && r.code === "NOT_SENT") expect(server.received.has(r.key), `${r.key} was sent`).toBe(false);
    }
    expect(summary.notSent).toBe(failed.filter((r) => !r.ok && r.code === "NOT_SENT").length);
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

  it("catches a retry that comes earlier than Retry-After, or that ignored it", async () => {
    server = await startFaultServer({ seed: 6, faultRate: 1, faultLimit: 2, faults: ["429"] });
    const events: ContactsEvent[] = [];
    // A long timeout: both 429s reach the client however busy the machine.
    const c = client(server.url, { timeoutMs: 30_000, onEvent: (event) => events.push(event) });
    const results = await collect(c.establishAll(keysOf(20), { batchSize: 10, concurrency: 2 }));
    await c.close();
    expect(results.every((r) => r.ok)).toBe(true);
    expect(retryAfterViolations(events, server.retryAfterMs)).toEqual({ judged: 2, problems: [] });

    // The broken builds: a client that retried its first 429 after 223 ms (the first failed
    // verify's figure), and one that did not take the 429's Retry-After at all.
    const first = events.findIndex((e) => e.type === "retry");
    const tamper = (change: object) => events.map((e, i) => (i === first ? { ...e, ...change } : e)) as ContactsEvent[];
    expect(retryAfterViolations(tamper({ delayMs: 223 }), server.retryAfterMs)).toEqual({
      judged: 2,
      problems: ["retry 1 after a 429 with Retry-After 1000 ms came after 223 ms"],
    });
    expect(retryAfterViolations(tamper({ delayMs: 5, retryAfterMs: undefined }), server.retryAfterMs)).toEqual({
      judged: 1,
      problems: ["retry 1 of a 429 with Retry-After 1000 ms took no Retry-After"],
    });
  });

  it("does not count a 429 the client never saw: it was written after the request timed out", async () => {
    // The first failed verify: under load the client gave up on a request, the server then wrote
    // a 429 (Retry-After: 1) into the closed connection, and the client's retry of its timeout
    // came 223 ms later. Judged by what the server wrote, that was an early retry; it was not.
    server = await startFaultServer({ seed: 9, faultRate: 1, faultLimit: 1, faults: ["late429"] });
    const events: ContactsEvent[] = [];
    const c = client(server.url, { timeoutMs: 300, onEvent: (event) => events.push(event) });
    await c.establish(["late"]);
    await c.close();
    expect(server.injected.late429).toBe(1);
    // The server did write its 429 (once it saw the connection close), bounded wait.
    for (let i = 0; i < 100 && server.lateWrites === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(server.lateWrites).toBe(1);
    expect(events.filter((e) => e.type === "response").map((e) => e.type === "response" && e.status)).toEqual([200]);
    expect(events.find((e) => e.type === "retry")).toMatchObject({
      attempt: 1,
      reason: "No answer from Marketing Cloud within 300 ms",
    });
    expect(retryAfterViolations(events, server.retryAfterMs)).toEqual({ judged: 0, problems: [] });
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
