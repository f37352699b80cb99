import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { establishAll } from "../src/establish-all.js";
import type { ContactResult, ContactsClient, EstablishAllRun, EstablishTransport } from "../src/index.js";
import { ContactsValidationError, createContactsCore } from "../src/index.js";

// Every run here works against an in-process transport, so the tests judge what the run decided
// (which keys were sent, which result each key got), never how fast the machine is. Waits are
// bounded polls on real timers; `guard` only turns a hang into a failure (the tests' own timeout
// is set above every guard and poll, so a busy machine cannot fail them).
const realSetTimeout = globalThis.setTimeout;
const tick = (ms = 2) => new Promise((resolve) => realSetTimeout(resolve, ms));

/** Fails the test when `promise` has not settled within `ms` (a hang guard, far above any normal run). */
function guard<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => realSetTimeout(() => reject(new Error(`hung: ${what}`)), ms)),
  ]);
}

/** Polls `condition` on real timers, at most 5000 times. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 5000; i++) {
    if (condition()) return;
    await tick();
  }
  throw new Error(`never happened: ${what}`);
}

/** A well-formed answer establishing every key. */
const answer = (keys: string[]) => ({
  items: keys.map((key, i) => ({
    value: {
      requestedContactKey: key,
      isNewContact: true,
      contactReference: { contactID: 1000 + i, contactType: "Default", contactKey: key, contactStatus: "Active" },
    },
    requestItemIndex: i,
    resultMessages: [],
  })),
  requestServiceMessageID: "r",
  responseDateTime: "2026-11-27T10:00:00.0000000-06:00",
  resultMessages: [],
  serviceMessageID: "s",
});

/**
 * A client over an in-process transport that records each batch sent. `hold` decides when a
 * batch is answered: by default at once; `"until-abort"` never, until the request is aborted; a
 * function: once the promise it returns resolves.
 */
function fakeClient(hold?: "until-abort" | ((keys: string[]) => Promise<void>), signal?: AbortSignal) {
  const sent: string[][] = [];
  const transport: EstablishTransport = async ({ body, signal }) => {
    sent.push(body.ContactKeys);
    if (typeof hold === "function") await hold(body.ContactKeys);
    if (hold === "until-abort") {
      await new Promise((_, reject) => {
        if (signal?.aborted) reject(signal.reason);
        signal?.addEventListener("abort", () => reject(signal.reason));
      });
    }
    return { status: 200, header: () => null, text: JSON.stringify(answer(body.ContactKeys)) };
  };
  const client: ContactsClient = createContactsCore({
    auth: { credentials: () => ({ baseUrl: "https://tenant.rest.marketingcloudapis.com" }) },
    transport,
    raw: {} as ContactsClient["raw"],
    retry: false,
    ...(signal && { signal }),
  });
  return { client, sent };
}

/**
 * An async key source that gives `keys`, then never answers `next()` again (an idle pipe). It
 * records its `next()` and `return()` calls; its `return()` never settles either, so a run that
 * waited for it without bound would hang.
 */
function idleSource(keys: string[]) {
  const calls = { next: 0, return: 0 };
  const iterator: AsyncIterator<string> = {
    next: () => {
      calls.next++;
      const key = keys[calls.next - 1];
      return key === undefined ? new Promise(() => {}) : Promise.resolve({ value: key, done: false });
    },
    return: () => {
      calls.return++;
      return new Promise(() => {});
    },
  };
  return { source: { [Symbol.asyncIterator]: () => iterator }, calls };
}

async function collect<R>(run: EstablishAllRun<R>): Promise<R[]> {
  const out: R[] = [];
  for await (const result of run) out.push(result);
  return out;
}

const codes = (results: ContactResult[]) =>
  Object.fromEntries(results.map((r) => [r.key, r.ok ? "ok" : r.code] as const).sort(([a], [b]) => a.localeCompare(b)));

afterEach(() => {
  vi.useRealTimers();
});

