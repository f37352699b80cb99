/**
 * Issue 15: one shared gate per client and run, throttled re-sends that do not use up attempts,
 * clean stops (50200, Retry-After over maxPauseMs, no success for maxPauseMs), AIMD. A scripted
 * in-process transport: what the client decided (requests, times they started, results, events).
 */
import { establishItem, establishResponse } from "@sfmc-contacts/mocks";
import type { EstablishContactsRequestPascalCase, paths } from "@sfmc-contacts/types";
import createClient from "openapi-fetch";
import { describe, expect, it } from "vitest";
import {
  type ContactResult,
  ContactsApiError,
  type ContactsEvent,
  ContactsThrottledError,
  ContactsValidationError,
  createContactsCore,
  type EstablishAllProgress,
  type TransportReply,
  type TransportRequest,
} from "../src/index.js";
import { closeGate, MAX_GATE_MS, pass, settle } from "../src/throttle.js";
import { createRateState, type RunLink } from "../src/throttle-entry.js";

const REST = "https://tenant-1.rest.marketingcloudapis.com";

const ok = (body: EstablishContactsRequestPascalCase): TransportReply => ({
  status: 200,
  header: () => null,
  text: JSON.stringify(
    establishResponse({
      items: body.ContactKeys.map((key, i) =>
        establishItem({ contactKey: key, contactID: 1000 + i, requestItemIndex: i }),
      ),
    }),
  ),
});

const refusal = (status: number, errorcode: number, retryAfter?: string): TransportReply => ({
  status,
  header: (name) => (name.toLowerCase() === "retry-after" ? (retryAfter ?? null) : null),
  text: JSON.stringify({ message: errorcode === 50200 ? "temporarily blocked" : "rate limited", errorcode }),
});

interface Sent {
  at: number;
  keys: string[];
}

