import { delay, HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import type { ContactResult, EstablishAllProgress, EstablishAllRun } from "../src/index.js";
import { ContactsValidationError } from "../src/index.js";
import { establishCalls, makeClient, REST, useMock } from "./support.js";

const { server, mock } = useMock();
const keysOf = (n: number, prefix = "key") => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

async function collect(run: AsyncIterable<ContactResult>): Promise<ContactResult[]> {
  const out: ContactResult[] = [];
  for await (const result of run) out.push(result);
  return out;
}

/** Every index 0..n-1 appears exactly once. */
function expectEachOnce(results: ContactResult[], n: number) {
  expect(results.map((r) => r.index).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
}

describe("establishAll", () => {
  it("batches an array by batchSize and gives each key one result", async () => {
    const keys = keysOf(230);
    const run = makeClient().establishAll(keys, { batchSize: 50, concurrency: 3 });
    const results = await collect(run);
    expectEachOnce(results, 230);
    expect(results.every((r) => r.ok && r.key === keys[r.index])).toBe(true);
    expect(
      establishCalls(mock)
        .map((r) => (r.body as { ContactKeys: string[] }).ContactKeys.length)
        .sort((a, b) => b - a),
    ).toEqual([50, 50, 50, 50, 30]);
    expect(await run.done()).toEqual({
      total: 230,
      processed: 230,
      established: 230,
      created: 230,
      existing: 0,
      failed: 0,
      notSent: 0,
      batches: 5,
      stopped: false,
      throttled: 0,
      pausedMs: 0,
    });
  });

  it("defaults to batches of 50", async () => {
    await makeClient().establishAll(keysOf(120)).done();
    expect(
      establishCalls(mock)
        .map((r) => (r.body as { ContactKeys: string[] }).ContactKeys.length)
        .sort(),
    ).toEqual([20, 50, 50]);
  });

  it("reads async iterables, and counts new and existing contacts", async () => {
    mock.store.add("key-1");
    async function* source() {
      for (const key of keysOf(7)) yield key;
    }
    const summary = await makeClient().establishAll(source(), { batchSize: 3 }).done();
    expect(summary).toMatchObject({ total: 7, established: 7, created: 6, existing: 1, failed: 0, batches: 3 });
  });

  it("never has more than `concurrency` requests in flight", async () => {
    let inFlight = 0;
    let most = 0;
    server.use(
      http.post(`${REST}/contacts/v1/establish`, async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await delay(5);
        inFlight--;
        // Fall through to the mock's handler.
      }),
    );
    await makeClient().establishAll(keysOf(400), { batchSize: 10, concurrency: 4 }).done();
    expect(most).toBe(4);
  });

  it("accounts for every key exactly once when items, keys and whole batches fail", async () => {
    const keys = [...keysOf(60), "", "k".repeat(255), ...keysOf(60, "more")];
    server.use(mock.scenarios.itemErrors(["key-3", "more-7"]));
    // One batch fails for good: the handler answers 400 to the batch that holds "more-40".
    server.use(
      http.post(`${REST}/contacts/v1/establish`, async ({ request }) => {
        const body = (await request.clone().json()) as { ContactKeys: string[] };
        if (body.ContactKeys.includes("more-40")) {
          return HttpResponse.json({ message: "bad", errorcode: 10005, documentation: "" }, { status: 400 });
        }
      }),
    );
    const progress: EstablishAllProgress[] = [];
    const run = makeClient().establishAll(keys, { batchSize: 20, concurrency: 2, onProgress: (p) => progress.push(p) });
    const results = await collect(run);
    expectEachOnce(results, keys.length);
    const failed = results.filter((r) => !r.ok);
    expect(failed.filter((r) => r.code === "INVALID_KEY").map((r) => r.index)).toEqual([60, 61]);
    expect(
      failed
        .filter((r) => r.code === "ITEM_ERROR")
        .map((r) => r.key)
        .sort(),
    ).toEqual(["key-3", "more-7"]);
    const batchFailed = failed.filter((r) => r.code === "REQUEST_FAILED");
    expect(batchFailed).toHaveLength(20);
    expect(batchFailed[0]?.reason).toContain("400");
    const summary = await run.done();
    expect(summary.processed).toBe(keys.length);
    expect(summary.failed).toBe(24);
    expect(summary.established).toBe(keys.length - 24);
    expect(progress.at(-1)).toMatchObject({ processed: keys.length, failed: 24, inFlight: 0 });
  });

  // Review defect 9d: a key whose text form throws (String() of it) made the whole run reject.
  it("a key with no text form is an INVALID_KEY like any other non-string, and the run goes on", async () => {
    const throwing = {
      toString() {
        throw new Error("no text form");
      },
    };
    const odd: unknown[] = [1, null, undefined, Symbol("s"), 10n, throwing, Object.create(null), "ok"];
    const run = makeClient().establishAll(odd as string[]);
    const results = await collect(run);
    expect(results.map((r) => (r.ok ? `ok:${r.key}` : r.code))).toEqual([
      ...Array.from({ length: 7 }, () => "INVALID_KEY"),
      "ok:ok",
    ]);
    expect(results.slice(0, 7).map((r) => r.key)).toEqual([
      "1",
      "null",
      "undefined",
      "Symbol(s)",
      "10",
      "[object]",
      "[object]",
    ]);
    expect(await run.done()).toMatchObject({ total: 8, established: 1, failed: 7 });
  });

  it("streams: the input is read only as far as results are consumed", async () => {
    let read = 0;
    function* source() {
      for (let i = 0; i < 100_000; i++) {
        read++;
        yield `k${i}`;
      }
    }
    const run = makeClient().establishAll(source(), { batchSize: 10, concurrency: 2 });
    let seen = 0;
    let mostAhead = 0;
    for await (const _ of run) {
      seen++;
      mostAhead = Math.max(mostAhead, read - seen);
      if (seen === 500) break;
    }
    // Bounded by batch size x concurrency (queue) plus the batches in flight and the one being read.
    expect(mostAhead).toBeLessThanOrEqual(10 * 2 * 2 + 10);
    expect(read).toBeLessThan(1_000);
  });

  it("stop(): takes no new batches, lets the ones in flight finish", async () => {
    server.use(
      http.post(`${REST}/contacts/v1/establish`, async () => {
        await delay(20);
      }),
    );
    const run = makeClient().establishAll(keysOf(1000), { batchSize: 10, concurrency: 3 });
    const results: ContactResult[] = [];
    for await (const result of run) {
      results.push(result);
      if (results.length === 1) run.stop();
    }
    const summary = await run.done();
    expect(summary.stopped).toBe(true);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(summary.processed).toBe(results.length);
    expect(summary.total).toBe(results.length);
    expect(summary.total).toBeLessThan(1000);
  });

  it("abort: cancels what is in flight, reports those keys ABORTED, reads no more input", async () => {
    server.use(
      http.post(`${REST}/contacts/v1/establish`, async () => {
        await delay(10_000);
      }),
    );
    const controller = new AbortController();
    const run = makeClient().establishAll(keysOf(1000), { batchSize: 10, concurrency: 3, signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    // The 10 s answers would come back established: all ABORTED proves the abort ended them.
    const results = await collect(run);
    expect(results).toHaveLength(30);
    expect(results.every((r) => !r.ok && r.code === "ABORTED")).toBe(true);
    expect(await run.done()).toMatchObject({ total: 30, processed: 30, failed: 30, notSent: 0, stopped: true });
  });

  it("refuses bad options and inputs before starting", () => {
    const client = makeClient();
    expect(() => client.establishAll(keysOf(1), { batchSize: 0 })).toThrow(ContactsValidationError);
    expect(() => client.establishAll(keysOf(1), { concurrency: 1.5 })).toThrow(/concurrency/);
    expect(() => client.establishAll(42 as unknown as string[])).toThrow(/iterable/);
  });

  it("rejects the run when the input itself fails, after the batches in flight", async () => {
    function* broken() {
      yield* keysOf(15);
      throw new Error("disk on fire");
    }
    const run = makeClient().establishAll(broken(), { batchSize: 10 });
    await expect(run.done()).rejects.toThrow("disk on fire");
  });
});

describe("establishAll, fire and forget", () => {
  it("acknowledges every key without per-key results", async () => {
    const run = makeClient().establishAll(keysOf(120), { batchSize: 50, returnResults: false });
    const results = [];
    for await (const result of run) results.push(result);
    expectEachOnce(results as ContactResult[], 120);
    expect(results.every((r) => r.ok && "acknowledged" in r && r.acknowledged)).toBe(true);
    expect(await run.done()).toMatchObject({
      total: 120,
      established: 120,
      created: 0,
      existing: 0,
      failed: 0,
      batches: 3,
    });
    expect(establishCalls(mock).every((r) => (r.body as { ReturnResults?: boolean }).ReturnResults === false)).toBe(
      true,
    );
    expect(mock.store.size).toBe(120);
  });
});

describe("establishAll: the run is an async iterable with done(), not a thenable", () => {
  it("returned from an async function, the run itself arrives (not its summary)", async () => {
    const client = makeClient();
    let made: EstablishAllRun | undefined;
    async function startRun() {
      made = client.establishAll(keysOf(3));
      return made;
    }
    const run = await startRun();
    expect(run).toBe(made);
    expect("then" in run).toBe(false);
    expect(await run).toBe(made);
    const results = await collect(run);
    expectEachOnce(results, 3);
    expect(await run.done()).toMatchObject({ total: 3, established: 3, stopped: false });
  });

  it("done() alone starts the run and resolves the summary; calling it again gives the same summary", async () => {
    const run = makeClient().establishAll(keysOf(120), { batchSize: 50 });
    // Nothing is read or sent before done() or iteration asks for it.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(establishCalls(mock)).toHaveLength(0);
    const first = await run.done();
    expect(first).toMatchObject({ total: 120, established: 120, notSent: 0, batches: 3 });
    expect(await run.done()).toBe(first);
    expect(establishCalls(mock)).toHaveLength(3);
  });

  it("iterating after done() (or a second time) is a ContactsValidationError that says what to do", async () => {
    const client = makeClient();
    const summarised = client.establishAll(keysOf(5));
    const summary = summarised.done();
    const late = await collect(summarised).catch((error: unknown) => error);
    expect(late).toBeInstanceOf(ContactsValidationError);
    expect((late as Error).message).toMatch(/before done\(\)/);
    expect(await summary).toMatchObject({ total: 5, established: 5 });

    const twice = client.establishAll(keysOf(5));
    expect(await collect(twice)).toHaveLength(5);
    await expect(collect(twice)).rejects.toThrow(ContactsValidationError);
  });

  it("break stops the run; done() then gives a summary of what was read", async () => {
    const run = makeClient().establishAll(keysOf(1000), { batchSize: 10, concurrency: 2 });
    let seen = 0;
    for await (const _ of run) if (++seen === 15) break;
    const summary = await run.done();
    expect(summary.stopped).toBe(true);
    expect(summary.processed).toBe(summary.total);
    expect(summary.total).toBeLessThan(1000);
  });
});