describe("liveness: abort and stop() end a run even while the input is idle", { timeout: 60_000 }, () => {
  it("abort: in-flight keys are ABORTED, keys read but not sent are NOT_SENT, each exactly once", async () => {
    const { client, sent } = fakeClient("until-abort");
    const { source, calls } = idleSource(["k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9"]);
    const controller = new AbortController();
    const progress: number[] = [];
    const run = client.establishAll(source, {
      batchSize: 4,
      concurrency: 3,
      flushMs: 600_000,
      signal: controller.signal,
      onProgress: (p) => progress.push(p.notSent),
    });
    const results = collect(run);
    // Two batches in flight (k0-k3, k4-k7); the third worker holds k8, k9 and waits for the input.
    await until(() => sent.length === 2 && calls.next === 11, "two batches in flight and the input idle");
    controller.abort();

    const all = await guard(results, "iteration after abort");
    const summary = await guard(run.done(), "done() after abort");
    expect(all).toHaveLength(10);
    expect(codes(all)).toEqual({
      k0: "ABORTED",
      k1: "ABORTED",
      k2: "ABORTED",
      k3: "ABORTED",
      k4: "ABORTED",
      k5: "ABORTED",
      k6: "ABORTED",
      k7: "ABORTED",
      k8: "NOT_SENT",
      k9: "NOT_SENT",
    });
    expect(all.find((r) => r.key === "k8")).toMatchObject({
      ok: false,
      index: 8,
      reason: "the run ended before this key was sent",
    });
    expect(sent.flat()).not.toContain("k8");
    expect(summary).toMatchObject({ total: 10, processed: 10, failed: 10, notSent: 2, established: 0, stopped: true });
    expect(progress.at(-1)).toBe(2);
    // The input is told to close, but its return() (which never settles) is not waited for.
    expect(calls.return).toBe(1);
  });

  it("abort with done() alone, and nothing in flight: the idle read ends and its keys are NOT_SENT", async () => {
    const { client, sent } = fakeClient();
    const { source, calls } = idleSource(["a", "b", "c"]);
    const controller = new AbortController();
    const run = client.establishAll(source, { batchSize: 50, flushMs: 600_000, signal: controller.signal });
    const summary = run.done();
    await until(() => calls.next === 4, "the input idle after three keys");
    controller.abort();
    expect(await guard(summary, "done() after abort")).toMatchObject({
      total: 3,
      processed: 3,
      failed: 3,
      notSent: 3,
      batches: 0,
      stopped: true,
    });
    expect(sent).toEqual([]);
  });

  it("stop(): the idle read ends, the keys already read are still sent, and the run settles", async () => {
    const { client, sent } = fakeClient();
    const { source, calls } = idleSource(["a", "b", "c"]);
    const run = client.establishAll(source, { batchSize: 50, concurrency: 2, flushMs: 600_000 });
    const results = collect(run);
    await until(() => calls.next === 4, "the input idle after three keys");
    run.stop();
    const all = await guard(results, "iteration after stop()");
    expect(codes(all)).toEqual({ a: "ok", b: "ok", c: "ok" });
    expect(sent).toEqual([["a", "b", "c"]]);
    expect(await guard(run.done(), "done() after stop()")).toMatchObject({
      total: 3,
      established: 3,
      notSent: 0,
      stopped: true,
    });
    expect(calls.return).toBe(1);
  });
});

/**
 * Review defect 3: the client's own signal (`ClientOptions.signal`, "aborts every call of this
 * client") did not reach the run: an idle input kept it pending, and an aborted client read its
 * whole input and failed every key as REQUEST_FAILED.
 */