/** A client on a scripted transport: `answer(n, request)` decides the n-th request's reply (n from 0). */
function scripted(
  answer: (n: number, body: EstablishContactsRequestPascalCase) => TransportReply | Promise<TransportReply>,
  options: {
    retry?: { attempts?: number; baseDelayMs?: number; maxDelayMs?: number } | false;
    signal?: AbortSignal;
  } = {},
) {
  const sent: Sent[] = [];
  const events: Array<ContactsEvent & { stamp: number }> = [];
  const raw = createClient<paths>({ baseUrl: REST });
  const client = createContactsCore({
    auth: { credentials: () => ({ baseUrl: REST, authorization: "Bearer t" }) },
    raw,
    transport: async (request: TransportRequest) => {
      const n = sent.length;
      sent.push({ at: Date.now(), keys: request.body.ContactKeys });
      return answer(n, request.body);
    },
    retry: options.retry ?? { baseDelayMs: 1, maxDelayMs: 30_000 },
    onEvent: (event) => events.push({ ...event, stamp: Date.now() }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { client, sent, events };
}

const keysOf = (n: number, prefix = "K") => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe("the shared gate (issue 15, point 1)", () => {
  it("one 429 (Retry-After 1) holds back every worker of the run until it passes; every key is established", async () => {
    const { client, sent, events } = scripted((n, body) => (n === 0 ? refusal(429, 50100, "1") : ok(body)));
    const run = client.establishAll(keysOf(400), { batchSize: 50, concurrency: 4 });
    const results: ContactResult[] = [];
    for await (const result of run) results.push(result);
    const summary = await run.done();
    expect(results.every((r) => r.ok)).toBe(true);
    expect(summary.established).toBe(400);
    expect(summary.throttled).toBe(1);
    expect(summary.pausedMs).toBeGreaterThanOrEqual(900);
    const throttle = events.find((e) => e.type === "throttle");
    expect(throttle).toMatchObject({ type: "throttle", status: 429, errorcode: 50100, retryAfterMs: 1000 });
    const closedAt = sent[0]?.at as number;
    const resumeAt = (throttle as { resumeAt: number }).resumeAt;
    expect(resumeAt - closedAt).toBeGreaterThanOrEqual(1000);
    // None starts after the gate closed (when the client read the 429: the throttle event, which
    // on a loaded machine can come well after the answer, since the recovery code loads on first
    // use) and before it reopened.
    const closed = (throttle as { stamp: number }).stamp;
    const during = sent.filter((s) => s.at > closed && s.at < resumeAt);
    expect(during).toEqual([]);
    // 8 batches and one re-send.
    expect(sent.length).toBe(9);
  });

  it("a single call's retry waits at the gate its client's run closed, not its own 10 ms backoff", async () => {
    let release!: () => void;
    const first = new Promise<void>((resolve) => (release = resolve));
    let singleTries = 0;
    const { client, sent } = scripted(
      async (n, body) => {
        if (n === 0) {
          release();
          return refusal(429, 50100, "1");
        }
        // The single call's first attempt meets a 500: retryable, 10 ms backoff.
        if (body.ContactKeys[0] === "Single" && singleTries++ === 0) return refusal(500, 0);
        return ok(body);
      },
      { retry: { baseDelayMs: 10, maxDelayMs: 30_000 } },
    );
    const run = client.establishAll(keysOf(50), { batchSize: 50 }).done();
    await first;
    const closedAt = sent[0]?.at as number;
    await client.establish(["Single"]);
    const singles = sent.filter((s) => s.keys[0] === "Single");
    expect(singles.length).toBe(2);
    // Core's own single calls (the browser client's) send their first attempt; the Node client's
    // wait before it too (client-node's shared-gate tests).
    expect((singles[1] as Sent).at - closedAt).toBeGreaterThanOrEqual(900);
    expect((await run).established).toBe(50);
  });

  it("a single call whose Retry-After is over maxDelayMs throws ContactsApiError; a run started within the pause, whose maxPauseMs is shorter, throws ContactsThrottledError and sends nothing", async () => {
    const { client, sent } = scripted(() => refusal(429, 50100, "60"), { retry: { maxDelayMs: 1000 } });
    const first = await client.establish(["A"]).catch((error: unknown) => error);
    expect(first).toBeInstanceOf(ContactsApiError);
    expect((first as ContactsApiError).retryAfter).toBe(60);
    expect(sent.length).toBe(1);
    const run = client.establishAll(keysOf(1000), { batchSize: 50, concurrency: 1, maxPauseMs: 1000 });
    const results: ContactResult[] = [];
    const iterated = await (async () => {
      for await (const result of run) results.push(result);
    })().catch((error: unknown) => error);
    const second = await run.done().catch((error: unknown) => error);
    expect(iterated).toBe(second);
    expect(second).toBeInstanceOf(ContactsThrottledError);
    expect((second as ContactsThrottledError).code).toBe("CONTACTS_THROTTLED");
    expect((second as ContactsThrottledError).name).toBe("ContactsThrottledError");
    expect((second as ContactsThrottledError).retryAfter).toBeGreaterThan(55);
    expect((second as ContactsThrottledError).message).toContain("over maxPauseMs (1000 ms)");
    expect((second as ContactsThrottledError).stoppedBy).toBe("gate");
    // The run stops at the first batch the gate refuses: what was read is NOT_SENT, the rest unread.
    const { summary } = second as ContactsThrottledError;
    expect(summary?.notSent).toBe(summary?.total);
    expect(summary?.total).toBeLessThan(1000);
    expect(results.length).toBe(summary?.total);
    expect(results.every((r) => !r.ok && r.code === "NOT_SENT")).toBe(true);
    expect(sent.length).toBe(1);
  });

  it("abort during a long pause settles promptly: no request after the first, keys ABORTED or NOT_SENT", async () => {
    const controller = new AbortController();
    const { client, sent } = scripted((n, body) => (n === 0 ? refusal(429, 50100, "60") : ok(body)));
    const run = client.establishAll(keysOf(400), { batchSize: 50, concurrency: 1, signal: controller.signal });
    const results: ContactResult[] = [];
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    for await (const result of run) results.push(result);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(sent.length).toBe(1);
    expect(results.length).toBeGreaterThan(0);
    expect(results.every((r) => !r.ok && (r.code === "ABORTED" || r.code === "NOT_SENT"))).toBe(true);
  });
});

describe("50200, temporarily blocked (point 5)", () => {
  it("a single establish sends one request and throws ContactsApiError 429/50200, not retryable", async () => {
    const { client, sent } = scripted(() => refusal(429, 50200));
    const error = await client.establish(["A"]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ContactsApiError);
    expect(error).toMatchObject({ status: 429, errorcode: 50200, retryable: false });
    expect(sent.length).toBe(1);
  });

  it("a run stops: done() rejects ContactsThrottledError 50200 with the summary; unsent keys NOT_SENT, never received", async () => {
    const { client, sent } = scripted((n, body) => (n >= 2 ? refusal(429, 50200) : ok(body)));
    const run = client.establishAll(keysOf(2000), { batchSize: 50, concurrency: 1 });
    const results: ContactResult[] = [];
    const failure = await (async () => {
      for await (const result of run) results.push(result);
    })().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ContactsThrottledError);
    const error = failure as ContactsThrottledError;
    expect(error.errorcode).toBe(50200);
    expect(error.stoppedBy).toBe("blocked");
    expect(error.retryAfter).toBeUndefined();
    expect(error.message).toContain("50200");
    expect(sent.length).toBe(3);
    const received = new Set(sent.flatMap((s) => s.keys));
    const notSent = results.filter((r) => !r.ok && r.code === "NOT_SENT");
    expect(notSent.every((r) => !received.has(r.key))).toBe(true);
    expect(results.filter((r) => !r.ok && r.code === "REQUEST_FAILED").length).toBe(50);
    expect(error.summary).toMatchObject({ established: 100, total: results.length });
    expect(error.summary?.notSent).toBe(notSent.length);
    await expect(run.done()).rejects.toBeInstanceOf(ContactsThrottledError);
  });
});

describe("Retry-After over the cap never produces a burst (point 4)", () => {
  it("Retry-After over maxPauseMs stops the run: ContactsThrottledError (retryAfter 600, 50100, summary), unsent keys NOT_SENT", async () => {
    const { client, sent } = scripted((n, body) => (n === 0 ? refusal(429, 50100, "600") : ok(body)));
    const run = client.establishAll(keysOf(20_000), { batchSize: 50, concurrency: 16 });
    const error = (await run.done().catch((caught: unknown) => caught)) as ContactsThrottledError;
    expect(error).toBeInstanceOf(ContactsThrottledError);
    expect(error.retryAfter).toBe(600);
    expect(error.errorcode).toBe(50100);
    expect(error.stoppedBy).toBe("retry-after");
    expect(error.summary?.notSent).toBeGreaterThan(0);
    expect(sent.length).toBeLessThanOrEqual(16);
    expect((error.summary?.established ?? 0) + (error.summary?.failed ?? 0)).toBe(error.summary?.total);
  });

  it("a batch throttled 5 times in a row (Retry-After 0) with 4 attempts is still established", async () => {
    const { client, sent } = scripted((n, body) => (n < 5 ? refusal(429, 50100, "0") : ok(body)), {
      retry: { attempts: 4, baseDelayMs: 1 },
    });
    const summary = await client.establishAll(keysOf(50), { batchSize: 50, concurrency: 1 }).done();
    expect(summary.established).toBe(50);
    expect(summary.throttled).toBe(5);
    expect(sent.length).toBe(6);
  });

  it("retry: false keeps one attempt: a throttled batch is REQUEST_FAILED, not re-sent", async () => {
    const { client, sent } = scripted((n, body) => (n === 0 ? refusal(429, 50100, "0") : ok(body)), { retry: false });
    const results: ContactResult[] = [];
    for await (const result of client.establishAll(keysOf(100), { batchSize: 50, concurrency: 1 }))
      results.push(result);
    expect(results.filter((r) => !r.ok && r.code === "REQUEST_FAILED").length).toBe(50);
    expect(sent.length).toBe(2);
  });

  it("no batch established for maxPauseMs under repeated 1 s 429s stops the run", async () => {
    const { client, sent } = scripted(() => refusal(429, 50100, "1"));
    const error = await client
      .establishAll(keysOf(500), { batchSize: 50, concurrency: 2, maxPauseMs: 2500 })
      .done()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ContactsThrottledError);
    expect((error as ContactsThrottledError).message).toContain("maxPauseMs");
    expect((error as ContactsThrottledError).stoppedBy).toBe("no-progress");
    expect(sent.length).toBeLessThanOrEqual(10);
  });

  it.each([
    ["-1", -1],
    ["1.5", 1.5],
    ["2^31", 2 ** 31],
    ['"5"', "5"],
  ])("refuses maxPauseMs %s when the run starts, before anything is read or sent", async (_, value) => {
    let read = 0;
    const keys = (function* () {
      read++;
      yield "A";
    })();
    const { client, sent } = scripted((_n, body) => ok(body));
    const error = await client
      .establishAll(keys, { maxPauseMs: value as number })
      .done()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ContactsValidationError);
    expect((error as ContactsValidationError).reason).toBe("maxPauseMs");
    expect(read).toBe(0);
    expect(sent.length).toBe(0);
  });
});

