import {
  checkRun,
  type EstablishAllOptions,
  type EstablishAllRun,
  type EstablishAllSummary,
  type SendBatch,
} from "./establish-all-options.js";
import { keyProblem } from "./keys.js";
import { type AcknowledgedKey, type ContactResult, toResults } from "./results.js";

/**
 * Runs establish over any (async) iterable of keys: `concurrency` workers each take the next
 * batch from the input (one reader at a time), send it, and settle every key of it.
 * @internal
 */
export function establishAll(
  input: Iterable<unknown> | AsyncIterable<unknown>,
  send: SendBatch,
  options: EstablishAllOptions = {},
): EstablishAllRun<ContactResult | AcknowledgedKey> {
  const { size, concurrency, open } = checkRun(input, options);
  const { signal, onProgress } = options;
  const t = { total: 0, processed: 0, established: 0, created: 0, existing: 0, failed: 0, batches: 0, inFlight: 0 };
  const acknowledgeOnly = options.returnResults === false;
  // Results wait here for the reader; while someone iterates, workers pause when it is full.
  const queue: Array<ContactResult | AcknowledgedKey> = [];
  let streaming = false;
  let stopped = false;
  let ended = false;
  let finished = false;
  let tick!: () => void;
  let changed!: Promise<void>;
  const next = () => {
    const previous = tick;
    changed = new Promise((resolve) => (tick = resolve));
    previous?.();
  };
  next();
  signal?.addEventListener("abort", next, { once: true });
  const halted = () => stopped || signal?.aborted === true;

  const settle = (results: Array<ContactResult | AcknowledgedKey>) => {
    for (const result of results) {
      t.processed++;
      if (!result.ok) t.failed++;
      else {
        t.established++;
        if ("isNew" in result) result.isNew ? t.created++ : t.existing++;
      }
      if (streaming) queue.push(result);
    }
    next();
  };

  let iterator: Iterator<unknown> | AsyncIterator<unknown>;
  let reading: Promise<unknown> = Promise.resolve();
  /** The next batch of valid keys with their input positions; invalid keys are settled on the way. */
  const read = async (): Promise<{ keys: string[]; at: number[] } | undefined> => {
    iterator ??= open.call(input);
    const keys: string[] = [];
    const at: number[] = [];
    while (!ended && keys.length < size) {
      // A synchronous iterator's results need no await: that is one microtask per key saved.
      const next = iterator.next();
      const item = next instanceof Promise ? await next : next;
      if (item.done) ended = true;
      else {
        const problem = keyProblem(item.value);
        if (problem) {
          const reason = `the key ${problem}`;
          settle([{ ok: false, key: String(item.value), index: t.total, code: "INVALID_KEY", reason, messages: [] }]);
        } else {
          keys.push(item.value as string);
          at.push(t.total);
        }
        t.total++;
      }
    }
    return keys.length ? { keys, at } : undefined;
  };

  const worker = async () => {
    for (;;) {
      while (streaming && queue.length >= size * concurrency && !halted()) await changed;
      if (halted() || ended) return;
      // One reader at a time: each worker queues its read behind the previous one.
      const pending = reading.then(read);
      reading = pending;
      const batch = await pending;
      if (!batch) return;
      t.inFlight++;
      let results: Array<ContactResult | AcknowledgedKey>;
      try {
        const answer = await send(batch.keys, signal);
        results = acknowledgeOnly
          ? batch.keys.map((key, i) => ({
              ok: true,
              acknowledged: true,
              key,
              index: batch.at[i] as number,
              messages: answer.resultMessages,
            }))
          : toResults(batch.keys, answer.items, batch.at);
      } catch (error) {
        const aborted = signal?.aborted === true;
        const reason = aborted ? "aborted before the answer arrived" : (error as Error).message;
        const code = aborted ? "ABORTED" : "REQUEST_FAILED";
        results = batch.keys.map((key, i) => ({
          ok: false,
          key,
          index: batch.at[i] as number,
          code,
          reason,
          messages: [],
          error,
        }));
      }
      t.inFlight--;
      t.batches++;
      settle(results);
      onProgress?.({ ...t });
    }
  };

  let summary: Promise<EstablishAllSummary> | undefined;
  const start = () =>
    (summary ??= (async () => {
      const outcomes = await Promise.allSettled(Array.from({ length: concurrency }, worker));
      if (!ended) await (iterator as AsyncIterator<unknown> | undefined)?.return?.();
      const failure = outcomes.find((o) => o.status === "rejected");
      if (failure) throw failure.reason;
      const { inFlight, ...totals } = t;
      onProgress?.({ ...t });
      return { ...totals, stopped: !ended };
    })().finally(() => {
      finished = true;
      next();
    }));

  return {
    stop: () => {
      stopped = true;
      next();
    },
    // biome-ignore lint/suspicious/noThenProperty: the run is awaitable by design: `await run` gives the summary.
    then: (onFulfilled, onRejected) => start().then(onFulfilled, onRejected),
    [Symbol.asyncIterator]() {
      if (summary && !streaming) throw new Error("establishAll: iterate the run before awaiting it, not after");
      streaming = true;
      const run = start();
      run.catch(() => {});
      return {
        async next(): Promise<IteratorResult<ContactResult | AcknowledgedKey>> {
          for (;;) {
            const result = queue.shift();
            if (result) {
              next();
              return { value: result, done: false };
            }
            if (finished) return run.then(() => ({ value: undefined, done: true }));
            await changed;
          }
        },
        async return(): Promise<IteratorResult<ContactResult | AcknowledgedKey>> {
          stopped = true;
          queue.length = 0;
          next();
          return { value: undefined, done: true };
        },
      };
    },
  };
}