describe("the client's signal ends a run like the run's own", { timeout: 60_000 }, () => {
  it("aborted while the input is idle: in-flight keys ABORTED, read keys NOT_SENT, the run settles", async () => {
    const controller = new AbortController();
    const { client, sent } = fakeClient("until-abort", controller.signal);
    const { source, calls } = idleSource(["k0", "k1", "k2"]);
    const run = client.establishAll(source, { batchSize: 2, concurrency: 2, flushMs: 600_000 });
    const results = collect(run);
    await until(() => sent.length === 1 && calls.next === 4, "one batch in flight and the input idle");
    controller.abort();
    const all = await guard(results, "iteration after the client's abort");
    expect(codes(all)).toEqual({ k0: "ABORTED", k1: "ABORTED", k2: "NOT_SENT" });
    expect(await guard(run.done(), "done() after the client's abort")).toMatchObject({
      total: 3,
      notSent: 1,
      stopped: true,
    });
  });

  it("aborted before the run: nothing is read or sent", async () => {
    const controller = new AbortController();
    controller.abort();
    const { client, sent } = fakeClient(undefined, controller.signal);
    const keys = Array.from({ length: 500 }, (_, i) => `k${i}`);
    const all = await guard(collect(client.establishAll(keys, { batchSize: 10 })), "a run of an aborted client");
    expect(all).toEqual([]);
    expect(sent).toEqual([]);
  });

  it("with a signal of its own too: either one ends the run", async () => {
    const mine = new AbortController();
    const { client, sent } = fakeClient("until-abort", mine.signal);
    const { source } = idleSource(["a"]);
    const run = client.establishAll(source, { flushMs: 0, signal: new AbortController().signal });
    const results = collect(run);
    await until(() => sent.length === 1, "the batch in flight");
    mine.abort();
    expect(codes(await guard(results, "iteration after the client's abort"))).toEqual({ a: "ABORTED" });
  });
});

/**
 * Review defect 4: a run that did no I/O chained microtasks without end, so no timer could fire:
 * a stop() from a timer (or a signal's timeout) never landed. Bounded sources, so that the code
 * at HEAD fails (reads them to the end, unstopped) instead of hanging the test process.
 */
describe("a run that does no I/O still lets timers run", { timeout: 60_000 }, () => {
  it("an endless source of invalid keys: a stop() from a timer lands", async () => {
    let given = 0;
    const invalid = function* () {
      while (given < 1_000_000) {
        given++;
        yield "";
      }
    };
    const run = establishAll(invalid(), () => Promise.reject(new Error("nothing is valid: never sent")));
    realSetTimeout(() => run.stop(), 0);
    const summary = await guard(run.done(), "done() of a run of invalid keys", 60_000);
    expect(summary.stopped).toBe(true);
    expect(given).toBeLessThan(1_000_000);
    expect(summary).toMatchObject({ total: given, failed: given, batches: 0 });
  });

  it("batches that fail without a request: a stop() from a timer lands", async () => {
    let given = 0;
    const keys = function* () {
      while (given < 200_000) {
        given++;
        yield `k${given}`;
      }
    };
    let sends = 0;
    const run = establishAll(keys(), () => {
      sends++;
      return Promise.reject(new Error("fails at once"));
    });
    realSetTimeout(() => run.stop(), 0);
    const summary = await guard(run.done(), "done() of a run whose batches fail at once", 60_000);
    expect(summary.stopped).toBe(true);
    expect(given).toBeLessThan(200_000);
    expect(summary).toMatchObject({ total: given, failed: given, batches: sends });
  });
});