describe("review of issue 15: no tight loops, no sends after a stop, no stale timers", () => {
  it("repeated throttling backs off whatever Retry-After says: with Retry-After 0 the re-sends of one batch wait 0, 100, 200, 400, 800, 1000, 1000 ms", async () => {
    const { client, events } = scripted((n, body) => (n < 7 ? refusal(429, 50100, "0") : ok(body)), {
      retry: { attempts: 4, baseDelayMs: 0 },
    });
    const summary = await client.establishAll(keysOf(50), { batchSize: 50, concurrency: 1 }).done();
    expect(summary.established).toBe(50);
    const delays = events.filter((e) => e.type === "retry").map((e) => (e as { delayMs: number }).delayMs);
    expect(delays).toEqual([0, 100, 200, 400, 800, 1000, 1000]);
  });

  it("a Retry-After of 1 s is honoured as it is, however often it comes (no longer pause at the shared gate)", async () => {
    const { client, events } = scripted((n, body) => (n < 3 ? refusal(429, 50100, "1") : ok(body)));
    await client.establishAll(keysOf(50), { batchSize: 50, concurrency: 1 }).done();
    const delays = events.filter((e) => e.type === "retry").map((e) => (e as { delayMs: number }).delayMs);
    expect(delays).toEqual([1000, 1000, 1000]);
  });

  it("without Retry-After the re-sends back off exponentially from baseDelayMs", async () => {
    const { client, events } = scripted((n, body) => (n < 4 ? refusal(429, 50100) : ok(body)), {
      retry: { attempts: 4, baseDelayMs: 20, maxDelayMs: 30_000 },
    });
    await client.establishAll(keysOf(50), { batchSize: 50, concurrency: 1 }).done();
    const delays = events.filter((e) => e.type === "retry").map((e) => (e as { delayMs: number }).delayMs);
    expect(delays).toEqual([100, 200, 400, 800]);
  });

  it("a run stopped by 50200 sends no retry of its other batches, and does not wait for their backoff", async () => {
    const { client, sent } = scripted(
      (n, body) => (body.ContactKeys[0] === "K0" ? refusal(429, 50200) : n < 3 ? refusal(500, 0) : ok(body)),
      { retry: { attempts: 4, baseDelayMs: 5000, maxDelayMs: 30_000 } },
    );
    const started = Date.now();
    const error = await client
      .establishAll(keysOf(100), { batchSize: 50, concurrency: 2 })
      .done()
      .catch((caught: unknown) => caught);
    expect((error as ContactsThrottledError).stoppedBy).toBe("blocked");
    // K0's 50200 and K50's 500: nothing after the stop (its retry would come 5 s later).
    expect(sent.length).toBe(2);
    expect((error as ContactsThrottledError).summary?.failed).toBe(100);
    // A hang guard, not a speed test: the 5 s backoff was not waited for.
    expect(Date.now() - started).toBeLessThan(4500);
  });

  it("an input idle for longer than maxPauseMs between keys is not stopped by its first 429", async () => {
    const { client } = scripted((n, body) => (n === 1 ? refusal(429, 50100, "0") : ok(body)));
    async function* slow() {
      yield "A";
      await new Promise((resolve) => setTimeout(resolve, 300));
      yield "B";
    }
    const summary = await client.establishAll(slow(), { batchSize: 1, flushMs: 0, maxPauseMs: 100 }).done();
    expect(summary.established).toBe(2);
    expect(summary.throttled).toBe(1);
  });

  it("a single call whose retry the gate refuses fails with the answer it got (it was sent), not 'nothing was sent'", async () => {
    // Its first answer, a 500, is retried; meanwhile a run's 429 closed the gate for 60 s, over its maxDelayMs.
    let release!: () => void;
    const closed = new Promise<void>((resolve) => (release = resolve));
    const { client, sent } = scripted(
      async (_n, body) => {
        if (body.ContactKeys[0] === "Single") {
          await closed;
          return refusal(500, 0);
        }
        release();
        return refusal(429, 50100, "60");
      },
      { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1000 } },
    );
    const single = client.establish(["Single"]).catch((error: unknown) => error);
    const run = client
      .establishAll(keysOf(50), { batchSize: 50, maxPauseMs: 1000 })
      .done()
      .catch(() => {});
    const error = await single;
    await run;
    expect(error).toBeInstanceOf(ContactsApiError);
    expect((error as ContactsApiError).status).toBe(500);
    expect(sent.filter((s) => s.keys[0] === "Single").length).toBe(1);
  });
});