describe("flushMs: a slow input's keys are established as they come", { timeout: 60_000 }, () => {
  it("a trickling input sees each key's result before it gives the next one", async () => {
    const { client, sent } = fakeClient();
    // The input gives its next key only once the previous one has its result: without a flush,
    // the first batch (of 50) would never fill and nothing would ever be sent.
    const answered = new Set<string>();
    let release: (() => void) | undefined;
    async function* trickle() {
      for (let i = 0; i < 5; i++) {
        yield `t${i}`;
        await new Promise<void>((resolve) => {
          release = resolve;
          if (answered.has(`t${i}`)) resolve();
        });
      }
    }
    const run = client.establishAll(trickle(), { batchSize: 50, flushMs: 5 });
    const seen: string[] = [];
    await guard(
      (async () => {
        for await (const result of run) {
          seen.push(result.key);
          answered.add(result.key);
          release?.();
        }
      })(),
      "a trickling input with flushMs: 5",
    );
    expect(seen).toEqual(["t0", "t1", "t2", "t3", "t4"]);
    expect(sent).toEqual([["t0"], ["t1"], ["t2"], ["t3"], ["t4"]]);
    expect(await run.done()).toMatchObject({ total: 5, established: 5, batches: 5, stopped: false });
  });

  it("by default a partial batch is sent 1000 ms after its first key was read, not before", async () => {
    const { client, sent } = fakeClient();
    const { source, calls } = idleSource(["first"]);
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const run = client.establishAll(source);
    const summary = run.done();
    await until(() => calls.next === 2, "the first key read and the input idle");
    await vi.advanceTimersByTimeAsync(999);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await until(() => sent.length === 1, "the partial batch sent");
    expect(sent).toEqual([["first"]]);
    run.stop();
    vi.useRealTimers();
    expect(await guard(summary, "done() after stop()")).toMatchObject({ total: 1, established: 1, stopped: true });
  });

  it("a key the input gives after a flush, once the run is stopped and no worker reads, is NOT_SENT", async () => {
    let answer: (() => void) | undefined;
    const { client, sent } = fakeClient(() => new Promise<void>((resolve) => (answer = resolve)));
    let deliver: ((result: IteratorResult<string>) => void) | undefined;
    let calls = 0;
    const iterator: AsyncIterator<string> = {
      next: () => {
        calls++;
        if (calls === 1) return Promise.resolve({ value: "a", done: false });
        return new Promise((resolve) => (deliver = resolve));
      },
    };
    const run = client.establishAll({ [Symbol.asyncIterator]: () => iterator }, { concurrency: 1, flushMs: 1 });
    const results = collect(run);
    // "a" is flushed alone and held in flight; the one worker is busy, so nobody reads "b".
    await until(() => sent.length === 1 && answer !== undefined, "the flushed batch in flight");
    deliver?.({ value: "b", done: false });
    await tick();
    run.stop();
    answer?.();
    const all = await guard(results, "iteration after stop()");
    expect(codes(all)).toEqual({ a: "ok", b: "NOT_SENT" });
    expect(await run.done()).toMatchObject({ total: 2, established: 1, notSent: 1, failed: 1, stopped: true });
    expect(calls).toBe(2);
  });

  /**
   * Review defect 10: when stop() landed while the input's next() was pending, a key the input
   * gave just afterwards got no result, though the docs say every key read is counted. The run
   * now waits a bounded time (500 ms) for that key.
   */
  it("stop() while the input was asked for a key: a key that comes soon after is read and NOT_SENT", async () => {
    const { client, sent } = fakeClient();
    let deliver: ((result: IteratorResult<string>) => void) | undefined;
    let calls = 0;
    const iterator: AsyncIterator<string> = {
      next: () => {
        calls++;
        if (calls === 1) return Promise.resolve({ value: "a", done: false });
        return new Promise((resolve) => (deliver = resolve));
      },
    };
    const run = client.establishAll({ [Symbol.asyncIterator]: () => iterator }, { flushMs: 600_000 });
    const results = collect(run);
    await until(() => calls === 2, "the input asked for its second key");
    run.stop();
    // Given after the run stopped (a macrotask later), well inside the wait.
    await tick();
    deliver?.({ value: "b", done: false });
    const all = await guard(results, "iteration after stop()");
    expect(codes(all)).toEqual({ a: "ok", b: "NOT_SENT" });
    expect(sent).toEqual([["a"]]);
    expect(await run.done()).toMatchObject({ total: 2, established: 1, notSent: 1, stopped: true });
  });

  it("stop() while the input never answers: the wait is bounded, and the run settles without that key", async () => {
    const { client } = fakeClient();
    const { source, calls } = idleSource(["a"]);
    const run = client.establishAll(source, { flushMs: 600_000 });
    const results = collect(run);
    await until(() => calls.next === 2, "the input idle after one key");
    run.stop();
    const all = await guard(results, "iteration after stop()");
    expect(codes(all)).toEqual({ a: "ok" });
    expect(await run.done()).toMatchObject({ total: 1, processed: 1, stopped: true });
  });

  it("checks flushMs: a whole number >= 0", () => {
    const { client } = fakeClient();
    for (const flushMs of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "10" as unknown as number]) {
      expect(() => client.establishAll(["a"], { flushMs }), String(flushMs)).toThrow(ContactsValidationError);
      expect(() => client.establishAll(["a"], { flushMs }), String(flushMs)).toThrow(/flushMs/);
    }
    for (const flushMs of [0, 1, 2 ** 31]) expect(() => client.establishAll(["a"], { flushMs })).not.toThrow();
  });
});

describe("a failing input: every key read gets its result, then the input's own error", { timeout: 60_000 }, () => {
  const sources = {
    "a generator that throws": function* () {
      for (let i = 0; i < 75; i++) yield `g${i}`;
      throw new Error("unclosed quote at line 76");
    },
    "an async generator that throws": async function* () {
      for (let i = 0; i < 75; i++) yield `g${i}`;
      throw new Error("unclosed quote at line 76");
    },
  };
  for (const [name, make] of Object.entries(sources)) {
    it(`${name} after 75 keys: 75 results, then done() rejects with that error`, async () => {
      const { client, sent } = fakeClient();
      const run = client.establishAll(make(), { batchSize: 50, concurrency: 2 });
      const results: ContactResult[] = [];
      const failure = await guard(
        (async () => {
          for await (const result of run) results.push(result);
        })().catch((error: unknown) => error),
        "iterating a failing input",
      );
      expect((failure as Error).message).toBe("unclosed quote at line 76");
      expect(results).toHaveLength(75);
      expect(results.every((r) => r.ok)).toBe(true);
      expect(results.map((r) => r.index).sort((a, b) => a - b)).toEqual(Array.from({ length: 75 }, (_, i) => i));
      expect(sent.map((batch) => batch.length).sort()).toEqual([25, 50]);
      const rejected = await run.done().catch((error: unknown) => error);
      expect(rejected).toBe(failure);
    });
  }

  it("done() alone rejects with the input's error, after sending every key read", async () => {
    const { client, sent } = fakeClient();
    const error = new Error("disk on fire");
    function* broken() {
      for (let i = 0; i < 75; i++) yield `d${i}`;
      throw error;
    }
    await expect(client.establishAll(broken(), { batchSize: 50 }).done()).rejects.toBe(error);
    expect(sent.flat()).toHaveLength(75);
  });
});