describe("waiting at the gate adds no listener to a shared signal", () => {
  it("16 batches waiting at the gate: no MaxListenersExceededWarning (each waiter listens to a signal of its own)", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      // Every batch's first answer is a 429 (Retry-After 1): all 16 wait at the gate at once.
      const seen = new Set<string>();
      const { client, events } = scripted((_n, body) => {
        const first = body.ContactKeys[0] as string;
        if (seen.has(first)) return ok(body);
        seen.add(first);
        return refusal(429, 50100, "1");
      });
      const summary = await client
        .establishAll(keysOf(16 * 10), { batchSize: 10, concurrency: 16, adaptive: false })
        .done();
      await new Promise((resolve) => setImmediate(resolve));
      expect(summary.established).toBe(160);
      expect(events.filter((e) => e.type === "throttle").length).toBe(16);
      expect(warnings.map((w) => w.name)).not.toContain("MaxListenersExceededWarning");
    } finally {
      process.off("warning", onWarning);
    }
  });
});

describe("adaptive concurrency (point 2)", () => {
  it("halves the in-flight limit once per throttling episode and adds one back per window", async () => {
    const { client, events } = scripted((n, body) => (n === 20 ? refusal(429, 50100, "0") : ok(body)));
    const progress: EstablishAllProgress[] = [];
    const summary = await client
      .establishAll(keysOf(200 * 10), { batchSize: 10, concurrency: 16, onProgress: (p) => progress.push({ ...p }) })
      .done();
    expect(summary.established).toBe(2000);
    // Changes of the limit (a change of the learned pace keeps previous === concurrency).
    const changes = (
      events.filter((e) => e.type === "concurrency") as Array<Extract<ContactsEvent, { type: "concurrency" }>>
    ).filter((e) => e.previous !== e.concurrency);
    expect(changes[0]).toMatchObject({ type: "concurrency", concurrency: 8, previous: 16, ceiling: 16 });
    expect(changes.slice(1).map((e) => e.concurrency)).toEqual([9, 10, 11, 12, 13, 14, 15, 16]);
    expect(progress.some((p) => p.concurrency === 8)).toBe(true);
    expect(progress.at(-1)?.concurrency).toBe(16);
    expect(Math.max(...progress.map((p) => p.inFlight))).toBeLessThanOrEqual(16);
  });

  it("adaptive: false keeps the limit at concurrency through throttles", async () => {
    const { client, events } = scripted((n, body) => (n % 7 === 3 ? refusal(429, 50100, "0") : ok(body)));
    const progress: EstablishAllProgress[] = [];
    const summary = await client
      .establishAll(keysOf(500), {
        batchSize: 10,
        concurrency: 16,
        adaptive: false,
        onProgress: (p) => progress.push(p),
      })
      .done();
    expect(summary.established).toBe(500);
    expect(summary.throttled).toBeGreaterThan(0);
    expect(events.some((e) => e.type === "concurrency")).toBe(false);
    expect(progress.every((p) => p.concurrency === 16 && p.perSecond === undefined)).toBe(true);
  });
});