describe("inputs", { timeout: 60_000 }, () => {
  it("refuses a sparse array before anything is sent, naming the first hole", async () => {
    const { client, sent } = fakeClient();
    const keys = ["a", "b", "c", "d"];
    delete keys[2];
    const error = await guard(client.establishAll(keys).done(), "a sparse array").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsValidationError);
    expect(error).toMatchObject({ index: 2 });
    expect((error as Error).message).toMatch(/keys\[2\].*hole/);
    await expect(collect(client.establishAll(new Array<string>(3)))).rejects.toMatchObject({ index: 0 });
    expect(sent).toEqual([]);
    // An explicit undefined is no hole: it is an invalid key, reported like any other.
    const results = await collect(client.establishAll(["a", undefined as unknown as string]));
    expect(Object.fromEntries(results.map((r) => [r.index, r.ok ? "ok" : r.code]))).toEqual({
      0: "ok",
      1: "INVALID_KEY",
    });
  });

  /** Counts next() calls and throws past `limit`: a run that spins on a result it misreads fails instead of hanging. */
  function bounded<T>(iterable: Iterable<T> | AsyncIterable<T>, limit = 100): AsyncIterable<T> & Iterable<T> {
    const wrap = (open: () => Iterator<T> | AsyncIterator<T>) => () => {
      const iterator = open();
      let calls = 0;
      return {
        next: () => {
          if (++calls > limit) throw new Error(`next() called ${calls} times: the run spins`);
          return iterator.next();
        },
      };
    };
    const source = iterable as Partial<AsyncIterable<T> & Iterable<T>>;
    const asyncOpen = source[Symbol.asyncIterator];
    const syncOpen = source[Symbol.iterator];
    return (asyncOpen
      ? { [Symbol.asyncIterator]: wrap(asyncOpen.bind(iterable)) }
      : { [Symbol.iterator]: wrap((syncOpen as () => Iterator<T>).bind(iterable)) }) as unknown as AsyncIterable<T> &
      Iterable<T>;
  }

  it("reads iterables made in another realm (node:vm): arrays, generators and async generators", async () => {
    const { client } = fakeClient();
    const made = {
      array: runInNewContext(`["r0", "r1", "r2"]`),
      generator: runInNewContext(`(function* () { yield "r0"; yield "r1"; yield "r2"; })()`),
      "async generator": runInNewContext(`(async function* () { yield "r0"; yield "r1"; yield "r2"; })()`),
    };
    for (const [name, keys] of Object.entries(made)) {
      const results = await guard(collect(client.establishAll(bounded(keys), { batchSize: 2 })), name);
      expect(results.map((r) => (r.ok ? r.key : r.code)).sort(), name).toEqual(["r0", "r1", "r2"]);
    }
  });

  it("reads an iterator whose next() returns thenables that are not promises", async () => {
    const { client } = fakeClient();
    const keys = ["t0", "t1", "t2"];
    let i = 0;
    const thenable = <T>(value: T) => ({
      // biome-ignore lint/suspicious/noThenProperty: a hand-made thenable is the point of this test.
      then: (resolve: (value: T) => void) => void realSetTimeout(() => resolve(value), 1),
    });
    const iterator = {
      next: () => thenable(i < keys.length ? { value: keys[i++], done: false } : { value: undefined, done: true }),
    };
    const source = { [Symbol.asyncIterator]: () => iterator } as unknown as AsyncIterable<string>;
    const results = await guard(collect(client.establishAll(bounded(source), { flushMs: 0 })), "thenables");
    expect(results.map((r) => (r.ok ? r.key : r.code)).sort()).toEqual(["t0", "t1", "t2"]);
  });

  it("an iterator result that is not an object is a ContactsValidationError, synchronous or not", async () => {
    const { client, sent } = fakeClient();
    const sync = { [Symbol.iterator]: () => ({ next: () => 42 }) } as unknown as Iterable<string>;
    const async = { [Symbol.asyncIterator]: () => ({ next: async () => null }) } as unknown as AsyncIterable<string>;
    for (const source of [sync, async]) {
      const error = await guard(client.establishAll(bounded(source)).done(), "a bad iterator result").catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ContactsValidationError);
      expect((error as Error).message).toMatch(/not an iterator result object/);
    }
    const noNext = { [Symbol.iterator]: () => ({}) } as unknown as Iterable<string>;
    await expect(client.establishAll(noNext).done()).rejects.toThrow(/no next\(\) method/);
    expect(sent).toEqual([]);
  });

  it("bounds concurrency at 128 and batchSize at 10,000", () => {
    const { client } = fakeClient();
    expect(() => client.establishAll(["a"], { concurrency: 128, batchSize: 10_000 })).not.toThrow();
    expect(() => client.establishAll(["a"], { concurrency: 129 })).toThrow(ContactsValidationError);
    expect(() => client.establishAll(["a"], { concurrency: 1e8 })).toThrow(/concurrency.*128/);
    expect(() => client.establishAll(["a"], { batchSize: 10_001 })).toThrow(/batchSize.*10000/);
  });
});