describe("throttle.ts", () => {
  it("pass is synchronous (undefined, no promise) while the gate is open with no budget or pace", () => {
    const state = createRateState();
    expect(pass(state, undefined, 1000)).toBeUndefined();
    const run = { paced: true } as RunLink;
    expect(pass(state, undefined, 1000, run)).toBeUndefined();
  });

  it("caps a gate at 1 hour", () => {
    const state = createRateState();
    expect(closeGate(state, 10 * MAX_GATE_MS, 1000)).toBe(1000 + MAX_GATE_MS);
  });

  it("refuses at once, with nothing to wait, when the gate stays closed longer than the call may wait", async () => {
    const state = createRateState();
    closeGate(state, 60_000);
    await expect(pass(state, undefined, 1000)).rejects.toBeInstanceOf(ContactsThrottledError);
  });

  it("learns the pace: the slope of accepted over span from two points, the geometric probe from one, nothing from an empty period", () => {
    const state = createRateState();
    // One point: 16 sent in 40 ms, 6 refused, then a 1 s pause: between 10/1.04 s and 16/0.04 s.
    state.period = { openedAt: 0, closedAt: 40, sent: 16, failed: 6 };
    settle(state, 1040);
    expect(state.pace?.perSecond).toBeCloseTo(Math.sqrt((10 / 1.04) * 400), 5);
    expect(state.period).toEqual({ openedAt: 1040, sent: 0, failed: 0 });
    // Two points (0.04, 10) and (0.443, 27): 0.9 x the slope, over the cycle's throughput.
    state.period = { openedAt: 1040, closedAt: 1483, sent: 29, failed: 2 };
    settle(state, 2483);
    expect(state.pace?.perSecond).toBeCloseTo(0.9 * (17 / 0.403), 5);
    expect(state.pace?.burst).toBeCloseTo((0.9 * (17 / 0.403)) / 10, 5);
    // A period that measured nothing keeps the pace.
    const before = state.pace?.perSecond;
    state.period = { openedAt: 2483, closedAt: 2483, sent: 0, failed: 1 };
    settle(state, 3483);
    expect(state.pace?.perSecond).toBe(before);
  });
});
